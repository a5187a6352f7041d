// The campaign rules (pure): how devices split into waves, when a wave's
// failure rate pauses the campaign, the daily time window (Europe/Paris), and
// what one run of the wave job decides for a campaign given its per-wave
// state counts. campaign-runner.ts carries the decisions out.

import {
  emptyCounts, IN_FLIGHT, NOT_TERMINAL, TRANSFERRING,
  type Campaign, type DeviceState, type TimeWindow, type WaveCounts, type WaveState,
} from "./campaign-types.ts";

export interface WaveSpec {
  size: number;
  concurrency: number;
}

/**
 * Splits `deviceCount` devices into waves: the specs in order, the last one
 * repeated until every device has a wave ([10, 50] over 200 devices: 10, 50,
 * 50, 50, 40). A canary wave first, then batches, is the usual shape.
 */
export function planWaves(deviceCount: number, specs: readonly WaveSpec[], now: number): WaveState[] {
  if (specs.length === 0) throw new RangeError("a campaign needs at least one wave");
  const waves: WaveState[] = [];
  let left = deviceCount;
  for (let i = 0; left > 0; i++) {
    const spec = specs[Math.min(i, specs.length - 1)]!;
    const size = Math.min(spec.size, left);
    waves.push({ size, concurrency: Math.min(spec.concurrency, size), startedAt: i === 0 ? now : null, finishedAt: null, baseline: { finished: 0, failed: 0 } });
    left -= size;
  }
  return waves;
}

/** Wave index of the device at rollout position `seq`. */
export function waveOf(seq: number, waves: readonly WaveState[]): number {
  let end = 0;
  for (let i = 0; i < waves.length; i++) {
    end += waves[i]!.size;
    if (seq < end) return i;
  }
  throw new RangeError(`position ${seq} is beyond the campaign's ${end} devices`);
}

const sum = (counts: WaveCounts, states: readonly DeviceState[]): number => states.reduce((n, s) => n + counts[s], 0);

export const waveDone = (counts: WaveCounts): boolean => sum(counts, NOT_TERMINAL) === 0;

export interface WaveJudgement {
  /** Outcomes counted (succeeded + failed since the last resume); skipped devices are not firmware outcomes. */
  finished: number;
  failed: number;
  failureRate: number;
  /** Enough outcomes to judge (minSample, or the whole wave once it is done). */
  judged: boolean;
  exceeded: boolean;
}

export function judgeWave(wave: WaveState, counts: WaveCounts, threshold: number, minSample: number): WaveJudgement {
  const finished = counts.succeeded + counts.failed - wave.baseline.finished;
  const failed = counts.failed - wave.baseline.failed;
  const failureRate = finished > 0 ? failed / finished : 0;
  const judged = finished > 0 && (finished >= minSample || waveDone(counts));
  return { finished, failed, failureRate, judged, exceeded: judged && failureRate > threshold };
}

const parisClock = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isTimeOfDay = (s: string): boolean => HHMM.test(s);

const minutesOf = (hhmm: string): number => {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Minutes since midnight, Paris wall-clock time (daylight saving included). */
export function parisMinuteOfDay(epochMs: number): number {
  const parts = parisClock.formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return get("hour") * 60 + get("minute");
}

/** Whether new Downloads may go out at `now`: start inclusive, end exclusive; no window means always. */
export function windowOpen(window: TimeWindow | null, now: number): boolean {
  if (!window) return true;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const m = parisMinuteOfDay(now);
  return start <= end ? m >= start && m < end : m >= start || m < end;
}

export interface DeviceMove {
  from: DeviceState[];
  to: DeviceState;
}

export interface TickPlan {
  /** The campaign to store (over the revision read), or null when it does not change. */
  campaign: Campaign | null;
  /** Applied once the campaign is stored, to every wave. */
  moves: DeviceMove[];
  /** Pending devices of a wave to schedule, in rollout order. */
  schedule: { wave: number; count: number } | null;
}

const UNSCHEDULE: DeviceMove = { from: ["scheduled"], to: "pending" };

/**
 * One run of the wave job for one campaign. Scheduled devices exist only
 * while the campaign runs inside its window: a pause or the window's end
 * gives their slots back (they are pending again). Moves only ever apply to
 * devices never sent a Download (FirmwareRepository.moveUnsentDevices).
 */
export function planTick(c: Campaign, countsByWave: readonly WaveCounts[], now: number): TickPlan {
  const counts = (w: number): WaveCounts => countsByWave[w] ?? emptyCounts();
  const total = (states: readonly DeviceState[]): number => countsByWave.reduce((n, wc) => n + sum(wc, states), 0);
  const unchanged: TickPlan = { campaign: null, moves: [], schedule: null };

  switch (c.status) {
    case "cancelled": {
      const moves: DeviceMove[] = total(["pending", "scheduled"]) > 0 ? [{ from: ["pending", "scheduled"], to: "cancelled" }] : [];
      const ends = c.endedAt === null && total(TRANSFERRING) === 0;
      return { campaign: ends ? { ...c, endedAt: now, updatedAt: now } : null, moves, schedule: null };
    }
    case "completed":
      return c.endedAt === null && total(NOT_TERMINAL) === 0 ? { ...unchanged, campaign: { ...c, endedAt: now, updatedAt: now } } : unchanged;
    case "paused":
      return total(["scheduled"]) > 0 ? { ...unchanged, moves: [UNSCHEDULE] } : unchanged;
    case "running":
      break;
  }

  let w = c.currentWave;
  const waves = c.waves.map((x) => ({ ...x }));
  const verdict = judgeWave(waves[w]!, counts(w), c.failureThreshold, c.minSample);
  if (verdict.exceeded) {
    const pause = { reason: "threshold" as const, at: now, by: "acs", wave: w, failed: verdict.failed, finished: verdict.finished, failureRate: verdict.failureRate };
    return { campaign: { ...c, status: "paused", pause, updatedAt: now }, moves: [UNSCHEDULE], schedule: null };
  }
  let changed = false;
  if (waveDone(counts(w))) {
    waves[w]!.finishedAt = now;
    changed = true;
    if (w === waves.length - 1) {
      return { campaign: { ...c, waves, status: "completed", endedAt: now, updatedAt: now }, moves: [], schedule: null };
    }
    w++;
    waves[w]!.startedAt = now;
  }
  const campaign = changed ? { ...c, waves, currentWave: w, updatedAt: now } : null;
  if (!windowOpen(c.window, now)) return { campaign, moves: counts(w).scheduled > 0 ? [UNSCHEDULE] : [], schedule: null };
  const free = waves[w]!.concurrency - sum(counts(w), IN_FLIGHT);
  const count = Math.min(free, counts(w).pending);
  return { campaign, moves: [], schedule: count > 0 ? { wave: w, count } : null };
}
