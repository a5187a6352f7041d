// The link-rate background jobs of one ACS instance, each behind its own
// store lease so only one instance runs it at a time:
//   job:speedtests          plan scheduled tests (every minute)
//   job:linkrate-evaluate   re-evaluate every line (staleness; every 15 min)
//   job:linkrate-retention  downsample old raw samples (every hour)

import type { Logger } from "pino";
import type { Store } from "../store/store.ts";
import type { LinkrateEvaluator } from "./evaluator.ts";
import type { LinkrateRepository } from "./measurement-repository.ts";
import type { SpeedTestScheduler } from "./speedtest-scheduler.ts";

const DAY = 86_400_000;

export interface RetentionOptions {
  /** Raw samples kept this long, then downsampled (default 30 days). */
  rawMs?: number;
  /** Rollup interval (default 1 day: min/median/max per day and series). */
  intervalMs?: number;
  /** Speed tests are the evidence: kept raw this long (default 400 days). */
  speedTestsMs?: number;
}

export interface LinkrateJobsDeps {
  store: Store;
  repo: LinkrateRepository;
  scheduler: SpeedTestScheduler;
  evaluator: LinkrateEvaluator;
  instanceId: string;
  logger: Logger;
  retention?: RetentionOptions;
  schedulerEveryMs?: number;
  evaluateEveryMs?: number;
  retentionEveryMs?: number;
  now?: () => number;
}

export function runRetention(repo: LinkrateRepository, nowMs: number, r: RetentionOptions = {}) {
  return repo.downsample({
    beforeMs: nowMs - (r.rawMs ?? 30 * DAY),
    intervalMs: r.intervalMs ?? DAY,
    speedTestsBeforeMs: nowMs - (r.speedTestsMs ?? 400 * DAY),
  });
}

/** Starts the timers; stop() clears them (a run in progress finishes on its own). */
export function startLinkrateJobs(deps: LinkrateJobsDeps): { stop(): void } {
  const { store, logger, instanceId } = deps;
  const now = deps.now ?? Date.now;
  const timers: NodeJS.Timeout[] = [];
  const every = (name: string, ms: number, lease: string | null, fn: () => Promise<unknown>): void => {
    let running = false;
    const t = setInterval(async () => {
      if (running) return;
      running = true;
      try {
        if (lease === null || (await store.acquireLease(lease, instanceId, ms * 2))) await fn();
      } catch (err) {
        logger.error({ err, job: name }, "link-rate job failed");
      } finally {
        running = false;
      }
    }, ms);
    t.unref();
    timers.push(t);
  };
  // The scheduler takes its own lease (it is also called directly by tests and the CLI).
  every("speedtests", deps.schedulerEveryMs ?? 60_000, null, () => deps.scheduler.tick());
  every("evaluate", deps.evaluateEveryMs ?? 900_000, "job:linkrate-evaluate", async () => {
    const r = await deps.evaluator.evaluateAll();
    logger.info(r, "link-rate verdicts evaluated");
  });
  every("retention", deps.retentionEveryMs ?? 3_600_000, "job:linkrate-retention", async () => {
    const r = await runRetention(deps.repo, now(), deps.retention);
    if (r.samples > 0 || r.expiredSpeedTests > 0) logger.info(r, "link-rate samples downsampled");
  });
  return { stop: () => timers.forEach(clearInterval) };
}
