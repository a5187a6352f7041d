// The MongoDB Store, for several ACS instances sharing one database. Checked by
// the contract suite against FerretDB 1.24 (test/contract/mongodb.test.ts), so
// it uses only what both MongoDB and FerretDB 1.24 support; each place where
// FerretDB decided the shape says so (param-tree.ts, leases.ts, indexes.ts,
// mongo-util.ts, devices.ts).
//
// Collections: devices (one document per device with its parameter tree),
// credentials, tasks, faults, audit, tokens, leases. No multi-document
// transactions (FerretDB 1.24 has none; MongoDB needs a replica set).
//
// Known FerretDB 1.24 limit, not fixable from here: it applies every update as
// read-modify-write of the whole document without isolation, so two concurrent
// updates of the SAME document (e.g. an API tag change during an Inform of that
// device) can lose one of them. MongoDB updates a document atomically. Leases
// avoid the problem (insert-only, see leases.ts); production should run MongoDB.

import { MongoClient } from "mongodb";
import { createMongoFirmwareRepository } from "./firmware.ts";
import { createMongoLineRepository } from "./lines.ts";
import { createMongoLinkrateRepository } from "./linkrate.ts";
import { createMongoRentalRepository } from "./rentals.ts";
import { createMongoWifiChangeRepository } from "./wifi-changes.ts";
import { createMongoMacLookup } from "./router-by-mac.ts";
import type { Store } from "../store.ts";
import { DeviceCollection } from "./devices.ts";
import { ensureIndexes } from "./indexes.ts";
import { LeaseCollection } from "./leases.ts";
import { AuditCollection, FaultCollection, TokenCollection } from "./records.ts";
import { TaskCollection } from "./tasks.ts";

const DEFAULT_DB = "flexacs";

/** The database a store at `url` uses: the one in its path, else "flexacs". */
export function databaseOf(url: string): string {
  return databaseInUrl(url) ?? DEFAULT_DB;
}

/** Database named in a mongodb:// or mongodb+srv:// URL path, if any. */
function databaseInUrl(url: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(url)?.[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}

/**
 * Connects, creates the missing indexes and returns the store; `close()` closes
 * the connection. The database is `opts.dbName`, else the one in the URL, else "flexacs".
 */
export async function openMongoStore(url: string, opts: { dbName?: string } = {}): Promise<Store> {
  const client = new MongoClient(url);
  try {
    await client.connect();
    const db = client.db(opts.dbName ?? databaseInUrl(url) ?? DEFAULT_DB);
    await ensureIndexes(db);
    const devices = new DeviceCollection(db);
    const tasks = new TaskCollection(db);
    const faults = new FaultCollection(db);
    const audit = new AuditCollection(db);
    const tokens = new TokenCollection(db);
    const leases = new LeaseCollection(db);
    const [lines, rentals, firmware, linkrate, wifiChanges] = await Promise.all([
      createMongoLineRepository(db),
      createMongoRentalRepository(db),
      createMongoFirmwareRepository(db),
      createMongoLinkrateRepository(db),
      createMongoWifiChangeRepository(db),
    ]);
    return {
      sharedByInstances: true,
      lines,
      rentals,
      firmware,
      linkrate,
      wifiChanges,
      routerSerialByMac: createMongoMacLookup(db),

      getDevice: (id) => devices.get(id),
      upsertDevice: (identity, update) => devices.upsert(identity, update),
      updateDevice: (id, update) => devices.update(id, update),
      deleteDevice: (id) => devices.delete(id),
      listDevices: (query) => devices.list(query),
      countDevices: (query) => devices.count(query),
      getCredentials: (id) => devices.getCredentials(id),
      setCredentials: (id, creds) => devices.setCredentials(id, creds),

      getParameters: (id, prefixes) => devices.getParameters(id, prefixes),
      updateParameters: (id, set, deleteSubtrees = []) => devices.updateParameters(id, set, deleteSubtrees),

      addTask: (task) => tasks.add(task),
      getTask: (id) => tasks.get(id),
      listTasks: (filter) => tasks.list(filter),
      pendingTasks: (deviceId, now) => tasks.pendingFor(deviceId, now),
      updateTask: (id, patch) => tasks.update(id, patch),
      deleteTask: (id) => tasks.delete(id),
      countPendingTasks: () => tasks.countPending(),

      addFault: (fault) => faults.add(fault),
      listFaults: (filter) => faults.list(filter),
      deleteFault: (id) => faults.delete(id),

      addAudit: (event) => audit.add(event),
      listAudit: (filter) => audit.list(filter),

      addToken: (token) => tokens.add(token),
      findTokenByHash: (hash) => tokens.findByHash(hash),
      listTokens: () => tokens.list(),
      deleteToken: (name) => tokens.delete(name),

      acquireLease: (name, owner, ttlMs) => leases.acquire(name, owner, ttlMs),
      releaseLease: (name, owner) => leases.release(name, owner),

      close: () => client.close(),
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}
