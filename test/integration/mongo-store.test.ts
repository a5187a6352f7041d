// MongoDB store behaviour beyond the shared contract, on a real FerretDB: the
// document layout an operator sees, names that need escaping, reopening an
// existing database, and two ACS instances (two connections) sharing leases.

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openMongoStore } from "../../acs/store/mongodb/mongo-store.ts";
import type { ParamRecord, Store } from "../../acs/store/store.ts";
import { identity, param, sleep, sorted } from "../contract/store-contract-helpers.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";

let server: FerretDB;
let admin: MongoClient;
const open: Store[] = [];
let dbName = "";

async function openStore(name = dbName): Promise<Store> {
  const store = await openMongoStore(server.url, { dbName: name });
  open.push(store);
  return store;
}

beforeAll(async () => {
  server = await startFerretDB();
  admin = await new MongoClient(server.url).connect();
});

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  await admin.db(dbName).dropDatabase();
});

describe("MongoDB store on FerretDB", () => {
  // A fresh database per test (set before each test body runs).
  const fresh = (): string => (dbName = `it_${randomUUID().replaceAll("-", "")}`);

  it("keeps one document per device with the tree nested by segment, credentials elsewhere", async () => {
    const store = await openStore(fresh());
    await store.upsertDevice(identity("dev-1"), { dataModel: "tr181", tags: ["vip"] });
    await store.updateParameters(
      "dev-1",
      new Map([
        ["Device.WiFi.SSID.1.SSID", param("Home", "xsd:string", true)],
        ["Device.WiFi.SSID.10.SSID", param("Guest", "xsd:string", true)],
      ]),
    );
    await store.setCredentials("dev-1", { connectionRequestPassword: "cr-secret" });

    const db = admin.db(dbName);
    const doc = await db.collection<{ _id: string }>("devices").findOne({ _id: "dev-1" });
    expect(doc).toMatchObject({
      _id: "dev-1",
      tags: ["vip"],
      p: {
        Device: {
          WiFi: {
            SSID: {
              "1": { SSID: { _p: { v: "Home", t: "xsd:string", w: true, ts: 1_700_000_000_000 } } },
              "10": { SSID: { _p: { v: "Guest", t: "xsd:string", w: true, ts: 1_700_000_000_000 } } },
            },
          },
        },
      },
    });
    expect(JSON.stringify(doc)).not.toContain("cr-secret");
    expect(await db.collection<{ _id: string }>("credentials").findOne({ _id: "dev-1" })).toMatchObject({
      connectionRequestPassword: "cr-secret",
    });
  });

  it("round-trips names that look like metadata keys, operators or escapes", async () => {
    const store = await openStore(fresh());
    await store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
    const names = new Map<string, ParamRecord>([
      ["Device._p", param("underscore")],
      ["Device._o.", param("", "object")],
      ["Device._o.$ref", param("dollar")],
      ["Device.%41", param("percent, not A")],
      ["Device.A", param("A")],
      ["Device.SSID.1", param("parameter named like an instance")],
      ["Device.SSID.1.", param("", "object")],
      ["Device.Café ☕.Name", param("unicode segment")],
    ]);
    await store.updateParameters("dev-1", names);
    expect(sorted(await store.getParameters("dev-1"))).toEqual(sorted(names));
    expect([...(await store.getParameters("dev-1", ["Device._o."])).keys()].sort()).toEqual(["Device._o.", "Device._o.$ref"]);
    await store.updateParameters("dev-1", new Map(), ["Device._o.", "Device.SSID.1"]);
    expect([...(await store.getParameters("dev-1")).keys()].sort()).toEqual([
      "Device.%41",
      "Device.A",
      "Device.Café ☕.Name",
      "Device.SSID.1.",
      "Device._p",
    ]);
  });

  it("reopens an existing database with its data and creates every index once", async () => {
    const first = await openStore(fresh());
    await first.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
    await first.addToken({ name: "ops", role: "admin", hash: "h".repeat(64), createdAt: 1 });
    const again = await openStore(); // indexes exist already: must not trip FerretDB
    expect((await again.getDevice("dev-1"))?.id).toBe("dev-1");
    await expect(again.addToken({ name: "other", role: "noc", hash: "h".repeat(64), createdAt: 2 })).rejects.toThrow(/already exists/);

    const names = async (collection: string) =>
      (await admin.db(dbName).collection(collection).listIndexes().toArray()).map((i) => String(i.name)).sort();
    expect(await names("devices")).toEqual(["_id_", "lastInformAt_1__id_1", "productClass_1__id_1", "softwareVersion_1__id_1", "tags_1__id_1"]);
    expect(await names("tasks")).toEqual([
      "_id_",
      "createdAt_1__id_1",
      "deviceId_1_createdAt_1__id_1",
      "deviceId_1_status_1_createdAt_1__id_1",
      "status_1_createdAt_1__id_1",
    ]);
    expect(await names("faults")).toEqual(["_id_", "deviceId_1_timestamp_1__id_1", "timestamp_1__id_1"]);
    expect(await names("audit")).toEqual([
      "_id_",
      "action_1_timestamp_1__id_1",
      "actor_1_timestamp_1__id_1",
      "deviceId_1_timestamp_1__id_1",
      "timestamp_1__id_1",
    ]);
    expect(await names("tokens")).toEqual(["_id_", "hash_1"]);
    expect(await names("leases")).toEqual(["_id_", "name_1_gen_1"]);
  });

  it("takes the database name from the URL when no dbName is given", async () => {
    const store = await openMongoStore(`${server.url}${fresh()}`);
    open.push(store);
    await store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
    expect(await admin.db(dbName).collection("devices").countDocuments()).toBe(1);
  });

  it("gives a lease to one of two ACS instances at a time, over separate connections", async () => {
    const [acs1, acs2] = [await openStore(fresh()), await openStore()];
    for (let round = 0; round < 10; round++) {
      const name = `cron-${round}`;
      const won = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => acs1.acquireLease(name, `acs-1-${i}`, 60_000)),
        ...Array.from({ length: 5 }, (_, i) => acs2.acquireLease(name, `acs-2-${i}`, 60_000)),
      ]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
    expect(await acs1.acquireLease("sched", "acs-1", 30)).toBe(true);
    expect(await acs2.acquireLease("sched", "acs-2", 60_000)).toBe(false);
    await sleep(80);
    expect(await acs2.acquireLease("sched", "acs-2", 60_000)).toBe(true);
    expect(await acs1.acquireLease("sched", "acs-1", 60_000)).toBe(false);
    // Renewals do not pile up generations: older ones are pruned.
    for (let i = 0; i < 5; i++) expect(await acs2.acquireLease("sched", "acs-2", 60_000)).toBe(true);
    expect(await admin.db(dbName).collection("leases").countDocuments({ name: "sched" })).toBe(1);
  });
});
