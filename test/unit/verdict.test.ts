import { describe, expect, it } from "vitest";
import { DEFAULT_VERDICT_POLICY as P, validateLineProfile, validateVerdictPolicy, type LineProfile } from "../../acs/linkrate/policy.ts";
import { evaluateLine, nextAlertState, type AlertState, type LineMeasurements, type SpeedTest } from "../../acs/linkrate/verdict.ts";

const M = 1_000_000;
// A 1 Gb/s line: download min 300 / normal 700 / max 1000; upload min 100 / normal 300 / max 500.
const profile: LineProfile = {
  download: { minBps: 300 * M, normalBps: 700 * M, maxBps: 1000 * M },
  upload: { minBps: 100 * M, normalBps: 300 * M, maxBps: 500 * M },
};
const at = (iso: string) => Date.parse(iso);
const t = (iso: string, mbps: number): SpeedTest => ({ atMs: at(iso), bps: mbps * M });
const lineWith = (download: SpeedTest[], extra: Partial<LineMeasurements> = {}): LineMeasurements => ({
  download,
  upload: download.map((x) => ({ atMs: x.atMs, bps: 400 * M })),
  ...extra,
});
const GOOD = 950;
const BAD = 120;

describe("verdicts", () => {
  const now = at("2026-05-10T12:00:00Z");
  const days = ["2026-05-06", "2026-05-07", "2026-05-08", "2026-05-09", "2026-05-10"];

  it("conforming when tests reach the normal speed", () => {
    const v = evaluateLine(profile, lineWith(days.map((d) => t(`${d}T09:00:00Z`, GOOD))), P, now);
    expect(v.download).toMatchObject({ primary: "conforming", codes: ["conforming"], testsConsidered: 5, normalReachedShare: 1 });
    expect(v.upload.primary).toBe("conforming");
  });

  it("below_minimum: 3 of the last 5 tests under the minimum, on 2 different days", () => {
    const tests = [t("2026-05-06T09:00:00Z", GOOD), t("2026-05-07T09:00:00Z", BAD), t("2026-05-08T09:00:00Z", GOOD), t("2026-05-09T19:00:00Z", BAD), t("2026-05-09T20:00:00Z", BAD)];
    const v = evaluateLine(profile, lineWith(tests), P, now).download;
    expect(v).toMatchObject({ primary: "below_minimum", testsBelowMinimum: 3, daysBelowMinimum: 2 });
    expect(v.codes).toContain("below_normal"); // only 2 of 5 reach 700
  });

  it("not below_minimum when the bad tests fall on a single day (one bad evening)", () => {
    const tests = [t("2026-05-06T09:00:00Z", GOOD), t("2026-05-07T09:00:00Z", GOOD), t("2026-05-09T18:00:00Z", BAD), t("2026-05-09T19:00:00Z", BAD), t("2026-05-09T20:00:00Z", BAD)];
    const v = evaluateLine(profile, lineWith(tests), P, now).download;
    expect(v).toMatchObject({ testsBelowMinimum: 3, daysBelowMinimum: 1 });
    expect(v.codes).not.toContain("below_minimum");
  });

  it("only the last 5 tests count", () => {
    const old = [t("2026-05-01T09:00:00Z", BAD), t("2026-05-02T09:00:00Z", BAD), t("2026-05-03T09:00:00Z", BAD)];
    const v = evaluateLine(profile, lineWith([...old, ...days.map((d) => t(`${d}T09:00:00Z`, GOOD))]), P, now).download;
    expect(v).toMatchObject({ primary: "conforming", testsConsidered: 5, testsBelowMinimum: 0 });
  });

  it("accepts tests out of order", () => {
    const tests = [t("2026-05-09T09:00:00Z", BAD), t("2026-05-01T09:00:00Z", GOOD), t("2026-05-08T09:00:00Z", BAD), t("2026-05-10T09:00:00Z", BAD)];
    expect(evaluateLine(profile, lineWith(tests), P, now).download.primary).toBe("below_minimum");
  });

  it("below_normal: the normally available speed is not reached in most tests", () => {
    const mk = (reached: number) => days.map((d, i) => t(`${d}T09:00:00Z`, i < reached ? 800 : 500)); // 500 ≥ min, < normal
    expect(evaluateLine(profile, lineWith(mk(2)), P, now).download.codes).toEqual(["below_normal"]);
    expect(evaluateLine(profile, lineWith(mk(3)), P, now).download.codes).toEqual(["conforming"]);
    // the stricter regulator reading (BNetzA: reached in 90 % of measurements)
    expect(evaluateLine(profile, lineWith(mk(4)), { ...P, normalReachedShare: 0.9 }, now).download.codes).toEqual(["below_normal"]);
  });

  it("below_normal needs a full window of tests", () => {
    const v = evaluateLine(profile, lineWith([t("2026-05-09T09:00:00Z", 500), t("2026-05-10T09:00:00Z", 500)]), P, now).download;
    expect(v).toMatchObject({ codes: ["conforming"], testsConsidered: 2, normalReachedShare: 0 });
  });

  it("capacity_capped: a WAN port negotiated at 100 Mb/s on a 1 Gb/s line", () => {
    const tests = days.map((d) => t(`${d}T09:00:00Z`, 94));
    const v = evaluateLine(profile, lineWith(tests, { wanRate: { atMs: now - 3_600_000, downloadBps: 100 * M, uploadBps: 100 * M } }), P, now);
    expect(v.download).toMatchObject({ primary: "below_minimum", wanBps: 100 * M });
    expect(v.download.codes).toEqual(["below_minimum", "below_normal", "capacity_capped"]);
    expect(v.upload.codes).toEqual(["capacity_capped"]); // 100 < upload max 500, tests themselves fine
    const gig = evaluateLine(profile, lineWith(days.map((d) => t(`${d}T09:00:00Z`, GOOD)), { wanRate: { atMs: now, downloadBps: 1000 * M, uploadBps: 1000 * M } }), P, now);
    expect(gig.download.codes).toEqual(["conforming"]);
  });

  it("optical_out_of_range: Dbm1000 receive level outside the profile's window", () => {
    const tests = days.map((d) => t(`${d}T09:00:00Z`, GOOD));
    const weak = evaluateLine(profile, lineWith(tests, { opticalRx: { atMs: now, dbm1000: -29_500 } }), P, now);
    expect(weak.download).toMatchObject({ codes: ["optical_out_of_range"], opticalRxDbm: -29.5 });
    expect(weak.upload.codes).toEqual(["optical_out_of_range"]);
    const ok = evaluateLine(profile, lineWith(tests, { opticalRx: { atMs: now, dbm1000: -19_870 } }), P, now);
    expect(ok.download).toMatchObject({ codes: ["conforming"], opticalRxDbm: -19.87 });
    const strict = { ...profile, opticalRx: { minDbm1000: -18_000, maxDbm1000: -10_000 } };
    expect(evaluateLine(strict, lineWith(tests, { opticalRx: { atMs: now, dbm1000: -19_870 } }), P, now).download.primary).toBe("optical_out_of_range");
  });

  it("no_recent_data: stale tests assert nothing about today, stale readings are ignored", () => {
    const eightDaysAgo = now - 8 * 86_400_000;
    const tests = [0, 1, 2, 3, 4].map((i) => ({ atMs: eightDaysAgo - i * 86_400_000, bps: BAD * M }));
    const v = evaluateLine(profile, lineWith(tests, { wanRate: { atMs: eightDaysAgo, downloadBps: 10 * M, uploadBps: 10 * M }, opticalRx: { atMs: eightDaysAgo, dbm1000: -35_000 } }), P, now);
    expect(v.download).toMatchObject({ primary: "no_recent_data", codes: ["no_recent_data"], wanBps: null, opticalRxDbm: null });
    expect(evaluateLine(profile, lineWith([]), P, now).download.codes).toEqual(["no_recent_data"]);
  });
});

