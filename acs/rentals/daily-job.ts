// Runs the flagging job once per Paris day, on one ACS instance at a time
// (lease "job:rentals-flagging" in the shared store), plus on demand. Each run
// is recorded (day, instance, start, end, figures); a day counts as done once
// a run of that day finished, so a run killed mid-way is simply run again at
// the next check (runFlagging is idempotent and resumable).

import { randomBytes } from "node:crypto";
import type { PlainDate } from "../lib/paris-calendar.ts";
import { parisDate } from "../lib/paris-calendar.ts";
import type { Store } from "../store/store.ts";
import { runFlagging } from "./flagging-job.ts";
import type { FlaggingRun, RentalRepository } from "./rental-repository.ts";

export const FLAGGING_LEASE = "job:rentals-flagging";

export interface FlaggingJobDeps {
  store: Pick<Store, "acquireLease" | "releaseLease">;
  repo: RentalRepository;
  instanceId: string;
  clock?: () => number;
  /** Lease duration, renewed after every batch (default 10 min). */
  leaseTtlMs?: number;
}

export type FlaggingRunOutcome = { ran: true; run: FlaggingRun } | { ran: false; reason: string };

/** One flagging run now (for today's Paris date), unless another instance is running one. */
export async function runFlaggingNow(deps: FlaggingJobDeps): Promise<FlaggingRunOutcome> {
  const clock = deps.clock ?? Date.now;
  const ttl = deps.leaseTtlMs ?? 600_000;
  if (!(await deps.store.acquireLease(FLAGGING_LEASE, deps.instanceId, ttl))) {
    return { ran: false, reason: "a flagging run is in progress on another ACS instance" };
  }
  try {
    const now = clock();
    const run: FlaggingRun = {
      id: `run_${now.toString(36)}_${randomBytes(4).toString("hex")}`, day: parisDate(now), instance: deps.instanceId,
      startedAt: now, finishedAt: null, result: null,
    };
    await deps.repo.startFlaggingRun(run);
    const result = await runFlagging(deps.repo, {
      today: run.day, now,
      onBatch: async () => {
        await deps.store.acquireLease(FLAGGING_LEASE, deps.instanceId, ttl);
      },
    });
    const finishedAt = clock();
    await deps.repo.finishFlaggingRun(run.id, finishedAt, { ...result });
    return { ran: true, run: { ...run, finishedAt, result: { ...result } } };
  } finally {
    await deps.store.releaseLease(FLAGGING_LEASE, deps.instanceId);
  }
}

async function doneToday(repo: RentalRepository, day: PlainDate): Promise<boolean> {
  return (await repo.listFlaggingRuns({ day })).some((r) => r.finishedAt !== null);
}

export interface DailyFlagging {
  /** The on-demand trigger: the same run as the daily one (same lease). */
  runNow(): Promise<FlaggingRunOutcome>;
  /** Waits for a check in progress, then stops the timer. */
  stop(): Promise<void>;
}

/**
 * Checks every `checkEveryMs` (default 5 min) whether today's Paris run is
 * done, and runs it when not: the first check after midnight Paris time flags
 * the routers whose due date was the day before.
 */
export function startDailyFlagging(deps: FlaggingJobDeps & { checkEveryMs?: number; onError: (err: unknown) => void; onRun?: (run: FlaggingRun) => void }): DailyFlagging {
  const clock = deps.clock ?? Date.now;
  let current: Promise<unknown> = Promise.resolve();
  const check = async (): Promise<void> => {
    if (await doneToday(deps.repo, parisDate(clock()))) return;
    const outcome = await runFlaggingNow(deps);
    if (outcome.ran) deps.onRun?.(outcome.run);
  };
  const tick = (): void => {
    current = current.then(check).catch(deps.onError);
  };
  const timer = setInterval(tick, deps.checkEveryMs ?? 300_000);
  timer.unref();
  tick();
  return {
    runNow: () => {
      const run = current.then(() => runFlaggingNow(deps));
      current = run.catch(() => undefined);
      return run;
    },
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
