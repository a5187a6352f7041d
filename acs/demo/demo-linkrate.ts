// Link-rate data of the demo, judged by the real evaluator:
// - history: the scheduled speed tests each line would have had over the
//   last days (one in the off-peak and one in the peak window a day, as the
//   scheduler plans them), their rates given by the simulated line's
//   behaviour model (agent/drivers/sim/line-behaviour.ts testRateMbps). The
//   scheduler cannot test in the past, and the below-minimum rule wants
//   tests on two different days, so these are written as speed_test samples
//   labelled { demo: true, origin: "demo-history" }, for lines without any
//   speed test yet;
// - first tests: a scheduler with a short window opening now, so real tests
//   (shaped transfers to the ACS's test server) run within a minute or two of
//   the start instead of at the next off-peak or peak window.

import type { Logger } from "pino";
import { testRateMbps } from "../../agent/drivers/sim/line-behaviour.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";
import { seededRandom } from "../../agent/fleet/fleet.ts";
import { fnv1a } from "../../agent/datamodel/fnv1a.ts";
import type { ConnectionRequester } from "../connreq/requester.ts";
import { parisMinuteOfDay } from "../firmware/campaign-rules.ts";
import { parisDate } from "../lib/paris-calendar.ts";
import type { LinkrateEvaluator } from "../linkrate/evaluator.ts";
import type { LinkrateLines } from "../linkrate/linkrate-lines.ts";
import type { Measurement } from "../linkrate/measurement.ts";
import type { LinkrateRepository } from "../linkrate/measurement-repository.ts";
import { createSpeedTestScheduler, DEFAULT_TEST_WINDOWS } from "../linkrate/speedtest-scheduler.ts";
import type { Store } from "../store/store.ts";
import { DEMO_SEED, type DemoLine } from "./demo-plan.ts";

const DAY = 86_400_000;
/** Days of history before the first start. */
export const HISTORY_DAYS = 6;
/** Lines given a history (a 100,000-device demo would otherwise write millions of samples). */
const HISTORY_MAX_LINES = 5000;
/** The first real tests: a window this long, opening at the start. */
const FIRST_WINDOW_MINUTES = 2;
const LAST_MINUTE_OF_DAY = 24 * 60 - 1;

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** The instant of Paris wall-clock `minute` on the Paris day of `dayMs`. */
const atParisMinute = (dayMs: number, minute: number): number => dayMs - (dayMs % 60_000) - parisMinuteOfDay(dayMs) * 60_000 + minute * 60_000;

/** The samples of one line's past scheduled tests, oldest first. */
export function lineHistory(line: DemoLine, deviceId: string, nowMs: number): Measurement[] {
  const b = line.behaviour;
  const nominal = { download: b.downloadMbps ?? MODELS[line.tester.model].downlinkMbps, upload: b.uploadMbps ?? MODELS[line.tester.model].uplinkMbps };
  // TCP goodput differs by a few percent from one run to the next.
  const goodput = seededRandom(fnv1a(`history/${line.input.id}`, DEMO_SEED));
  const runs = { download: 0, upload: 0 };
  const out: Measurement[] = [];
  for (let d = HISTORY_DAYS; d >= 1; d--) {
    const dayMs = nowMs - d * DAY;
    for (const w of DEFAULT_TEST_WINDOWS) {
      const span = minutesOf(w.end) - minutesOf(w.start);
      const slot = `${parisDate(dayMs)}/${w.name}`;
      const atMs = atParisMinute(dayMs, minutesOf(w.start) + (fnv1a(`${line.input.id}/${slot}`, DEMO_SEED) % span)) + (fnv1a(slot, DEMO_SEED) % 60_000);
      // Download first, then upload, as a scheduled test runs them.
      for (const [direction, offsetMs] of [["download", 0], ["upload", 40_000]] as const) {
        const t = atMs + offsetMs;
        const mbps = testRateMbps(b, nominal[direction], t, runs[direction]++) * (0.96 + 0.04 * goodput());
        out.push({
          atMs: t, lineId: line.input.id, deviceId, direction, method: "speed_test", value: Math.round(mbps * 1e6),
          context: { demo: true, origin: "demo-history", behaviour: b.kind, slot },
        });
      }
    }
  }
  return out;
}

export interface HistoryDeps {
  repo: LinkrateRepository;
  evaluator: LinkrateEvaluator;
  deviceIdOf(serial: string): string;
  signal: AbortSignal;
}

/** Writes the history of the lines that have no speed test yet, then evaluates them. */
export async function backfillHistory(deps: HistoryDeps, lines: readonly DemoLine[], nowMs: number): Promise<{ lines: number; samples: number }> {
  const done = { lines: 0, samples: 0 };
  for (const line of lines.slice(0, HISTORY_MAX_LINES)) {
    if (deps.signal.aborted) break;
    if ((await deps.repo.listSamples({ lineId: line.input.id, method: "speed_test", limit: 1 })).length > 0) continue;
    const samples = lineHistory(line, deps.deviceIdOf(line.tester.serial), nowMs);
    await deps.repo.appendSamples(samples);
    await deps.evaluator.evaluateLine(line.input.id);
    done.lines++;
    done.samples += samples.length;
  }
  return done;
}

export interface FirstTestsDeps {
  repo: LinkrateRepository;
  lines: LinkrateLines;
  store: Store;
  requester: ConnectionRequester;
  instanceId: string;
  logger: Logger;
}

/**
 * Plans tests in a window opening now (slot "<Paris date>/demo": one per line
 * and day, so a restart the same day does not test again), checked every 10 s
 * until it closes. In the day's last minute the window opens at midnight
 * (scheduler windows do not cross midnight).
 */
export function startFirstSpeedTests(deps: FirstTestsDeps, nowMs: number): { stop(): Promise<void> } {
  const minute = parisMinuteOfDay(nowMs);
  const start = minute < LAST_MINUTE_OF_DAY ? minute : 0;
  const end = Math.min(start + FIRST_WINDOW_MINUTES, LAST_MINUTE_OF_DAY);
  const scheduler = createSpeedTestScheduler({
    repo: deps.repo, lines: deps.lines, store: deps.store, requester: deps.requester, instanceId: deps.instanceId, logger: deps.logger,
    options: { windows: [{ name: "demo", start: hhmm(start), end: hhmm(end) }] },
  });
  const closesAt = nowMs + ((start === minute ? end - minute : 24 * 60 - minute + end) + 1) * 60_000;
  let current: Promise<unknown> = Promise.resolve();
  const tick = (): void => {
    current = current.then(() => scheduler.tick()).catch((err: unknown) => deps.logger.error({ err }, "demo speed tests: scheduling failed"));
  };
  const timer = setInterval(() => (Date.now() > closesAt ? clearInterval(timer) : tick()), 10_000);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