describe("below_minimum counts Europe/Paris days", () => {
  const bad = (iso: string) => t(iso, BAD);
  const v = (tests: SpeedTest[], nowIso: string) => evaluateLine(profile, lineWith(tests), P, at(nowIso)).download;

  it("across midnight in Paris: 23:30 and 00:30 Paris are two days though the same UTC date", () => {
    // summer, UTC+2: 21:30Z = 23:30 on 14 June, 22:30Z = 00:30 on 15 June
    const r = v([bad("2026-06-14T21:00:00Z"), bad("2026-06-14T21:30:00Z"), bad("2026-06-14T22:30:00Z")], "2026-06-15T08:00:00Z");
    expect(r).toMatchObject({ daysBelowMinimum: 2, primary: "below_minimum" });
  });

  it("one Paris day spanning two UTC dates is one day", () => {
    // winter, UTC+1: 23:30Z on 9 Jan = 00:30 on 10 Jan; all three on 10 Jan in Paris
    const r = v([bad("2026-01-09T23:30:00Z"), bad("2026-01-10T00:30:00Z"), bad("2026-01-10T19:00:00Z")], "2026-01-10T20:00:00Z");
    expect(r).toMatchObject({ daysBelowMinimum: 1 });
    expect(r.codes).not.toContain("below_minimum");
  });

  it("the autumn DST day is 25 hours long and still one day", () => {
    // 25 Oct 2026 in Paris runs from 24 Oct 22:00Z (UTC+2) to 25 Oct 23:00Z (UTC+1)
    const sameDay = [bad("2026-10-24T22:30:00Z"), bad("2026-10-25T12:00:00Z"), bad("2026-10-25T22:30:00Z")];
    const r = v(sameDay, "2026-10-26T08:00:00Z");
    expect(r).toMatchObject({ testsBelowMinimum: 3, daysBelowMinimum: 1 });
    expect(r.codes).not.toContain("below_minimum");
    // 23:30Z is already 00:30 on 26 Oct (UTC+1 since the change): a second day
    const r2 = v([...sameDay, bad("2026-10-25T23:30:00Z")], "2026-10-26T08:00:00Z");
    expect(r2).toMatchObject({ daysBelowMinimum: 2, primary: "below_minimum" });
  });

  it("the spring DST day is 23 hours long", () => {
    // 29 Mar 2026 in Paris runs from 28 Mar 23:00Z (UTC+1) to 29 Mar 22:00Z (UTC+2)
    const r = v([bad("2026-03-28T23:30:00Z"), bad("2026-03-29T12:00:00Z"), bad("2026-03-29T21:30:00Z")], "2026-03-30T08:00:00Z");
    expect(r).toMatchObject({ daysBelowMinimum: 1 });
    const r2 = v([bad("2026-03-28T23:30:00Z"), bad("2026-03-29T12:00:00Z"), bad("2026-03-29T22:30:00Z")], "2026-03-30T08:00:00Z");
    expect(r2).toMatchObject({ daysBelowMinimum: 2, primary: "below_minimum" }); // 22:30Z = 00:30 on 30 Mar
  });
});

