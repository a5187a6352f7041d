// Line evaluation (verdicts and every alert's hysteresis), the line-state fold,
// rollups, signed test URLs, the line-range adapter and the simulated line
// behaviours: the pure parts of link-rate monitoring.

import { describe, expect, it } from "vitest";
import { evaluateLineState, explainVerdict } from "../../acs/linkrate/line-evaluation.ts";
import { lineProfileOf } from "../../acs/linkrate/linkrate-lines.ts";
import { emptyLineState, foldSamples, RECENT_TESTS, type LineState, type Measurement } from "../../acs/linkrate/measurement.ts";
import { DEFAULT_VERDICT_POLICY, type LineProfile } from "../../acs/linkrate/policy.ts";
import { rollUp } from "../../acs/linkrate/rollup.ts";
import { speedTestUrl, testServerOf } from "../../acs/linkrate/speedtest-endpoints.ts";
import { checkWindows } from "../../acs/linkrate/speedtest-scheduler.ts";
import { isPeakHour, testRateMbps } from "../../agent/drivers/sim/line-behaviour.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-10T12:00:00+01:00");
const PROFILE: LineProfile = lineProfileOf({ rates: { download: { min: 30, max: 100 }, upload: { min: 10, max: 50 } } });
const policy = DEFAULT_VERDICT_POLICY;

const tests = (mbps: number[]) => mbps.map((m, i) => ({ atMs: NOW - (mbps.length - i) * DAY / 2, bps: m * 1e6 }));
const state = (over: Partial<LineState>): LineState => ({ ...emptyLineState("L1"), ...over });

describe("line evaluation", () => {
  it("derives the normally available speed from the maximum when a line states none", () => {
    expect(PROFILE.download).toEqual({ minBps: 30e6, normalBps: 80e6, maxBps: 100e6 });
    expect(lineProfileOf({ rates: { download: { min: 30, max: 100 }, upload: { min: 40, max: 45 } } }, 0.5).upload.normalBps).toBe(40e6);
  });

  it("raises below_minimum on 3 bad tests of 5 over 2 days, and explains it", () => {
    const out = evaluateLineState(state({ download: tests([90, 10, 90, 10, 10]), upload: tests([40, 40, 40, 40, 40]) }), PROFILE, policy, NOW);
    expect(out.verdict.download.codes).toEqual(["below_minimum", "below_normal"]);
    expect(out.verdict.upload.codes).toEqual(["conforming"]);
    expect(out.transitions.map((t) => [t.key, t.transition])).toEqual([["below_minimum:download", "raised"]]);
    expect(explainVerdict(out.verdict.download, PROFILE, "download", policy)[0]).toBe(
      "3 of the last 5 tests under the minimum 30.0 Mb/s, on 3 different days (rule: 3 of 5 on 2 days)");
  });

  it("keeps a raised speed alert through one good test and clears it after three", () => {
    const alerts = { "below_minimum:download": { id: "a1", raisedAtMs: NOW - 3 * DAY } };
    const oneGood = evaluateLineState(state({ download: tests([10, 10, 10, 10, 90]), alerts }), PROFILE, policy, NOW);
    expect(oneGood.transitions).toEqual([]);
    const threeGood = evaluateLineState(state({ download: tests([10, 10, 90, 90, 90]), alerts }), PROFILE, policy, NOW);
    expect(threeGood.transitions.map((t) => [t.key, t.transition])).toEqual([["below_minimum:download", "cleared"]]);
  });

  it("raises capacity capped on a fresh WAN rate under the advertised maximum, clears after three good readings", () => {
    const r = (bps: number, ago: number) => ({ atMs: NOW - ago, bps });
    const GIGA = lineProfileOf({ rates: { download: { min: 30, max: 1000 }, upload: { min: 10, max: 1000 } } });
    const raised = evaluateLineState(state({ wanRates: [r(100e6, 1000)] }), GIGA, policy, NOW);
    expect(raised.verdict.download.codes).toEqual(["capacity_capped", "no_recent_data"]);
    expect(raised.transitions.map((t) => [t.key, t.transition, t.detail.wanBps])).toEqual([["capacity_capped", "raised", 100e6]]);
    const alerts = { capacity_capped: { id: "c1", raisedAtMs: NOW - DAY } };
    expect(evaluateLineState(state({ wanRates: [r(100e6, 3000), r(1e9, 2000), r(1e9, 1000)], alerts }), GIGA, policy, NOW).transitions).toEqual([]);
    expect(evaluateLineState(state({ wanRates: [r(1e9, 3000), r(1e9, 2000), r(1e9, 1000)], alerts }), GIGA, policy, NOW).transitions.map((t) => t.transition)).toEqual(["cleared"]);
    // Silence is not recovery: only stale readings keep the alert.
    expect(evaluateLineState(state({ wanRates: [r(1e9, 9 * DAY), r(1e9, 9 * DAY), r(1e9, 9 * DAY)], alerts }), GIGA, policy, NOW).transitions).toEqual([]);
  });

  it("raises optical out of range under the receiver's sensitivity", () => {
    const out = evaluateLineState(state({ opticalRx: [{ atMs: NOW - 1000, dbm1000: -29_500 }] }), PROFILE, policy, NOW);
    expect(out.verdict.upload.codes).toEqual(["optical_out_of_range", "no_recent_data"]);
    expect(out.transitions[0]).toMatchObject({ key: "optical_out_of_range", transition: "raised", detail: { opticalRxDbm: -29.5, minDbm: -27 } });
  });
});

