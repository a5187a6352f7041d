// The embedded default store: one SQLite file (better-sqlite3, synchronous and
// in-process; the async Store methods simply wrap it). Each method is one
// transaction. Contract decisions are documented in the table files beside this one.
//
// Durability: WAL with synchronous=NORMAL. A committed transaction is in the
// WAL before the call returns, so a killed process (kill -9) loses nothing and
// never corrupts the file; only an OS crash or power cut can drop the last
// transactions (never corrupt), which is the trade for ~10x faster commits.

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import type { Store } from "../store.ts";
import { AuditTable } from "./audit.ts";
import { startCheckpointer, type Checkpointer } from "./checkpointer.ts";
import { createSqliteFirmwareRepository } from "./firmware.ts";
import { createSqliteLineRepository } from "./lines.ts";
import { createSqliteLinkrateRepository } from "./linkrate.ts";
import { createSqliteRentalRepository } from "./rentals.ts";
import { createSqliteWifiChangeRepository } from "./wifi-changes.ts";
import { createSqliteMacLookup } from "./router-by-mac.ts";
import { DeviceTable } from "./devices.ts";
import { FaultTable } from "./faults.ts";
import { LeaseTable } from "./leases.ts";
import { lockSqliteStore } from "./owner-lock.ts";
import { ParamTable } from "./params.ts";
import { migrate } from "./schema.ts";
import { groupCommit, type Db } from "./sql-util.ts";
import { TaskTable } from "./tasks.ts";
import { TokenTable } from "./tokens.ts";

export interface SqliteStoreOptions {
  /** Serve an ACS: take the store's owner lock (owner-lock.ts), released by close(), and checkpoint the WAL off the event loop (checkpointer.ts). Tools working beside an ACS do not. */
  serve?: boolean;
}

/** Opens (creating the file and its folder if needed) and migrates a store. `":memory:"` gives a private in-memory one. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const onDisk = path !== ":memory:" && path !== "";
  if (onDisk) mkdirSync(dirname(resolve(path)), { recursive: true });
  const unlock = options.serve && onDisk ? lockSqliteStore(resolve(path)) : () => undefined;
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    unlock();
    throw err;
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000"); // another ACS process holding the write lock
    db.pragma("foreign_keys = ON");
    db.pragma("cache_size = -65536"); // 64 MiB: the hot parameter pages of 100k devices
    migrate(db);
    db.pragma("optimize = 0x10002"); // refreshes planner statistics when stale (long-lived connection)
    return sqliteStore(db, unlock, options.serve && onDisk ? startCheckpointer(db, resolve(path)) : null);
  } catch (err) {
    db.close();
    unlock();
    throw err;
  }
}

function sqliteStore(db: Db, unlock: () => void, checkpointer: Checkpointer | null): Store {
  const devices = new DeviceTable(db);
  const params = new ParamTable(db, (id) => devices.rid(id));
  const tasks = new TaskTable(db);
  const faults = new FaultTable(db);
  const audit = new AuditTable(db);
  const tokens = new TokenTable(db);
  const leases = new LeaseTable(db);
  // The writes of every session go through group commit (sql-util.ts); the rest commit on their own.
  const group = groupCommit(db);
  group.onRollback(() => {
    params.dropAll();
    devices.dropCachedRows();
  });
  let closing: Promise<void> | undefined;
  return {
    sharedByInstances: false,
    lines: createSqliteLineRepository(db, group),
    rentals: createSqliteRentalRepository(db, group),
    firmware: createSqliteFirmwareRepository(db),
    linkrate: createSqliteLinkrateRepository(db),
    wifiChanges: createSqliteWifiChangeRepository(db),
    routerSerialByMac: createSqliteMacLookup(db),

    getDevice: async (id) => devices.get(id),
    upsertDevice: (identity, update) => group.write(() => devices.upsert(identity, update)),
    updateDevice: (id, update) => group.write(() => devices.update(id, update)),
    deleteDevice: async (id) => {
      params.forgetDevice(id);
      return devices.delete(id);
    },
    listDevices: async (query) => devices.list(query),
    countDevices: async (query) => devices.count(query),
    getCredentials: async (id) => devices.getCredentials(id),
    setCredentials: async (id, creds) => devices.setCredentials(id, creds),

    getParameters: async (id, prefixes) => params.get(id, prefixes),
    updateParameters: (id, set, deleteSubtrees) => group.write(() => params.update(id, set, deleteSubtrees)),

    addTask: async (task) => tasks.add(task),
    getTask: async (id) => tasks.get(id),
    listTasks: async (filter) => tasks.list(filter),
    pendingTasks: async (deviceId, now) => tasks.pendingFor(deviceId, now),
    updateTask: async (id, patch) => tasks.update(id, patch),
    deleteTask: async (id) => tasks.delete(id),
    countPendingTasks: async () => tasks.countPending(),

    addFault: async (fault) => faults.add(fault),
    listFaults: async (filter) => faults.list(filter),
    deleteFault: async (id) => faults.delete(id),

    addAudit: async (event) => audit.add(event),
    listAudit: async (filter) => audit.list(filter),

    addToken: async (token) => tokens.add(token),
    findTokenByHash: async (hash) => tokens.findByHash(hash),
    listTokens: async () => tokens.list(),
    deleteToken: async (name) => tokens.delete(name),

    acquireLease: async (name, owner, ttlMs) => leases.acquire(name, owner, ttlMs),
    releaseLease: async (name, owner) => leases.releaseBy(name, owner),

    close: () => (closing ??= (async () => {
      group.flush();
      await checkpointer?.stop();
      db.pragma("optimize");
      db.close();
      unlock();
    })()),
  };
}