describe("below_minimum alert with hysteresis", () => {
  /** Feeds tests one by one (one evaluation per new test) and returns the transitions. */
  function run(seq: Array<[string, number]>, policy = P) {
    let state: AlertState | undefined;
    const tests: SpeedTest[] = [];
    const transitions: string[] = [];
    for (const [iso, mbps] of seq) {
      tests.push(t(iso, mbps));
      const step = nextAlertState(state, { tests, range: profile.download }, policy, at(iso) + 60_000);
      state = step.state;
      if (step.transition) transitions.push(`${step.transition}@${iso.slice(5, 10)}`);
    }
    return { transitions, state: state! };
  }
  // Alternating bad and good tests, one a day: a line that is intermittently under its minimum.
  const alternating: Array<[string, number]> = [
    ["2026-05-01T20:00:00Z", BAD],
    ["2026-05-02T20:00:00Z", GOOD],
    ["2026-05-03T20:00:00Z", BAD],
    ["2026-05-04T20:00:00Z", GOOD],
    ["2026-05-05T20:00:00Z", BAD], // 3 of 5 on 3 days: raise
    ["2026-05-06T20:00:00Z", GOOD], // 2 of 5 now: one good test must not clear
    ["2026-05-07T20:00:00Z", BAD],
    ["2026-05-08T20:00:00Z", GOOD],
    ["2026-05-09T20:00:00Z", BAD],
  ];
  const recovery: Array<[string, number]> = [
    ["2026-05-10T20:00:00Z", GOOD],
    ["2026-05-11T20:00:00Z", GOOD],
    ["2026-05-12T20:00:00Z", GOOD], // third consecutive good test: clear
    ["2026-05-13T20:00:00Z", GOOD],
  ];

  it("raises once and does not flap on single good tests", () => {
    const r = run(alternating);
    expect(r.transitions).toEqual(["raised@05-05"]);
    expect(r.state).toEqual({ raised: true, raisedAtMs: at("2026-05-05T20:00:00Z") + 60_000 });
  });

  it("without hysteresis the same line would flap (why clearAfterGoodTests exists)", () => {
    const r = run(alternating, { ...P, clearAfterGoodTests: 1 });
    expect(r.transitions).toEqual(["raised@05-05", "cleared@05-06", "raised@05-07", "cleared@05-08", "raised@05-09"]);
  });

  it("clears after 3 consecutive good tests, not before", () => {
    const r = run([...alternating, ...recovery.slice(0, 2)]);
    expect(r.transitions).toEqual(["raised@05-05"]);
    const cleared = run([...alternating, ...recovery]);
    expect(cleared.transitions).toEqual(["raised@05-05", "cleared@05-12"]);
    expect(cleared.state).toEqual({ raised: false, raisedAtMs: null });
  });

  it("silence is not recovery: a raised alert stays raised without recent tests", () => {
    const r = run(alternating);
    const step = nextAlertState(r.state, { tests: alternating.map(([iso, mbps]) => t(iso, mbps)), range: profile.download }, P, at("2026-05-30T00:00:00Z"));
    expect(step).toMatchObject({ transition: null, state: { raised: true } });
  });

  it("bad tests on a single day do not raise", () => {
    const r = run([["2026-05-01T18:00:00Z", BAD], ["2026-05-01T19:00:00Z", BAD], ["2026-05-01T20:00:00Z", BAD]]);
    expect(r.transitions).toEqual([]);
  });
});

