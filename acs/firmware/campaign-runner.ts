// Carries out the campaign rules against the repository: the wave job (one
// ACS instance at a time, lease "job:firmware-waves") times out silent
// devices, pauses a wave over its failure threshold, moves on to the next
// wave, fills the wave's concurrency slots and wakes the scheduled devices by
// connection request. The firmware source calls applyThresholdPause right
// after a failure, so a bad wave stops without waiting for the next run.

import type { Logger } from "pino";
import type { ConnectionRequester } from "../connreq/requester.ts";
import type { Store } from "../store/store.ts";
import { planTick, type TickPlan } from "./campaign-rules.ts";
import { emptyCounts, type Campaign, type WaveCounts } from "./campaign-types.ts";
import { stepDevice } from "./device-state.ts";
import type { FirmwareRepository } from "./firmware-repository.ts";

export const WAVE_JOB_LEASE = "job:firmware-waves";

export interface CampaignRunnerDeps {
  repo: FirmwareRepository;
  logger: Logger;
  /** Wakes scheduled devices; without it they get their Download at their next periodic Inform. */
  requester?: ConnectionRequester;
  clock?: () => number;
  /** A scheduled device is woken again after this long (default 5 min). */
  rewakeMs?: number;
}

export async function countsByWave(repo: FirmwareRepository, c: Campaign): Promise<WaveCounts[]> {
  const counts = c.waves.map(() => emptyCounts());
  for (const { wave, state, count } of await repo.countStates(c.id)) {
    const wc = counts[wave];
    if (wc) wc[state] += count;
  }
  return counts;
}

/** Fails (or skips) the campaign's devices silent for longer than its timeout; returns how many. */
async function expireSilent(repo: FirmwareRepository, c: Campaign, now: number): Promise<number> {
  const { items } = await repo.listDevices(c.id, { states: ["scheduled", "downloading", "rebooting", "verifying"], stateBefore: now - c.timeoutMs });
  let n = 0;
  for (const d of items) {
    const step = stepDevice(d.state, { kind: "timeout", afterMs: c.timeoutMs }, c.firmware.version);
    if (step && (await repo.transitionDevice(c.id, d.deviceId, d.state, { path: step.path, at: now, fault: step.fault ?? null }))) n++;
  }
  return n;
}

/** Stores the plan's campaign over `c`'s revision, then moves devices; false when another writer came first. */
async function applyPlan(repo: FirmwareRepository, c: Campaign, plan: TickPlan, now: number): Promise<boolean> {
  if (plan.campaign && !(await repo.replaceCampaign(plan.campaign, c.rev))) return false;
  for (const m of plan.moves) await repo.moveUnsentDevices(c.id, m.from, m.to, now);
  return true;
}

function logPlan(logger: Logger, c: Campaign, plan: TickPlan): void {
  const next = plan.campaign;
  if (!next) return;
  if (next.status === "paused" && c.status !== "paused") logger.warn({ campaignId: c.id, ...next.pause }, "firmware campaign paused: wave failure rate over the threshold");
  else if (next.status === "completed" && c.status !== "completed") logger.info({ campaignId: c.id }, "firmware campaign completed");
  else if (next.currentWave !== c.currentWave) logger.info({ campaignId: c.id, wave: next.currentWave }, "firmware campaign: next wave");
}

/** Pauses the campaign when its current wave is over the threshold (and changes nothing else). */
export async function applyThresholdPause(deps: Pick<CampaignRunnerDeps, "repo" | "logger" | "clock">, campaignId: string): Promise<void> {
  const now = (deps.clock ?? Date.now)();
  for (let attempt = 0; attempt < 3; attempt++) {
    const c = await deps.repo.getCampaign(campaignId);
    if (!c || c.status !== "running") return;
    const plan = planTick(c, await countsByWave(deps.repo, c), now);
    if (plan.campaign?.status !== "paused") return;
    if (await applyPlan(deps.repo, c, plan, now)) return logPlan(deps.logger, c, plan);
  }
}

