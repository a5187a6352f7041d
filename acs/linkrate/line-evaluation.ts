// One line's verdicts and alert transitions from its state (pure). Speed
// alerts use the policy's hysteresis (verdict.ts nextAlertState); the port and
// fibre alerts, built on readings, the same shape: raised on a fresh reading
// out of range, cleared only after clearAfterGoodTests consecutive fresh
// readings in range, kept through silence.

import { type AlertKind, type LineState, alertKey, RECENT_READINGS } from "./measurement.ts";
import { DEFAULT_OPTICAL_RX, type LineProfile, type LinkDirection, type VerdictPolicy } from "./policy.ts";
import { CLEAR_ALERT, evaluateLine, nextAlertState, type LineVerdict } from "./verdict.ts";

export interface AlertTransition {
  key: string;
  kind: AlertKind;
  direction: LinkDirection | null;
  transition: "raised" | "cleared";
  detail: Record<string, string | number | boolean | null>;
}

export interface LineOutcome {
  verdict: LineVerdict;
  transitions: AlertTransition[];
}

function readingTransition(raised: boolean, readings: readonly { atMs: number; bad: boolean }[], policy: VerdictPolicy, nowMs: number): "raised" | "cleared" | null {
  const fresh = readings.filter((r) => r.atMs >= nowMs - policy.staleAfterMs && r.atMs <= nowMs);
  const newest = fresh.at(-1);
  if (!newest) return null;
  if (!raised) return newest.bad ? "raised" : null;
  const need = Math.min(policy.clearAfterGoodTests, RECENT_READINGS);
  const last = fresh.slice(-need);
  return last.length === need && last.every((r) => !r.bad) ? "cleared" : null;
}

export function evaluateLineState(state: LineState, profile: LineProfile, policy: VerdictPolicy, nowMs: number): LineOutcome {
  const wan = state.wanRates.at(-1);
  const optical = state.opticalRx.at(-1);
  const verdict = evaluateLine(profile, {
    download: state.download,
    upload: state.upload,
    wanRate: wan && { atMs: wan.atMs, downloadBps: wan.bps, uploadBps: wan.bps },
    opticalRx: optical,
  }, policy, nowMs);
  const transitions: AlertTransition[] = [];

  for (const direction of ["download", "upload"] as const) {
    const key = alertKey("below_minimum", direction);
    const open = state.alerts[key];
    const step = nextAlertState(open ? { raised: true, raisedAtMs: open.raisedAtMs } : CLEAR_ALERT, { tests: state[direction], range: profile[direction] }, policy, nowMs);
    if (step.transition) {
      const v = verdict[direction];
      transitions.push({
        key, kind: "below_minimum", direction, transition: step.transition,
        detail: {
          minBps: profile[direction].minBps, testsConsidered: v.testsConsidered, testsBelowMinimum: v.testsBelowMinimum,
          daysBelowMinimum: v.daysBelowMinimum, consecutiveGood: step.consecutiveGood,
        },
      });
    }
  }

  const maxBps = Math.max(profile.download.maxBps, profile.upload.maxBps);
  const capped = readingTransition(!!state.alerts.capacity_capped, state.wanRates.map((r) => ({ atMs: r.atMs, bad: r.bps < maxBps })), policy, nowMs);
  if (capped) {
    transitions.push({ key: "capacity_capped", kind: "capacity_capped", direction: null, transition: capped, detail: { wanBps: wan?.bps ?? null, advertisedMaxBps: maxBps } });
  }

  const rx = profile.opticalRx ?? DEFAULT_OPTICAL_RX;
  const out = readingTransition(!!state.alerts.optical_out_of_range, state.opticalRx.map((r) => ({ atMs: r.atMs, bad: r.dbm1000 < rx.minDbm1000 || r.dbm1000 > rx.maxDbm1000 })), policy, nowMs);
  if (out) {
    transitions.push({
      key: "optical_out_of_range", kind: "optical_out_of_range", direction: null, transition: out,
      detail: { opticalRxDbm: optical ? optical.dbm1000 / 1000 : null, minDbm: rx.minDbm1000 / 1000, maxDbm: rx.maxDbm1000 / 1000 },
    });
  }
  return { verdict, transitions };
}

/** Why a direction has its verdict, in words (evidence report, dashboards). */
export function explainVerdict(v: LineVerdict[LinkDirection], profile: LineProfile, direction: LinkDirection, policy: VerdictPolicy): string[] {
  const r = profile[direction];
  const mb = (bps: number): string => `${(bps / 1e6).toFixed(1)} Mb/s`;
  const why: string[] = [];
  for (const code of v.codes) {
    switch (code) {
      case "below_minimum":
        why.push(`${v.testsBelowMinimum} of the last ${v.testsConsidered} tests under the minimum ${mb(r.minBps)}, on ${v.daysBelowMinimum} different days (rule: ${policy.belowMinimumCount} of ${policy.window} on ${policy.belowMinimumDays} days)`);
        break;
      case "below_normal":
        why.push(`the normally available ${mb(r.normalBps)} reached in ${Math.round((v.normalReachedShare ?? 0) * 100)} % of the last ${v.testsConsidered} tests (rule: at least ${Math.round(policy.normalReachedShare * 100)} %)`);
        break;
      case "capacity_capped":
        why.push(`the WAN port negotiated ${mb(v.wanBps ?? 0)}, under the advertised maximum ${mb(r.maxBps)}`);
        break;
      case "optical_out_of_range":
        why.push(`optical receive level ${v.opticalRxDbm} dBm outside the receiver's window`);
        break;
      case "no_recent_data":
        why.push(`no speed test in the last ${Math.round(policy.staleAfterMs / 86_400_000)} days`);
        break;
      case "conforming":
        why.push(`${v.testsConsidered} recent tests within the advertised range (${mb(r.minBps)} minimum, ${mb(r.normalBps)} normally available)`);
        break;
    }
  }
  return why;
}
