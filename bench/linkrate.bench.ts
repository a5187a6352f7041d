// Link-rate verdicts at fleet scale: evaluateLine + nextAlertState (both
// directions) for 100,000 lines with 10 speed tests per direction over 10 days.
// Target: < 5 s for the whole fleet.

import { DEFAULT_VERDICT_POLICY, type LineProfile } from "../acs/linkrate/policy.ts";
import { evaluateLine, nextAlertState, type AlertState, type LineMeasurements } from "../acs/linkrate/verdict.ts";
import type { BenchOptions } from "./main.ts";
import { median, round } from "./lib/stats.ts";

const DAY = 86_400_000;

function fleet(lines: number, nowMs: number): { profiles: LineProfile[]; measurements: LineMeasurements[] } {
  const profiles: LineProfile[] = [];
  const measurements: LineMeasurements[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < lines; i++) {
    const max = [300e6, 500e6, 1e9][i % 3]!;
    profiles.push({
      download: { minBps: max * 0.3, normalBps: max * 0.7, maxBps: max },
      upload: { minBps: max * 0.1, normalBps: max * 0.3, maxBps: max * 0.5 },
    });
    const tests = (scale: number) =>
      Array.from({ length: 10 }, (_, k) => ({ atMs: nowMs - (10 - k) * DAY + Math.floor(rand() * DAY), bps: max * scale * (0.2 + rand()) }));
    measurements.push({
      download: tests(1).sort((a, b) => a.atMs - b.atMs),
      upload: tests(0.5).sort((a, b) => a.atMs - b.atMs),
      wanRate: { atMs: nowMs - DAY, downloadBps: i % 50 === 0 ? 100e6 : 1e9, uploadBps: i % 50 === 0 ? 100e6 : 1e9 },
      opticalRx: { atMs: nowMs - DAY, dbm1000: -15_000 - Math.floor(rand() * 15_000) },
    });
  }
  return { profiles, measurements };
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const lines = opts.quick ? 20_000 : 100_000;
  const nowMs = Date.parse("2026-11-02T12:00:00Z"); // spans the 25 Oct 2026 DST change
  const { profiles, measurements } = fleet(lines, nowMs);
  const alerts: AlertState[] = [];
  const rounds: number[] = [];
  let raised = 0;
  for (let r = 0; r < 5; r++) {
    raised = 0;
    const t0 = performance.now();
    for (let i = 0; i < lines; i++) {
      const p = profiles[i]!;
      const m = measurements[i]!;
      evaluateLine(p, m, DEFAULT_VERDICT_POLICY, nowMs);
      const down = nextAlertState(alerts[2 * i], { tests: m.download, range: p.download }, DEFAULT_VERDICT_POLICY, nowMs);
      const up = nextAlertState(alerts[2 * i + 1], { tests: m.upload, range: p.upload }, DEFAULT_VERDICT_POLICY, nowMs);
      alerts[2 * i] = down.state;
      alerts[2 * i + 1] = up.state;
      if (down.state.raised) raised++;
      if (up.state.raised) raised++;
    }
    rounds.push(performance.now() - t0);
  }
  const ms = median(rounds);
  console.log(`verdicts + alerts for ${lines} lines: median ${round(ms, 0)} ms over ${rounds.length} rounds (first ${round(rounds[0]!, 0)} ms); ${raised} alerts raised`);
  return { linkrate_fleet_lines: lines, linkrate_fleet_ms: round(ms, 1), linkrate_fleet_first_round_ms: round(rounds[0]!, 1), linkrate_us_per_line: round((ms * 1000) / lines, 2) };
}