describe("profiles and policy follow the offer's bounds", () => {
  it("accepts a line inside download 30 Mb/s–1 Gb/s and upload 10 Mb/s–1 Gb/s", () => {
    expect(validateLineProfile(profile)).toEqual([]);
    expect(validateLineProfile({ download: { minBps: 30 * M, normalBps: 30 * M, maxBps: 30 * M }, upload: { minBps: 10 * M, normalBps: 10 * M, maxBps: 10 * M } })).toEqual([]);
  });

  it("rejects ranges outside the offer or out of order", () => {
    expect(validateLineProfile({ ...profile, download: { minBps: 20 * M, normalBps: 50 * M, maxBps: 100 * M } })).toEqual(["download: range must lie within the offer's 30–1000 Mb/s"]);
    expect(validateLineProfile({ ...profile, upload: { minBps: 100 * M, normalBps: 300 * M, maxBps: 2000 * M } })).toEqual(["upload: range must lie within the offer's 10–1000 Mb/s"]);
    expect(validateLineProfile({ ...profile, upload: { minBps: 300 * M, normalBps: 100 * M, maxBps: 500 * M } })).toEqual(["upload: expected min ≤ normal ≤ max"]);
  });

  it("the default policy is valid and bad ones are explained", () => {
    expect(validateVerdictPolicy(P)).toEqual([]);
    expect(validateVerdictPolicy({ ...P, belowMinimumCount: 6 })).toEqual(["belowMinimumCount must be in 1..window"]);
  });
});
