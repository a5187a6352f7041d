import { describe, expect, it } from "vitest";
import { counterRate, type CounterSample, type RatePolicy } from "../../agent/measurements/counter-rate.ts";

const TWO_53 = 1n << 53n;
const TWO_64 = 1n << 64n;
const TWO_32 = 1n << 32n;
const s = (atMs: number, value: bigint, uptimeMs?: number): CounterSample => ({ atMs, value, uptimeMs });
const hc: RatePolicy = { bits: 64, lineSpeedBps: 1e9 };

describe("counter rates, 64-bit", () => {
  it("first sample is a baseline, not a rate", () => {
    const step = counterRate(undefined, s(0, 5n), hc);
    expect(step.outcome).toEqual({ kind: "baseline" });
    expect(step.baseline).toEqual(s(0, 5n));
  });

  it("is exact above 2^53, where JS numbers cannot count bytes", () => {
    const a = TWO_53 + 1n; // 9007199254740993 is not a JS number
    const step = counterRate(s(1_000, a), s(2_000, a + 125_000_001n), hc);
    expect(step.outcome).toEqual({ kind: "rate", bps: 1_000_000_008, deltaBytes: 125_000_001n, intervalMs: 1000, wrapped: false });
  });

  it("handles a wrap past 2^64", () => {
    const step = counterRate(s(0, TWO_64 - 1000n), s(1000, 500n), { ...hc, allOnesIsNoData: false });
    expect(step.outcome).toMatchObject({ kind: "rate", deltaBytes: 1500n, bps: 12_000, wrapped: true });
  });

  it("a large backwards jump is a reset (cleared counter), never a negative or huge rate", () => {
    const step = counterRate(s(0, 1_000_000_000_000n), s(60_000, 1_000n), hc);
    expect(step.outcome).toEqual({ kind: "reset", reason: "counter_backwards" });
    expect(step.baseline?.value).toBe(1_000n); // the next interval starts from the new value
    const next = counterRate(step.baseline, s(61_000, 1_000n + 1_250_000n), hc);
    expect(next.outcome).toMatchObject({ kind: "rate", bps: 10_000_000 });
  });

  it("without a known line speed, backwards is still a reset unless a wrap is credible", () => {
    const noLine: RatePolicy = { bits: 64 };
    expect(counterRate(s(0, 10_000_000n), s(1000, 10n), noLine).outcome).toMatchObject({ kind: "reset" });
    expect(counterRate(s(0, TWO_64 - 10n), s(1000, 10n), { ...noLine, allOnesIsNoData: false }).outcome).toMatchObject({ kind: "rate", deltaBytes: 20n });
  });

  it("uptime going down means a reboot: no rate for that interval", () => {
    const step = counterRate(s(0, 900_000n, 3_600_000), s(60_000, 950_000n, 1_000), hc);
    expect(step.outcome).toEqual({ kind: "reset", reason: "uptime" });
  });

  it("uptime shorter than the interval means a reboot even if it grew past the old value", () => {
    // booted 200 s ago, but the last read was 300 s ago when uptime was 10 s
    const step = counterRate(s(0, 5_000n, 10_000), s(300_000, 9_000_000n, 200_000), hc);
    expect(step.outcome).toEqual({ kind: "reset", reason: "uptime" });
  });

  it("uptime that grew with the interval is normal", () => {
    const step = counterRate(s(0, 0n, 10_000), s(60_000, 7_500_000n, 70_000), hc);
    expect(step.outcome).toMatchObject({ kind: "rate", bps: 1_000_000 });
  });

  it("rejects a rate above line speed × tolerance as absurd, accepts one within it", () => {
    const line100: RatePolicy = { bits: 64, lineSpeedBps: 100e6 };
    const within = counterRate(s(0, 0n), s(1000, 13_000_000n), line100); // 104 Mbit/s ≤ 105
    expect(within.outcome).toMatchObject({ kind: "rate", bps: 104_000_000 });
    const absurd = counterRate(s(0, 0n), s(1000, 25_000_000n), line100); // 200 Mbit/s
    expect(absurd.outcome).toEqual({ kind: "absurd", bps: 200_000_000, ceilingBps: 105_000_000 });
    expect(absurd.baseline?.value).toBe(25_000_000n);
  });

  it("ignores the StatsCounter64 'no data' value and keeps the previous baseline", () => {
    const prev = s(0, 1_000n);
    const none = counterRate(prev, s(1000, TWO_64 - 1n), hc);
    expect(none).toEqual({ outcome: { kind: "no_data" }, baseline: prev });
    const later = counterRate(none.baseline, s(2000, 251_000n), hc);
    expect(later.outcome).toMatchObject({ kind: "rate", bps: 1_000_000, intervalMs: 2000 });
  });

  it("counts all ones as a value when the source has no sentinel (SNMP)", () => {
    const step = counterRate(s(0, TWO_64 - 101n), s(1000, TWO_64 - 1n), { ...hc, allOnesIsNoData: false });
    expect(step.outcome).toMatchObject({ kind: "rate", deltaBytes: 100n });
  });

  it("rejects values that do not fit the counter, and non-increasing sample times", () => {
    expect(counterRate(s(0, 1n), s(1000, TWO_64), hc).outcome).toEqual({ kind: "invalid_value" });
    expect(counterRate(s(0, 1n), s(1000, -1n), hc).outcome).toEqual({ kind: "invalid_value" });
    expect(counterRate(s(1000, 1n), s(1000, 2n), hc).outcome).toEqual({ kind: "bad_interval", intervalMs: 0 });
  });
});

describe("counter rates, 32-bit", () => {
  const c32: RatePolicy = { bits: 32, lineSpeedBps: 1e9 };

  it("handles a wrap through zero", () => {
    const step = counterRate(s(0, TWO_32 - 100n), s(10_000, 150n), c32);
    expect(step.outcome).toMatchObject({ kind: "rate", deltaBytes: 250n, bps: 200, wrapped: true });
  });

  it("ignores the StatsCounter32 'no data' value", () => {
    expect(counterRate(s(0, 1n), s(1000, TWO_32 - 1n), c32).outcome).toEqual({ kind: "no_data" });
    expect(counterRate(s(0, 1n), s(1000, TWO_32), c32).outcome).toEqual({ kind: "invalid_value" });
  });

  it("says ambiguous when the interval is long enough for more than one wrap at line speed", () => {
    // 2^32 bytes at 1.05 Gbit/s take ~32.7 s: a 60 s interval cannot be resolved
    const step = counterRate(s(0, 1_000n), s(60_000, 2_000n), c32);
    expect(step.outcome).toEqual({ kind: "ambiguous", intervalMs: 60_000, maxUnambiguousMs: 32_723 });
  });

  it("a backwards step more than the line could carry is a reset", () => {
    const step = counterRate(s(0, 4_000_000_000n), s(1000, 1_000_000_000n), { bits: 32, lineSpeedBps: 10e6 });
    expect(step.outcome).toEqual({ kind: "reset", reason: "counter_backwards" });
  });
});