/** One run of the rules for one campaign; returns the devices it scheduled. */
export async function tickCampaign(deps: CampaignRunnerDeps, campaignId: string): Promise<string[]> {
  const { repo } = deps;
  const now = (deps.clock ?? Date.now)();
  for (let attempt = 0; attempt < 3; attempt++) {
    const c = await repo.getCampaign(campaignId);
    if (!c || c.endedAt !== null) return [];
    const expired = await expireSilent(repo, c, now);
    if (expired > 0) deps.logger.info({ campaignId, devices: expired }, "firmware campaign: devices timed out");
    const plan = planTick(c, await countsByWave(repo, c), now);
    if (!(await applyPlan(repo, c, plan, now))) continue;
    logPlan(deps.logger, c, plan);
    if (!plan.schedule) return [];
    const { items } = await repo.listDevices(c.id, { states: ["pending"], wave: plan.schedule.wave, limit: plan.schedule.count });
    const scheduled: string[] = [];
    for (const d of items) {
      if (await repo.transitionDevice(c.id, d.deviceId, "pending", { path: ["scheduled"], at: now })) scheduled.push(d.deviceId);
    }
    return scheduled;
  }
  deps.logger.warn({ campaignId }, "firmware campaign changed under the wave job three times in a row; trying again at the next run");
  return [];
}

export interface WaveJob {
  /** One run now (tests, or right after an API change); waits for a run in progress first. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface WaveJobDeps extends CampaignRunnerDeps {
  store: Pick<Store, "acquireLease" | "releaseLease">;
  instanceId: string;
  /** Between runs (default 5 s). */
  intervalMs?: number;
  /** Parallel connection requests (default 16). */
  wakeConcurrency?: number;
}

/** Starts the wave job; runs on the instance holding the lease, which keeps it while it lives. */
export function startWaveJob(deps: WaveJobDeps): WaveJob {
  const clock = deps.clock ?? Date.now;
  const intervalMs = deps.intervalMs ?? 5_000;
  const ttlMs = Math.max(intervalMs * 3, 30_000);
  const rewakeMs = deps.rewakeMs ?? 300_000;
  /** Last connection request per campaign, device and scheduling. */
  const lastWake = new Map<string, number>();
  const wakeQueue: string[] = [];
  let waking = 0;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();

  const pump = (): void => {
    while (!stopped && deps.requester && waking < (deps.wakeConcurrency ?? 16) && wakeQueue.length > 0) {
      const id = wakeQueue.shift()!;
      waking++;
      void deps.requester.wake(id).then(
        (r) => { if (!r.ok) deps.logger.debug({ deviceId: id, reason: r.reason }, "firmware campaign: connection request failed"); },
        (err: unknown) => deps.logger.warn({ err, deviceId: id }, "firmware campaign: connection request error"),
      ).finally(() => {
        waking--;
        pump();
      });
    }
  };

  async function wakeScheduled(c: Campaign, now: number): Promise<void> {
    if (!deps.requester || c.status !== "running") return;
    const { items } = await deps.repo.listDevices(c.id, { states: ["scheduled"], wave: c.currentWave });
    for (const d of items) {
      // Per scheduling (stateAt): a device unscheduled by a pause and scheduled again is woken again.
      const key = `${c.id}:${d.deviceId}:${d.stateAt}`;
      const last = lastWake.get(key);
      if (last !== undefined && now - last < rewakeMs) continue;
      lastWake.set(key, now);
      wakeQueue.push(d.deviceId);
    }
    pump();
  }

  async function run(): Promise<void> {
    if (stopped || !(await deps.store.acquireLease(WAVE_JOB_LEASE, deps.instanceId, ttlMs))) return;
    for (const c of await deps.repo.listCampaigns({ ended: false })) {
      await tickCampaign(deps, c.id);
      const after = await deps.repo.getCampaign(c.id);
      if (after) await wakeScheduled(after, clock());
    }
    const now = clock();
    for (const [id, at] of lastWake) if (now - at >= rewakeMs) lastWake.delete(id);
  }

  const tick = (): Promise<void> => {
    current = current.then(run).catch((err: unknown) => deps.logger.error({ err }, "firmware wave job failed"));
    return current;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  void tick();
  return {
    runNow: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
      await deps.store.releaseLease(WAVE_JOB_LEASE, deps.instanceId).catch(() => undefined);
    },
  };
}
