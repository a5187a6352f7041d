// Per-line, per-direction verdicts on delivered speed, and the alert built on
// them. Pure functions over plain arrays; the policy and its sources are in
// policy.ts.
//
// Verdicts (several can hold at once; `primary` is the first in VERDICT_ORDER):
// - below_minimum: ≥ belowMinimumCount of the last `window` tests under the
//   line's minimum, on ≥ belowMinimumDays different Paris days (default 3 of 5, 2 days).
// - below_normal: fewer than normalReachedShare of the last `window` tests reach
//   the normally available speed (default: not reached in most tests).
// - capacity_capped: the negotiated WAN rate is below the advertised maximum
//   (e.g. a WAN port at 100 Mb/s on a 1 Gb/s line): the line cannot deliver it.
// - optical_out_of_range: the optical receive level is outside the profile's window.
// - no_recent_data: no speed test newer than staleAfterMs; the speed verdicts
//   then are not asserted (old evidence says nothing about today).
// - conforming: none of the above.
// Traffic counters are not evidence of line speed (market-anchors.md §5): only
// active tests (TR-143) feed the speed verdicts.

import { parisDate, type PlainDate } from "../lib/paris-calendar.ts";
import {
  DEFAULT_OPTICAL_RX,
  dbm1000ToDbm,
  type AdvertisedRange,
  type LineProfile,
  type LinkDirection,
  type VerdictPolicy,
} from "./policy.ts";

export interface SpeedTest {
  atMs: number;
  bps: number;
}

export interface LineMeasurements {
  /** Speed tests per direction, oldest first (sorted here if not). */
  download: readonly SpeedTest[];
  upload: readonly SpeedTest[];
  /** Latest negotiated WAN rate (ifHighSpeed, Ethernet CurrentBitRate, PON nominal rate). */
  wanRate?: { atMs: number; downloadBps: number; uploadBps: number } | undefined;
  /** Latest optical receive level, Dbm1000. */
  opticalRx?: { atMs: number; dbm1000: number } | undefined;
}

export const VERDICT_ORDER = [
  "below_minimum",
  "below_normal",
  "capacity_capped",
  "optical_out_of_range",
  "no_recent_data",
  "conforming",
] as const;
export type VerdictCode = (typeof VERDICT_ORDER)[number];

export interface DirectionVerdict {
  primary: VerdictCode;
  codes: VerdictCode[];
  /** Tests the rules looked at (≤ window). */
  testsConsidered: number;
  testsBelowMinimum: number;
  /** Distinct Paris days among the tests below minimum. */
  daysBelowMinimum: number;
  /** Share of considered tests at or above normalBps; null without tests. */
  normalReachedShare: number | null;
  wanBps: number | null;
  opticalRxDbm: number | null;
}

export interface LineVerdict {
  download: DirectionVerdict;
  upload: DirectionVerdict;
}

/** The last `window` tests within the lookback, oldest first. */
function recentWindow(tests: readonly SpeedTest[], policy: VerdictPolicy, nowMs: number): readonly SpeedTest[] {
  let sorted = tests;
  for (let i = 1; i < tests.length; i++) {
    if (tests[i]!.atMs < tests[i - 1]!.atMs) {
      sorted = [...tests].sort((a, b) => a.atMs - b.atMs);
      break;
    }
  }
  const from = nowMs - policy.lookbackMs;
  let end = sorted.length;
  while (end > 0 && sorted[end - 1]!.atMs > nowMs) end--; // future-dated (clock skew): not yet
  let start = end;
  while (start > 0 && end - start < policy.window && sorted[start - 1]!.atMs >= from) start--;
  return sorted.slice(start, end);
}

// Paris offsets are whole hours and change on UTC hour boundaries, so every
// instant of a UTC hour has the same Paris date: memoize per hour, since
// Intl formatting dominates the cost of 100k-line evaluations otherwise.
const HOUR_MS = 3_600_000;
const parisDateByHour = new Map<number, PlainDate>();
function parisDateFast(ms: number): PlainDate {
  const hour = Math.floor(ms / HOUR_MS);
  let date = parisDateByHour.get(hour);
  if (date === undefined) {
    if (parisDateByHour.size > 50_000) parisDateByHour.clear();
    date = parisDate(hour * HOUR_MS);
    parisDateByHour.set(hour, date);
  }
  return date;
}

interface MinimumEvidence {
  below: number;
  days: number;
  met: boolean;
}

function belowMinimumEvidence(window: readonly SpeedTest[], minBps: number, policy: VerdictPolicy): MinimumEvidence {
  let below = 0;
  const days: PlainDate[] = [];
  for (const t of window) {
    if (t.bps >= minBps) continue;
    below++;
    const d = parisDateFast(t.atMs);
    if (!days.includes(d)) days.push(d);
  }
  return { below, days: days.length, met: below >= policy.belowMinimumCount && days.length >= policy.belowMinimumDays };
}

