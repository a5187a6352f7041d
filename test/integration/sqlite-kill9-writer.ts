// Child process of sqlite-kill9.test.ts: writes devices, parameters and tasks
// to the SQLite store in a loop and prints "committed <i>" after each iteration
// whose writes have all returned. Usage: sqlite-kill9-writer.ts <db> <first-i>

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ParamRecord } from "../../acs/store/store.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";

export const PARAMS_PER_DEVICE = 1000; // large transactions: a kill often lands inside a commit
export const HOT_DEVICE = "dev-hot";

export const deviceId = (i: number): string => `dev-${i}`;

export function deviceParams(i: number): Map<string, ParamRecord> {
  const params = new Map<string, ParamRecord>();
  for (let n = 1; n <= PARAMS_PER_DEVICE; n++) {
    params.set(`Device.Hosts.Host.${n}.HostName`, { value: `host-${i}-${n}-${"x".repeat(40)}`, type: "xsd:string", writable: false, ts: i });
  }
  return params;
}

async function main(path: string, first: number): Promise<void> {
  const store = await openSqliteStore(path);
  const identity = (id: string) => ({ id, manufacturer: "Test", oui: "000000", productClass: "Kill9", serialNumber: id });
  await store.upsertDevice(identity(HOT_DEVICE), { dataModel: "tr181" });
  for (let i = first; ; i++) {
    await store.upsertDevice(identity(deviceId(i)), { dataModel: "tr181", lastInformAt: i, lastEvents: ["2 PERIODIC"] });
    await store.updateParameters(deviceId(i), deviceParams(i));
    await store.updateParameters(HOT_DEVICE, new Map([["Device.Counter", { value: String(i), type: "xsd:unsignedInt", writable: false, ts: i }]]));
    await store.addTask({ deviceId: deviceId(i), name: "getParameterValues", args: { i }, createdBy: "kill9" });
    process.stdout.write(`committed ${i}\n`); // synchronous on a pipe (Linux): printed means committed
  }
}

// The test imports the fixtures above; only a direct run writes.
if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  await main(process.argv[2]!, Number(process.argv[3]));
}
