// Interface byte counters → traffic rate in bit/s, one interval at a time.
//
// Counters are BigInt end to end: a Counter64 above 2^53 is not representable
// as a JS number, and the delta of two nearby huge values must stay exact.
// Each step takes the previous baseline and a new sample and returns the rate
// (or why there is none) plus the baseline for the next step, so the caller
// keeps one small state per counter and the function stays pure.
//
// Practice this follows (market-anchors.md §5): Zabbix drops a delta when the
// counter goes backwards and moves its history to the new sample; LibreNMS
// clamps negative rates to 0. Here a backwards step that a single wrap explains
// is a wrap; anything else is a reset, and a reset yields no rate at all rather
// than 0, which would read as "line idle".

export type CounterBits = 32 | 64;

export interface CounterSample {
  /** When the counter was read, epoch ms (or any monotonic ms clock, used consistently). */
  atMs: number;
  /** Raw counter value. */
  value: bigint;
  /** Device uptime at the read (TR-069 DeviceInfo.UpTime × 1000, or sysUpTime × 10), if known. */
  uptimeMs?: number | undefined;
}

export interface RatePolicy {
  bits: CounterBits;
  /** Current line speed in bit/s (e.g. ifHighSpeed × 10^6); 0 or absent = unknown. */
  lineSpeedBps?: number | undefined;
  /** A rate above lineSpeedBps × tolerance is absurd (framing overhead, clock jitter). Default 1.05. */
  tolerance?: number | undefined;
  /** Ceiling used instead of the line speed when it is unknown. Default 100 Gbit/s. */
  fallbackMaxBps?: number | undefined;
  /**
   * TR-106 StatsCounter32/64: all ones means "no data" [tr069.md §4.2]. True by
   * default; an SNMP Counter64 has no such sentinel, so the SNMP driver turns it off.
   */
  allOnesIsNoData?: boolean | undefined;
  /** Slack when comparing uptime with elapsed time (uptime granularity, poll latency). Default 2000 ms. */
  uptimeSlackMs?: number | undefined;
}

export type RateOutcome =
  | { kind: "rate"; bps: number; deltaBytes: bigint; intervalMs: number; wrapped: boolean }
  /** First usable sample: nothing to compare with yet. */
  | { kind: "baseline" }
  /** The sample carried the "no data" sentinel: ignored, the previous baseline is kept. */
  | { kind: "no_data" }
  /** The value does not fit the counter width (negative or ≥ 2^bits): ignored. */
  | { kind: "invalid_value" }
  /** Sample time not after the baseline's: no rate, the sample becomes the baseline. */
  | { kind: "bad_interval"; intervalMs: number }
  /** The device restarted or the counter was cleared during the interval. */
  | { kind: "reset"; reason: "uptime" | "counter_backwards" }
  /** A 32-bit counter over an interval long enough to wrap more than once at line speed. */
  | { kind: "ambiguous"; intervalMs: number; maxUnambiguousMs: number }
  /** Faster than the line can carry: an undetected reset or a bogus counter. */
  | { kind: "absurd"; bps: number; ceilingBps: number };

export interface RateStep {
  outcome: RateOutcome;
  /** Baseline for the next step. */
  baseline: CounterSample | undefined;
}

const MODULUS: Record<CounterBits, bigint> = { 32: 1n << 32n, 64: 1n << 64n };
export const DEFAULT_TOLERANCE = 1.05;
export const DEFAULT_FALLBACK_MAX_BPS = 100e9;
export const DEFAULT_UPTIME_SLACK_MS = 2000;

export function counterRate(prev: CounterSample | undefined, curr: CounterSample, policy: RatePolicy): RateStep {
  const modulus = MODULUS[policy.bits];
  if (curr.value < 0n || curr.value >= modulus) return { outcome: { kind: "invalid_value" }, baseline: prev };
  if ((policy.allOnesIsNoData ?? true) && curr.value === modulus - 1n) return { outcome: { kind: "no_data" }, baseline: prev };
  if (!prev) return { outcome: { kind: "baseline" }, baseline: curr };

  const next = (outcome: RateOutcome): RateStep => ({ outcome, baseline: curr });
  const intervalMs = curr.atMs - prev.atMs;
  if (!(intervalMs > 0)) return next({ kind: "bad_interval", intervalMs });

  // Uptime lower than before, or lower than the time elapsed since the last
  // read, means the device booted inside the interval, whatever the counters say.
  if (prev.uptimeMs !== undefined && curr.uptimeMs !== undefined) {
    const slack = policy.uptimeSlackMs ?? DEFAULT_UPTIME_SLACK_MS;
    if (curr.uptimeMs + slack < prev.uptimeMs || curr.uptimeMs + slack < intervalMs) {
      return next({ kind: "reset", reason: "uptime" });
    }
  }

  const lineKnown = policy.lineSpeedBps !== undefined && policy.lineSpeedBps > 0;
  const ceilingBps = lineKnown
    ? policy.lineSpeedBps! * (policy.tolerance ?? DEFAULT_TOLERANCE)
    : (policy.fallbackMaxBps ?? DEFAULT_FALLBACK_MAX_BPS);
  const maxBytes = (ceilingBps * intervalMs) / 8000;

  // A 32-bit counter at 1 Gbit/s wraps every ~34 s: past that, the true delta is
  // the observed one plus an unknown number of 2^32 wraps. Only decidable when
  // the line speed is known.
  if (lineKnown && maxBytes >= Number(modulus)) {
    const maxUnambiguousMs = Math.floor((Number(modulus) * 8000) / ceilingBps);
    return next({ kind: "ambiguous", intervalMs, maxUnambiguousMs });
  }

  let deltaBytes = curr.value - prev.value;
  const wrapped = deltaBytes < 0n;
  if (wrapped) {
    deltaBytes += modulus;
    // A wrap is only credible if the wrapped delta fits what the line could
    // carry; a large backwards jump (e.g. 10^12 → 10^3) is a cleared counter.
    if (Number(deltaBytes) > maxBytes) return next({ kind: "reset", reason: "counter_backwards" });
  }
  const bps = (Number(deltaBytes) * 8000) / intervalMs;
  if (bps > ceilingBps) return next({ kind: "absurd", bps, ceilingBps });
  return next({ kind: "rate", bps, deltaBytes, intervalMs, wrapped });
}