describe("line state and rollups", () => {
  const m = (over: Partial<Measurement>): Measurement => ({ atMs: NOW, lineId: "L1", deviceId: "D", direction: "download", method: "speed_test", value: 1, context: {}, ...over });

  it("keeps the newest tests per direction, in time order, and ignores traffic", () => {
    const many = Array.from({ length: RECENT_TESTS + 3 }, (_, i) => m({ atMs: NOW - i * 1000, value: i }));
    const s = foldSamples(emptyLineState("L1"), [...many, m({ method: "traffic", value: 99 })]);
    expect(s.download.map((t) => t.bps)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(s.upload).toEqual([]);
  });

  it("rolls samples up per series and aligned interval, median being a sample value", () => {
    const r = rollUp([m({ method: "traffic", value: 4 }), m({ method: "traffic", value: 1, atMs: NOW + 1 }), m({ method: "traffic", value: 7, atMs: NOW + 2 }), m({ method: "traffic", value: 2, atMs: NOW + 3 })], DAY);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ count: 4, min: 1, median: 2, max: 7, startMs: Math.floor(NOW / DAY) * DAY });
  });
});

describe("test URLs, windows and simulated behaviours", () => {
  it("signs test URLs and strips the signature from the evidence", () => {
    const url = speedTestUrl("http://127.0.0.1:7547/cwmp", "k", "download", 25_000_000, NOW, 3_600_000);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:7547\/speedtest\/download\?bytes=25000000&exp=\d+&sig=[A-Za-z0-9_-]{32}$/);
    expect(url.length).toBeLessThanOrEqual(256); // TR-143 DownloadURL
    expect(testServerOf(url)).toBe("http://127.0.0.1:7547/speedtest/download");
  });

  it("refuses a window that ends before it starts or is not HH:MM", () => {
    expect(() => checkWindows([{ name: "night", start: "23:00", end: "02:00" }])).toThrow(/start must be before end/);
    expect(() => checkWindows([{ name: "x", start: "7:00", end: "08:00" }])).toThrow(/HH:MM/);
  });

  it("degrades at the Paris evening peak, flaps test after test, caps a 100 Mb/s port", () => {
    const peak = Date.parse("2026-07-01T20:30:00+02:00");
    const night = Date.parse("2026-07-01T04:00:00+02:00");
    expect([isPeakHour(peak), isPeakHour(night), isPeakHour(Date.parse("2026-07-01T23:00:00+02:00"))]).toEqual([true, false, false]);
    expect(testRateMbps({ kind: "peak_degrading" }, 100, peak, 0)).toBe(50);
    expect(testRateMbps({ kind: "peak_degrading" }, 100, night, 0)).toBe(100);
    expect([0, 1, 2, 3].map((i) => testRateMbps({ kind: "flapping" }, 100, night, i))).toEqual([15, 100, 15, 100]);
    expect(testRateMbps({ kind: "wan_port_100" }, 940, night, 0)).toBe(94);
    expect(testRateMbps({ kind: "below_minimum" }, 100, night, 0)).toBe(15);
  });
});
