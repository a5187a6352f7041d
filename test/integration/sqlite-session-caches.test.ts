// The in-process caches of the SQLite store's per-session reads (Inform
// parameters, device rows, "no pending task"): after a cached read, a write
// through another call must be what the next read returns.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { groupCommit } from "../../acs/store/sqlite/sql-util.ts";
import type { DeviceIdentity, ParamRecord, Store } from "../../acs/store/store.ts";

const ID = "00259E-HG8245-SN1";
const identity: DeviceIdentity = { id: ID, manufacturer: "Huawei", oui: "00259E", productClass: "HG8245", serialNumber: "SN1" };
const UPTIME = "InternetGatewayDevice.DeviceInfo.UpTime";
const KEY = "InternetGatewayDevice.ManagementServer.ParameterKey";
const SSID = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID";
const rec = (value: string, ts = 1, writable = false): ParamRecord => ({ value, type: "xsd:string", writable, ts });

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "flexacs-session-caches-"));
  store = await openSqliteStore(join(dir, "acs.db"), { serve: true });
  await store.upsertDevice(identity, { lastInformAt: 1 });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Inform parameters read by exact path", () => {
  it("returns a value written after it was read", async () => {
    await store.updateParameters(ID, new Map([[UPTIME, rec("10")], [KEY, rec("k1", 1, true)]]));
    expect((await store.getParameters(ID, [UPTIME, KEY])).get(UPTIME)?.value).toBe("10");
    await store.updateParameters(ID, new Map([[UPTIME, rec("20", 2)]]));
    const again = await store.getParameters(ID, [UPTIME, KEY]);
    expect(again.get(UPTIME)).toEqual(rec("20", 2));
    expect(again.get(KEY)).toEqual(rec("k1", 1, true));
  });

  it("returns a node created after a read found it absent", async () => {
    expect((await store.getParameters(ID, [UPTIME])).size).toBe(0);
    await store.updateParameters(ID, new Map([[UPTIME, rec("5")]]));
    expect([...(await store.getParameters(ID, [UPTIME])).entries()]).toEqual([[UPTIME, rec("5")]]);
  });

  it("forgets nodes removed by deleteSubtrees, exact or by subtree", async () => {
    await store.updateParameters(ID, new Map([[UPTIME, rec("10")], [KEY, rec("k1")], [SSID, rec("home")]]));
    expect((await store.getParameters(ID, [UPTIME, KEY, SSID])).size).toBe(3);
    await store.updateParameters(ID, new Map(), [KEY]);
    expect([...(await store.getParameters(ID, [UPTIME, KEY, SSID])).keys()]).toEqual([UPTIME, SSID]);
    await store.updateParameters(ID, new Map(), ["InternetGatewayDevice.LANDevice."]);
    expect([...(await store.getParameters(ID, [UPTIME, KEY, SSID])).keys()]).toEqual([UPTIME]);
  });

  it("agrees with a subtree read after writes of a tracked path", async () => {
    await store.updateParameters(ID, new Map([[UPTIME, rec("10")]]));
    await store.getParameters(ID, [UPTIME]);
    await store.updateParameters(ID, new Map([[UPTIME, rec("11", 3, true)]]));
    expect((await store.getParameters(ID, ["InternetGatewayDevice.DeviceInfo."])).get(UPTIME)).toEqual(rec("11", 3, true));
    expect((await store.getParameters(ID, [UPTIME])).get(UPTIME)).toEqual(rec("11", 3, true));
  });

  it("sees writes of every path of a read wider than what is cached per device", async () => {
    const paths = Array.from({ length: 100 }, (_, i) => `InternetGatewayDevice.X_Test.Node${i}`);
    await store.updateParameters(ID, new Map(paths.map((p) => [p, rec("a")])));
    expect((await store.getParameters(ID, paths)).size).toBe(100);
    await store.updateParameters(ID, new Map(paths.map((p) => [p, rec("b", 2)])));
    const again = await store.getParameters(ID, paths);
    expect([...again.values()].every((r) => r.value === "b" && r.ts === 2)).toBe(true);
    await store.updateParameters(ID, new Map(), [paths[99]!]);
    expect((await store.getParameters(ID, paths)).has(paths[99]!)).toBe(false);
  });

  it("gives a device deleted and registered again no parameters of its former life", async () => {
    await store.updateParameters(ID, new Map([[UPTIME, rec("10")]]));
    expect((await store.getParameters(ID, [UPTIME])).size).toBe(1);
    expect(await store.deleteDevice(ID)).toBe(true);
    expect((await store.getParameters(ID, [UPTIME])).size).toBe(0);
    await store.upsertDevice(identity, { lastInformAt: 2 });
    expect((await store.getParameters(ID, [UPTIME])).size).toBe(0);
  });
});

