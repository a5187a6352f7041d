// Throughput of the MongoDB store on the Inform hot path: one "sequence" is
// upsertDevice + updateParameters(8 parameters) + pendingTasks, as an ACS does
// per periodic Inform. Runs against FerretDB (started here, see
// test/helpers/ferretdb.ts) unless MONGO_URL points at a server; the SQLite
// store runs the same workload as a reference.
//
//   npx tsx bench/mongo-store.ts [devices=100] [params-per-device=100] [seconds=10]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openMongoStore } from "../acs/store/mongodb/mongo-store.ts";
import { openSqliteStore } from "../acs/store/sqlite/sqlite-store.ts";
import type { ParamRecord, Store } from "../acs/store/store.ts";
import { startFerretDB } from "../test/helpers/ferretdb.ts";

const [devices = 100, paramsPerDevice = 100, seconds = 10] = process.argv.slice(2).map(Number);

const id = (i: number): string => `00D09E-HG8245H-SN${String(i).padStart(6, "0")}`;
const identity = (i: number) => ({ id: id(i), manufacturer: "Huawei", oui: "00D09E", productClass: "HG8245H", serialNumber: `SN${i}` });
const rec = (value: string, ts: number): ParamRecord => ({ value, type: "xsd:unsignedInt", writable: false, ts });

async function seed(store: Store): Promise<void> {
  for (let i = 0; i < devices; i++) {
    await store.upsertDevice(identity(i), { dataModel: "tr181", softwareVersion: "V1", lastInformAt: 0 });
    const tree = new Map<string, ParamRecord>();
    for (let p = 0; p < paramsPerDevice; p++) tree.set(`Device.Hosts.Host.${p + 1}.Stats.Bytes`, rec(String(p), 0));
    await store.updateParameters(id(i), tree);
    if (i % 10 === 0) await store.addTask({ deviceId: id(i), name: "reboot", args: {}, createdBy: "bench" });
  }
}

/** Sequences per second with `inFlight` concurrent sessions on distinct devices. */
async function measure(store: Store, inFlight: number): Promise<number> {
  let done = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  const session = async (): Promise<void> => {
    while (Date.now() < until) {
      const i = next++ % devices;
      const now = Date.now();
      await store.upsertDevice(identity(i), { lastInformAt: now, lastEvents: ["2 PERIODIC"] });
      const changed = new Map<string, ParamRecord>();
      for (let p = 0; p < 8; p++) changed.set(`Device.Hosts.Host.${p + 1}.Stats.Bytes`, rec(String(now + p), now));
      await store.updateParameters(id(i), changed);
      await store.pendingTasks(id(i), now);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: inFlight }, session));
  return (done * 1000) / (Date.now() - started);
}

async function run(label: string, store: Store): Promise<void> {
  const started = Date.now();
  await seed(store);
  console.log(`${label}: seeded ${devices} devices x ${paramsPerDevice} params in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const inFlight of [1, 16]) {
    console.log(`${label}: ${(await measure(store, inFlight)).toFixed(0)} sequences/s with ${inFlight} in flight`);
  }
  await store.close();
}

const ferret = process.env["MONGO_URL"] ? undefined : await startFerretDB();
try {
  await run(ferret ? "FerretDB 1.24 (SQLite)" : "MongoDB", await openMongoStore(process.env["MONGO_URL"] ?? ferret!.url, { dbName: `bench_${Date.now()}` }));
} finally {
  await ferret?.stop();
}
const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-"));
try {
  await run("SQLite store", await openSqliteStore(join(dir, "acs.db")));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