function evaluateDirection(
  dir: LinkDirection,
  range: AdvertisedRange,
  m: LineMeasurements,
  opticalOut: boolean,
  policy: VerdictPolicy,
  nowMs: number,
): DirectionVerdict {
  const codes: VerdictCode[] = [];
  const window = recentWindow(m[dir], policy, nowMs);
  const fresh = nowMs - policy.staleAfterMs;
  const newest = window[window.length - 1];
  let evidence: MinimumEvidence = { below: 0, days: 0, met: false };
  let reachedShare: number | null = null;

  if (!newest || newest.atMs < fresh) {
    codes.push("no_recent_data");
  } else {
    evidence = belowMinimumEvidence(window, range.minBps, policy);
    let reached = 0;
    for (const t of window) if (t.bps >= range.normalBps) reached++;
    reachedShare = reached / window.length;
    if (evidence.met) codes.push("below_minimum");
    if (window.length >= policy.window && reachedShare < policy.normalReachedShare) codes.push("below_normal");
  }

  const wan = m.wanRate && m.wanRate.atMs >= fresh ? (dir === "download" ? m.wanRate.downloadBps : m.wanRate.uploadBps) : null;
  if (wan !== null && wan < range.maxBps) codes.push("capacity_capped");
  if (opticalOut) codes.push("optical_out_of_range");
  if (codes.length === 0) codes.push("conforming");
  codes.sort((a, b) => VERDICT_ORDER.indexOf(a) - VERDICT_ORDER.indexOf(b));

  const optical = m.opticalRx && m.opticalRx.atMs >= fresh ? dbm1000ToDbm(m.opticalRx.dbm1000) : null;
  return {
    primary: codes[0]!,
    codes,
    testsConsidered: window.length,
    testsBelowMinimum: evidence.below,
    daysBelowMinimum: evidence.days,
    normalReachedShare: reachedShare,
    wanBps: wan,
    opticalRxDbm: optical,
  };
}

export function evaluateLine(profile: LineProfile, m: LineMeasurements, policy: VerdictPolicy, nowMs: number): LineVerdict {
  // The fibre carries both directions: an out-of-range receive level is reported on each.
  const rx = profile.opticalRx ?? DEFAULT_OPTICAL_RX;
  const o = m.opticalRx;
  const opticalOut = !!o && o.atMs >= nowMs - policy.staleAfterMs && (o.dbm1000 < rx.minDbm1000 || o.dbm1000 > rx.maxDbm1000);
  return {
    download: evaluateDirection("download", profile.download, m, opticalOut, policy, nowMs),
    upload: evaluateDirection("upload", profile.upload, m, opticalOut, policy, nowMs),
  };
}

// ---------------------------------------------------------------------------
// Alert with hysteresis, per line and direction, on the below_minimum rule.

export interface AlertState {
  raised: boolean;
  /** When the alert was raised (epoch ms); null while clear. */
  raisedAtMs: number | null;
}

export interface AlertStep {
  state: AlertState;
  transition: "raised" | "cleared" | null;
  /** Consecutive newest tests at or above the minimum. */
  consecutiveGood: number;
}

export const CLEAR_ALERT: AlertState = Object.freeze({ raised: false, raisedAtMs: null });

/**
 * Raises when the below_minimum rule holds; once raised, clears only after
 * policy.clearAfterGoodTests consecutive tests at or above the minimum (and the
 * rule no longer holding), so one good test between bad ones cannot flap it.
 * Without recent tests the state is kept: silence is not recovery.
 */
export function nextAlertState(
  previous: AlertState | undefined,
  measurements: { tests: readonly SpeedTest[]; range: AdvertisedRange },
  policy: VerdictPolicy,
  nowMs: number,
): AlertStep {
  const prev = previous ?? CLEAR_ALERT;
  const { minBps } = measurements.range;
  const span = Math.max(policy.window, policy.clearAfterGoodTests);
  const recent = recentWindow(measurements.tests, span === policy.window ? policy : { ...policy, window: span }, nowMs);
  const window = recent.slice(recent.length - Math.min(recent.length, policy.window));
  let consecutiveGood = 0;
  for (let i = recent.length - 1; i >= 0 && recent[i]!.bps >= minBps; i--) consecutiveGood++;
  const newest = window[window.length - 1];
  const stale = !newest || newest.atMs < nowMs - policy.staleAfterMs;
  const met = !stale && belowMinimumEvidence(window, minBps, policy).met;

  if (!prev.raised && met) return { state: { raised: true, raisedAtMs: nowMs }, transition: "raised", consecutiveGood };
  if (prev.raised && !stale && !met && consecutiveGood >= policy.clearAfterGoodTests) {
    return { state: CLEAR_ALERT, transition: "cleared", consecutiveGood };
  }
  return { state: prev, transition: null, consecutiveGood };
}
