// The firmware campaign rules, pure: the per-device state machine (duplicates
// included), wave planning, the failure threshold, the Paris time window and
// what one run of the wave job decides.

import { describe, expect, it } from "vitest";
import { judgeWave, planTick, planWaves, waveOf, windowOpen } from "../../acs/firmware/campaign-rules.ts";
import { emptyCounts, type Campaign, type DeviceState, type WaveCounts } from "../../acs/firmware/campaign-types.ts";
import { stepDevice, type DeviceEvent } from "../../acs/firmware/device-state.ts";

const TARGET = "3.2.15";
const T0 = Date.parse("2025-03-10T12:00:00Z");

const tc = (faultCode: number, booted: boolean, version: string, faultString = ""): DeviceEvent =>
  ({ kind: "transferComplete", faultCode, faultString, booted, version });

describe("device state machine", () => {
  it("follows a firmware upgrade from the Download to the version check after the reboot", () => {
    expect(stepDevice("scheduled", { kind: "downloadAnswered", status: 1 }, TARGET)).toEqual({ path: ["downloading"] });
    expect(stepDevice("downloading", tc(0, true, "3.2.15"), TARGET)).toEqual({ path: ["rebooting", "verifying", "succeeded"], version: "3.2.15" });
  });

  it("fails on a TransferComplete fault, keeping its code and text", () => {
    expect(stepDevice("downloading", tc(9010, true, "3.2.14", "File transfer failure"), TARGET)).toEqual({
      path: ["failed"], fault: { code: "cwmp.9010", message: "File transfer failure" },
    });
    // An empty FaultString gets the standard meaning of the code.
    expect(stepDevice("downloading", tc(9018, false, "3.2.14"), TARGET)?.fault).toEqual({ code: "cwmp.9018", message: "File transfer failure: file corrupted" });
  });

  it("fails when the device comes back from the reboot with another version", () => {
    expect(stepDevice("downloading", tc(0, true, "3.2.16"), TARGET)).toEqual({
      path: ["rebooting", "verifying", "failed"], version: "3.2.16",
      fault: { code: "firmware.version_mismatch", message: "SoftwareVersion is 3.2.16 after the upgrade, expected 3.2.15" },
    });
  });

  it("waits for the reboot when the TransferComplete comes before it", () => {
    expect(stepDevice("downloading", tc(0, false, "3.2.14"), TARGET)).toEqual({ path: ["rebooting"] });
    expect(stepDevice("rebooting", { kind: "informed", booted: false, version: "3.2.14" }, TARGET)).toBeNull();
    expect(stepDevice("rebooting", { kind: "informed", booted: true, version: "3.2.15" }, TARGET)).toEqual({ path: ["verifying", "succeeded"], version: "3.2.15" });
    // Status 0: applied within the session, checked at the next Inform whatever its events.
    expect(stepDevice("scheduled", { kind: "downloadAnswered", status: 0 }, TARGET)).toEqual({ path: ["verifying"] });
    expect(stepDevice("verifying", { kind: "informed", booted: false, version: "3.2.14" }, TARGET)?.path).toEqual(["failed"]);
  });

  it("ignores a duplicate TransferComplete once the transfer was reported", () => {
    for (const state of ["rebooting", "verifying", "succeeded", "failed", "skipped", "cancelled"] as DeviceState[]) {
      expect(stepDevice(state, tc(0, true, "3.2.15"), TARGET)).toBeNull();
      expect(stepDevice(state, tc(9010, true, "3.2.14"), TARGET)).toBeNull();
    }
  });

  it("times out silent devices: skipped when never reached, failed when a transfer was under way", () => {
    const timeout: DeviceEvent = { kind: "timeout", afterMs: 3_600_000 };
    expect(stepDevice("scheduled", timeout, TARGET)).toEqual({ path: ["skipped"], fault: { code: "firmware.unreachable", message: "no session within 60 min of being scheduled" } });
    expect(stepDevice("downloading", timeout, TARGET)).toEqual({ path: ["failed"], fault: { code: "firmware.timeout", message: "no TransferComplete within 60 min" } });
    expect(stepDevice("pending", timeout, TARGET)).toBeNull();
    expect(stepDevice("succeeded", timeout, TARGET)).toBeNull();
  });
});

describe("waves", () => {
  it("repeats the last wave shape until every device has a wave", () => {
    const waves = planWaves(200, [{ size: 10, concurrency: 20 }, { size: 50, concurrency: 25 }], T0);
    expect(waves.map((w) => [w.size, w.concurrency])).toEqual([[10, 10], [50, 25], [50, 25], [50, 25], [40, 25]]);
    expect(waves.map((w) => w.startedAt)).toEqual([T0, null, null, null, null]);
    expect([0, 9, 10, 59, 60, 199].map((seq) => waveOf(seq, waves))).toEqual([0, 0, 1, 1, 2, 4]);
    expect(() => waveOf(200, waves)).toThrow(RangeError);
  });
});

const counts = (c: Partial<WaveCounts>): WaveCounts => ({ ...emptyCounts(), ...c });
const wave = (size: number, concurrency = 10) => ({ size, concurrency, startedAt: T0, finishedAt: null, baseline: { finished: 0, failed: 0 } });

