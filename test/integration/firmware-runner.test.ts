// Campaign creation and the wave job's runs against a real SQLite store, with
// the clock moved by the test: device selection, concurrency slots, the
// Paris time window, timeouts of silent devices and moving on to the next wave.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCampaign, type NewCampaign } from "../../acs/firmware/campaign-create.ts";
import { tickCampaign } from "../../acs/firmware/campaign-runner.ts";
import type { FirmwareRepository } from "../../acs/firmware/firmware-repository.ts";
import { createSqliteFirmwareRepository } from "../../acs/store/sqlite/firmware.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";

const T = Date.parse("2025-03-10T02:30:00Z"); // 03:30 in Paris
const MIN = 60_000;
const logger = pino({ level: "silent" });

let dir: string;
let store: Store;
let db: Database.Database;
let repo: FirmwareRepository;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "flexacs-fw-runner-"));
  store = await openSqliteStore(join(dir, "acs.db"));
  db = new Database(join(dir, "acs.db"));
  repo = createSqliteFirmwareRepository(db);
  await repo.addFile({ name: "hw-3.2.15.bin", version: "3.2.15", size: 10, sha256: "ab".repeat(32), profile: null, uploadedAt: T, uploadedBy: "admin" }, null);
});
afterEach(async () => {
  db.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function device(serial: string, softwareVersion: string, oui = "A4B1C2", productClass = "HW-AX3000"): Promise<string> {
  const id = `${oui}-${productClass}-${serial}`;
  await store.upsertDevice({ id, manufacturer: "HomeWave", oui, productClass, serialNumber: serial }, { softwareVersion, hardwareVersion: "B2" });
  return id;
}

const input = (over: Partial<NewCampaign> = {}): NewCampaign => ({
  name: "test", firmware: "hw-3.2.15.bin", target: { productClass: "HW-AX3000", oui: "a4b1c2", versions: { min: "3.2.0" } },
  waves: [{ size: 2, concurrency: 1 }], failureThreshold: 1, timeoutMinutes: 1, ...over,
});

const run = (id: string, at: number) => tickCampaign({ repo, logger, clock: () => at }, id);
const stateOf = async (campaignId: string, deviceId: string) => (await repo.listDevices(campaignId)).items.find((d) => d.deviceId === deviceId)!;

describe("campaign creation", () => {
  it("selects the devices of the target in the version range that still need the image", async () => {
    const wanted = [await device("S1", "3.2.14"), await device("S2", "3.2.0"), await device("S3", "3.1.9a") /* below min */];
    await device("S4", "3.2.15"); // already there
    await device("S5", "3.2.14", "00D09E"); // another OUI
    await device("S6", "3.2.14", "A4B1C2", "OG-N300"); // another model
    const c = await createCampaign({ repo, store, clock: () => T }, input(), "admin");
    const { items } = await repo.listDevices(c.id);
    expect(items.map((d) => d.deviceId).sort()).toEqual(wanted.slice(0, 2).sort());
    expect(items.map((d) => [d.seq, d.wave, d.state, d.fromVersion !== ""])).toEqual([[0, 0, "pending", true], [1, 0, "pending", true]]);
    expect(new Set(items.map((d) => d.commandKey)).size).toBe(2);
    expect(c).toMatchObject({ status: "running", currentWave: 0, waves: [{ size: 2, concurrency: 1, startedAt: T }], timeoutMs: MIN, target: { oui: "A4B1C2" } });
    // Both are in an open campaign now: a second one finds nobody.
    await expect(createCampaign({ repo, store }, input(), "admin")).rejects.toThrow(/no device of HW-AX3000/);
  });
});

describe("the wave job", () => {
  it("keeps to the concurrency, times out silent devices and moves on to the next wave", async () => {
    for (const s of ["S1", "S2", "S3"]) await device(s, "3.2.14");
    const c = await createCampaign({ repo, store, clock: () => T }, input({ waves: [{ size: 2, concurrency: 1 }, { size: 1, concurrency: 1 }] }), "admin");
    const [first, second, third] = (await repo.listDevices(c.id)).items;

    expect(await run(c.id, T)).toEqual([first!.deviceId]);
    expect(await run(c.id, T + 1)).toEqual([]); // the one slot is taken

    // Scheduled and never heard of: skipped (not a firmware failure); its slot goes to the next device.
    expect(await run(c.id, T + MIN + 1)).toEqual([second!.deviceId]);
    expect(await stateOf(c.id, first!.deviceId)).toMatchObject({ state: "skipped", fault: { code: "firmware.unreachable" } });

    // Its Download accepted, then silence: failed.
    await repo.transitionDevice(c.id, second!.deviceId, "scheduled", { path: ["downloading"], at: T + MIN + 2 });
    expect(await run(c.id, T + MIN + 3)).toEqual([]);
    expect(await run(c.id, T + 2 * MIN + 3)).toEqual([third!.deviceId]);
    expect(await stateOf(c.id, second!.deviceId)).toMatchObject({ state: "failed", fault: { code: "firmware.timeout", message: "no TransferComplete within 1 min" } });
    expect(await repo.getCampaign(c.id)).toMatchObject({ currentWave: 1, waves: [{ finishedAt: T + 2 * MIN + 3 }, { startedAt: T + 2 * MIN + 3 }] });

    await repo.transitionDevice(c.id, third!.deviceId, "scheduled", { path: ["downloading", "rebooting", "verifying", "succeeded"], at: T + 2 * MIN + 4 });
    await run(c.id, T + 2 * MIN + 5);
    expect(await repo.getCampaign(c.id)).toMatchObject({ status: "completed", endedAt: T + 2 * MIN + 5 });
  });

  it("schedules only inside the daily window (Paris time) and gives the slots back when it closes", async () => {
    for (const s of ["S1", "S2"]) await device(s, "3.2.14");
    const c = await createCampaign({ repo, store, clock: () => T }, input({ window: { start: "03:00", end: "04:00" }, waves: [{ size: 2, concurrency: 2 }], timeoutMinutes: 60 }), "admin");
    expect(await run(c.id, Date.parse("2025-03-10T01:30:00Z"))).toEqual([]); // 02:30 Paris
    expect(await run(c.id, T)).toHaveLength(2); // 03:30 Paris
    expect(await run(c.id, Date.parse("2025-03-10T03:10:00Z"))).toEqual([]); // 04:10 Paris
    const after = await repo.listDevices(c.id);
    expect(after.items.map((d) => [d.state, d.history.map((h) => h.state)])).toEqual([
      ["pending", ["pending", "scheduled", "pending"]], ["pending", ["pending", "scheduled", "pending"]],
    ]);
  });
});