describe("device rows read by upsertDevice", () => {
  it("sees updateDevice between two Informs, and listDevices sees the Inform", async () => {
    await store.updateDevice(ID, { tags: ["vip"], periodicInformInterval: 600 });
    const informed = await store.upsertDevice({ ...identity, serialNumber: "SN1b" }, { lastInformAt: 50 });
    expect(informed).toMatchObject({ tags: ["vip"], periodicInformInterval: 600, serialNumber: "SN1b", lastInformAt: 50 });
    expect(await store.getDevice(ID)).toEqual(informed);
    const listed = await store.listDevices({ tag: "vip", lastInformAfter: 50 });
    expect(listed.items).toEqual([informed]);
  });

  it("registers a deleted device anew", async () => {
    await store.updateDevice(ID, { tags: ["old"] });
    await store.deleteDevice(ID);
    expect(await store.getDevice(ID)).toBeNull();
    const again = await store.upsertDevice(identity, { lastInformAt: 9 });
    expect(again.tags).toEqual([]);
    expect(await store.getDevice(ID)).toEqual(again);
  });
});

describe("devices with no pending task", () => {
  it("sees a task added after an empty answer", async () => {
    expect(await store.pendingTasks(ID, Date.now())).toEqual([]);
    const task = await store.addTask({ deviceId: ID, name: "reboot", args: {}, createdBy: "noc" });
    expect((await store.pendingTasks(ID, Date.now())).map((t) => t.id)).toEqual([task.id]);
  });

  it("sees a task made pending again by updateTask", async () => {
    const task = await store.addTask({ deviceId: ID, name: "reboot", args: {}, createdBy: "noc" });
    await store.updateTask(task.id, { status: "done", doneAt: Date.now() });
    expect(await store.pendingTasks(ID, Date.now())).toEqual([]);
    await store.updateTask(task.id, { status: "pending" });
    expect((await store.pendingTasks(ID, Date.now())).map((t) => t.id)).toEqual([task.id]);
  });

  it("delivers a task once its notBefore is reached after an earlier empty answer", async () => {
    const task = await store.addTask({ deviceId: ID, name: "reboot", args: {}, createdBy: "noc" });
    const later = Date.now() + 60_000;
    await store.updateTask(task.id, { notBefore: later });
    expect(await store.pendingTasks(ID, later - 1)).toEqual([]);
    expect((await store.pendingTasks(ID, later)).map((t) => t.id)).toEqual([task.id]);
  });
});

describe("group commit rollback", () => {
  it("tells its listeners, before the writes reject, that a COMMIT failed after the writes ran", async () => {
    const db = new Database(join(dir, "rollback.db"));
    try {
      db.pragma("foreign_keys = ON");
      db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)");
      const group = groupCommit(db);
      const events: string[] = [];
      group.onRollback(() => events.push("rollback"));
      // The deferred foreign key is checked at COMMIT only: the write itself succeeds.
      const orphan = group.write(() => {
        db.prepare("INSERT INTO c VALUES (99)").run();
        events.push("ran");
      });
      await expect(orphan.finally(() => events.push("rejected"))).rejects.toThrow(/FOREIGN KEY/);
      expect(events).toEqual(["ran", "rollback", "rejected"]);
      expect(db.prepare("SELECT count(*) FROM c").pluck().get()).toBe(0);
      await group.write(() => db.prepare("INSERT INTO p VALUES (1)").run());
      expect(events).toEqual(["ran", "rollback", "rejected"]);
    } finally {
      db.close();
    }
  });
});