describe("failure threshold", () => {
  it("judges a wave once it has minSample outcomes, or when it is done", () => {
    expect(judgeWave(wave(50), counts({ succeeded: 8, failed: 1, downloading: 41 }), 0.05, 10)).toMatchObject({ judged: false, exceeded: false });
    expect(judgeWave(wave(50), counts({ succeeded: 9, failed: 1, downloading: 40 }), 0.05, 10)).toMatchObject({ judged: true, exceeded: true, failureRate: 0.1 });
    expect(judgeWave(wave(50), counts({ succeeded: 19, failed: 1, downloading: 30 }), 0.05, 10)).toMatchObject({ judged: true, exceeded: false, failureRate: 0.05 });
    // A small wave is judged when done; skipped devices are not firmware outcomes.
    expect(judgeWave(wave(5), counts({ succeeded: 3, failed: 1, skipped: 1 }), 0.05, 10)).toMatchObject({ finished: 4, judged: true, exceeded: true });
  });

  it("judges only what came after a resume", () => {
    const resumed = { ...wave(50), baseline: { finished: 10, failed: 2 } };
    expect(judgeWave(resumed, counts({ succeeded: 28, failed: 2, downloading: 20 }), 0.05, 10)).toMatchObject({ finished: 20, failed: 0, exceeded: false });
  });
});

describe("time window (Europe/Paris)", () => {
  it("follows Paris wall-clock time across daylight saving, and windows across midnight", () => {
    const night = { start: "02:00", end: "05:00" };
    expect(windowOpen(night, Date.parse("2025-01-15T01:30:00Z"))).toBe(true); // 02:30 CET
    expect(windowOpen(night, Date.parse("2025-01-15T00:30:00Z"))).toBe(false); // 01:30 CET
    expect(windowOpen(night, Date.parse("2025-07-15T02:30:00Z"))).toBe(true); // 04:30 CEST
    expect(windowOpen(night, Date.parse("2025-07-15T03:00:00Z"))).toBe(false); // 05:00 CEST: end excluded
    const overnight = { start: "22:00", end: "06:00" };
    expect(windowOpen(overnight, Date.parse("2025-01-15T22:30:00Z"))).toBe(true); // 23:30
    expect(windowOpen(overnight, Date.parse("2025-01-16T04:59:00Z"))).toBe(true); // 05:59
    expect(windowOpen(overnight, Date.parse("2025-01-16T11:00:00Z"))).toBe(false); // 12:00
    expect(windowOpen(null, T0)).toBe(true);
  });
});

function campaign(over: Partial<Campaign> = {}): Campaign {
  return {
    id: "c1", name: "test", firmware: { name: "hw-3.2.15.bin", version: TARGET, size: 100, sha256: "0".repeat(64) },
    target: { profile: null, oui: null, productClass: "HW", hardwareVersions: null, versions: {} },
    waves: [wave(20, 5), { ...wave(30, 10), startedAt: null }], currentWave: 0, window: null,
    failureThreshold: 0.05, minSample: 10, timeoutMs: 3_600_000, status: "running", pause: null,
    createdAt: T0, createdBy: "admin", updatedAt: T0, endedAt: null, rev: 1, ...over,
  };
}

describe("one run of the wave job", () => {
  it("fills the wave's free concurrency slots from its pending devices", () => {
    const plan = planTick(campaign(), [counts({ pending: 15, scheduled: 1, downloading: 2, succeeded: 2 }), counts({ pending: 30 })], T0);
    expect(plan).toEqual({ campaign: null, moves: [], schedule: { wave: 0, count: 2 } });
  });

  it("pauses the campaign when the wave passes its threshold, giving the slots back", () => {
    const plan = planTick(campaign(), [counts({ pending: 5, scheduled: 2, downloading: 3, succeeded: 9, failed: 1 }), counts({ pending: 30 })], T0 + 1);
    expect(plan.campaign).toMatchObject({ status: "paused", pause: { reason: "threshold", wave: 0, failed: 1, finished: 10, failureRate: 0.1, by: "acs" } });
    expect(plan.moves).toEqual([{ from: ["scheduled"], to: "pending" }]);
    expect(plan.schedule).toBeNull();
  });

  it("moves to the next wave once every device of the current one is done, and completes after the last", () => {
    const next = planTick(campaign(), [counts({ succeeded: 19, failed: 1 }), counts({ pending: 30 })], T0 + 5);
    expect(next.campaign).toMatchObject({ currentWave: 1, status: "running" });
    expect(next.campaign?.waves.map((w) => [w.startedAt, w.finishedAt])).toEqual([[T0, T0 + 5], [T0 + 5, null]]);
    expect(next.schedule).toEqual({ wave: 1, count: 10 });

    const last = planTick(campaign({ currentWave: 1 }), [counts({ succeeded: 20 }), counts({ succeeded: 29, skipped: 1 })], T0 + 9);
    expect(last.campaign).toMatchObject({ status: "completed", endedAt: T0 + 9 });
  });

  it("schedules nothing outside the window and unschedules what waits", () => {
    const closed = campaign({ window: { start: "02:00", end: "05:00" } });
    const plan = planTick(closed, [counts({ pending: 10, scheduled: 3 }), counts({ pending: 30 })], Date.parse("2025-03-10T12:00:00Z"));
    expect(plan).toEqual({ campaign: null, moves: [{ from: ["scheduled"], to: "pending" }], schedule: null });
  });

  it("cancels what was not sent and ends once nothing is in flight", () => {
    const cancelled = campaign({ status: "cancelled" });
    const busy = planTick(cancelled, [counts({ pending: 3, downloading: 1 }), counts({ pending: 30 })], T0);
    expect(busy).toEqual({ campaign: null, moves: [{ from: ["pending", "scheduled"], to: "cancelled" }], schedule: null });
    const idle = planTick(cancelled, [counts({ cancelled: 3, succeeded: 1 }), counts({ cancelled: 30 })], T0 + 1);
    expect(idle.campaign).toMatchObject({ endedAt: T0 + 1 });
  });
});
