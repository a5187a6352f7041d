// The link-rate repository contract (acs/linkrate/measurement-repository.ts),
// run against SQLite and MongoDB (FerretDB) by linkrate-sqlite.test.ts and
// linkrate-mongodb.test.ts.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LinkAlert, Measurement } from "../../acs/linkrate/measurement.ts";
import type { LinkrateRepository } from "../../acs/linkrate/measurement-repository.ts";

export interface LinkrateHarness {
  repo: LinkrateRepository;
  close(): Promise<void>;
}

const HOUR = 3_600_000;
const T0 = Date.parse("2026-03-02T00:00:00Z");

const sample = (over: Partial<Measurement> = {}): Measurement => ({
  atMs: T0, lineId: "L1", deviceId: "A4B1C2-HW-AX3000-HWA1", direction: "download", method: "traffic", value: 1e6, context: {}, ...over,
});

export function describeLinkrateContract(name: string, open: () => Promise<LinkrateHarness>): void {
  describe(name, () => {
    let h: LinkrateHarness;
    let repo: LinkrateRepository;
    beforeEach(async () => {
      h = await open();
      repo = h.repo;
    });
    afterEach(async () => {
      await h.close();
    });

    it("stores samples and lists them oldest first, filtered", async () => {
      await repo.appendSamples([
        sample({ atMs: T0 + 2 * HOUR, value: 3 }),
        sample({ atMs: T0, value: 1, context: { server: "http://acs/speedtest", bytes: 1000 } }),
        sample({ atMs: T0 + HOUR, lineId: "L2", value: 2 }),
        sample({ atMs: T0 + HOUR, method: "optical_rx", direction: null, value: -19_000 }),
      ]);
      const l1 = await repo.listSamples({ lineId: "L1" });
      expect(l1.map((s) => s.value)).toEqual([1, -19_000, 3]);
      expect(l1[0]!.context).toEqual({ server: "http://acs/speedtest", bytes: 1000 });
      expect(l1[1]!.direction).toBeNull();
      expect((await repo.listSamples({ lineId: "L1", method: "traffic", sinceMs: T0 + 1, untilMs: T0 + 3 * HOUR })).map((s) => s.value)).toEqual([3]);
      expect(await repo.listSamples({ limit: 0 })).toEqual([]);
    });

    it("stores a reading reported twice (same series, same millisecond) once", async () => {
      await repo.appendSamples([sample({ value: 1 }), sample({ value: 1 }), sample({ direction: "upload", value: 2 })]);
      await repo.appendSamples([sample({ value: 1 })]);
      expect((await repo.listSamples({ lineId: "L1" })).map((s) => [s.direction, s.value])).toEqual([["download", 1], ["upload", 2]]);
    });

    it("refuses a sample whose value is not a finite number, storing nothing of the batch", async () => {
      await expect(repo.appendSamples([sample(), sample({ value: Number.NaN })])).rejects.toThrow(/finite/);
      expect(await repo.listSamples({})).toEqual([]);
    });

    it("folds speed tests, WAN rates and optical levels into the line state, not traffic", async () => {
      await repo.appendSamples([
        sample({ method: "speed_test", value: 90e6, atMs: T0 + HOUR }),
        sample({ method: "speed_test", value: 80e6, atMs: T0 }),
        sample({ method: "speed_test", direction: "upload", value: 40e6 }),
        sample({ method: "wan_rate", direction: null, value: 100e6 }),
        sample({ method: "optical_rx", direction: null, value: -29_500 }),
        sample({ method: "traffic", value: 5e6 }),
      ]);
      const state = (await repo.getLineStates(["L1", "nope"])).get("L1")!;
      expect(state.download).toEqual([{ atMs: T0, bps: 80e6 }, { atMs: T0 + HOUR, bps: 90e6 }]);
      expect(state.upload).toEqual([{ atMs: T0, bps: 40e6 }]);
      expect(state.wanRates).toEqual([{ atMs: T0, bps: 100e6 }]);
      expect(state.opticalRx).toEqual([{ atMs: T0, dbm1000: -29_500 }]);
      expect(state.verdict).toBeNull();
      expect(await repo.latestSpeeds("download")).toEqual([90e6]);
    });

    it("keeps verdicts and alert keys, counts and filters lines by verdict", async () => {
      await repo.appendSamples([sample({ method: "speed_test", value: 10e6 }), sample({ lineId: "L2", method: "speed_test", value: 90e6 })]);
      await repo.putEvaluations([
        { lineId: "L1", verdict: { atMs: T0, download: ["below_minimum", "below_normal"], upload: ["no_recent_data"] }, alerts: { "below_minimum:download": { id: "a1", raisedAtMs: T0 } } },
        { lineId: "L2", verdict: { atMs: T0, download: ["conforming"], upload: ["no_recent_data"] }, alerts: {} },
      ]);
      expect(await repo.countVerdicts()).toEqual({ download: { below_minimum: 1, conforming: 1 }, upload: { no_recent_data: 2 } });
      const normal = await repo.listLinesByVerdict({ direction: "download", code: "below_normal" });
      expect(normal.total).toBe(1);
      expect(normal.items[0]!.lineId).toBe("L1");
      expect(normal.items[0]!.alerts).toEqual({ "below_minimum:download": { id: "a1", raisedAtMs: T0 } });
      expect(normal.items[0]!.download).toEqual([{ atMs: T0, bps: 10e6 }]);
      expect((await repo.listLinesByVerdict({ direction: "upload", limit: 1, offset: 1 })).items.map((l) => l.lineId)).toEqual(["L2"]);
    });

    it("keeps a line's verdict when samples arrive and its samples when it is evaluated", async () => {
      await repo.putEvaluations([{ lineId: "L9", verdict: { atMs: T0, download: ["no_recent_data"], upload: ["no_recent_data"] }, alerts: {} }]);
      await repo.appendSamples([sample({ lineId: "L9", method: "speed_test", value: 5e6 })]);
      let s = (await repo.getLineStates(["L9"])).get("L9")!;
      expect([s.verdict?.download, s.download.length]).toEqual([["no_recent_data"], 1]);
      await repo.putEvaluations([{ lineId: "L9", verdict: { atMs: T0 + 1, download: ["below_normal"], upload: ["no_recent_data"] }, alerts: { x: { id: "x", raisedAtMs: T0 } } }]);
      s = (await repo.getLineStates(["L9"])).get("L9")!;
      expect([s.verdict?.download, s.download.length, Object.keys(s.alerts)]).toEqual([["below_normal"], 1, ["x"]]);
      expect(await repo.latestSpeeds("download")).toEqual([5e6]);
    });

    it("downsamples old raw samples to min/median/max per interval and keeps speed tests raw", async () => {
      const values = [5, 1, 9, 3];
      await repo.appendSamples([
        ...values.map((value, i) => sample({ atMs: T0 + i * 60_000, value })),
        sample({ atMs: T0 + 10 * 60_000, direction: "upload", value: 7 }),
        sample({ atMs: T0 + HOUR + 1, value: 100 }), // newer than the cut-off: stays raw
        sample({ atMs: T0, method: "speed_test", value: 50e6 }),
      ]);
      const r = await repo.downsample({ beforeMs: T0 + HOUR + 30 * 60_000, intervalMs: HOUR, speedTestsBeforeMs: T0 - HOUR });
      expect(r).toEqual({ samples: 5, rollups: 2, expiredSpeedTests: 0, expiredTestRecords: 0 });
      const rollups = await repo.listRollups({ lineId: "L1" });
      expect(rollups).toEqual([
        { lineId: "L1", deviceId: sample().deviceId, direction: "download", method: "traffic", startMs: T0, intervalMs: HOUR, count: 4, min: 1, median: 3, max: 9 },
        { lineId: "L1", deviceId: sample().deviceId, direction: "upload", method: "traffic", startMs: T0, intervalMs: HOUR, count: 1, min: 7, median: 7, max: 7 },
      ]);
      expect((await repo.listSamples({ lineId: "L1" })).map((s) => s.value)).toEqual([50e6, 100]);
      expect(await repo.downsample({ beforeMs: T0 + 2 * HOUR, intervalMs: HOUR, speedTestsBeforeMs: T0 + 1 })).toEqual({ samples: 1, rollups: 1, expiredSpeedTests: 1, expiredTestRecords: 0 });
      expect(await repo.listSamples({})).toEqual([]);
    });

    it("raises, acknowledges once, clears and counts alerts", async () => {
      const alert = (id: string, over: Partial<LinkAlert>): LinkAlert => ({
        id, lineId: "L1", kind: "below_minimum", direction: "download", raisedAtMs: T0, clearedAtMs: null, acknowledgedAtMs: null, acknowledgedBy: null, detail: {}, ...over,
      });
      const a = alert("a1", { detail: { testsBelowMinimum: 3 } });
      const b = alert("b1", { lineId: "L2", kind: "capacity_capped", direction: null, raisedAtMs: T0 + 1 });
      await repo.putEvaluations([], { raised: [a, b], cleared: [] });
      expect(await repo.countOpenAlerts()).toEqual([
        { kind: "below_minimum", open: 1, unacknowledged: 1 },
        { kind: "capacity_capped", open: 1, unacknowledged: 1 },
      ]);
      const acked = await repo.acknowledgeAlert(a.id, "noc-alice", T0 + 5);
      expect(acked).toMatchObject({ id: a.id, acknowledgedBy: "noc-alice", acknowledgedAtMs: T0 + 5, detail: { testsBelowMinimum: 3 } });
      expect(await repo.acknowledgeAlert(a.id, "noc-bob", T0 + 9)).toMatchObject({ acknowledgedBy: "noc-alice" });
      expect(await repo.acknowledgeAlert("missing", "x", T0)).toBeNull();
      await repo.putEvaluations([], { raised: [], cleared: [{ id: b.id, atMs: T0 + 10 }] });
      await repo.putEvaluations([], { raised: [], cleared: [{ id: b.id, atMs: T0 + 20 }] });
      expect((await repo.getAlert(b.id))!.clearedAtMs).toBe(T0 + 10);
      expect((await repo.listAlerts({ open: true })).items.map((x) => x.id)).toEqual([a.id]);
      const all = await repo.listAlerts({});
      expect(all.total).toBe(2);
      expect(all.items.map((x) => x.id)).toEqual([b.id, a.id]);
      expect(await repo.countOpenAlerts()).toEqual([{ kind: "below_minimum", open: 1, unacknowledged: 0 }]);
    });

    it("stores one speed test per line, slot and direction and tracks their progress", async () => {
      const base = { lineId: "L1", deviceId: "D1", origin: "schedule" as const, slot: "2026-03-02/peak", requestedBy: "scheduler" };
      const first = await repo.addSpeedTests([{ ...base, direction: "download" }, { ...base, direction: "upload" }], T0);
      expect(first.map((t) => [t.direction, t.status])).toEqual([["download", "queued"], ["upload", "queued"]]);
      expect(await repo.addSpeedTests([{ ...base, direction: "download" }], T0 + 1)).toEqual([]);
      const onDemand = await repo.addSpeedTests([{ ...base, slot: null, origin: "support", requestedBy: "alice", direction: "download" }, { ...base, lineId: "L2", deviceId: "D2", slot: null, direction: "download" }], T0 + 2);
      expect(onDemand).toHaveLength(2);
      expect([...(await repo.linesWithSlot("2026-03-02/peak", ["L1", "L2"]))]).toEqual(["L1"]);
      expect(await repo.countActiveLines()).toBe(2);
      expect((await repo.activeSpeedTests("D1")).map((t) => t.id)).toEqual([...first.map((t) => t.id), onDemand[0]!.id]);

      await repo.updateSpeedTest(first[0]!.id, { status: "requested", requestedAtMs: T0 + 3 });
      await repo.updateSpeedTest(first[0]!.id, { status: "done", doneAtMs: T0 + 4, bps: 91e6 });
      await repo.updateSpeedTest(onDemand[1]!.id, { status: "failed", error: "cwmp.9007" });
      expect(await repo.getSpeedTest(first[0]!.id)).toMatchObject({ status: "done", requestedAtMs: T0 + 3, doneAtMs: T0 + 4, bps: 91e6, error: null });
      expect(await repo.countActiveLines()).toBe(1);
      expect((await repo.listSpeedTests({ status: "failed" })).map((t) => t.error)).toEqual(["cwmp.9007"]);
      expect((await repo.listSpeedTests({ lineId: "L1", limit: 10 })).map((t) => t.id)).toEqual([onDemand[0]!.id, first[0]!.id, first[1]!.id]);
      expect(await repo.getSpeedTest("missing")).toBeNull();
      // Finished records go with the raw retention; active ones stay.
      const r = await repo.downsample({ beforeMs: T0 + 3_600_000, intervalMs: 3_600_000, speedTestsBeforeMs: 0 });
      expect(r.expiredTestRecords).toBe(2);
      expect((await repo.listSpeedTests({})).map((t) => t.status).sort()).toEqual(["queued", "queued"]);
    });
  });
}
