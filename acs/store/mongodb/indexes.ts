// Every index the store's queries need, created at open.
//
// devices      productClass_1__id_1       filter productClass / sort productClass (ties by _id)
//              softwareVersion_1__id_1    filter softwareVersion / sort softwareVersion
//              lastInformAt_1__id_1       lastInformAfter/Before ranges / sort lastInformAt
//              tags_1__id_1               filter tag (multikey)
//              (_id)                      get, filter id, sort id; `search` is an unanchored regex: a scan
// credentials  (_id = device id)
// tasks        deviceId_1_status_1_createdAt_1__id_1   pendingTasks, listTasks by device+status, delete by device
//              deviceId_1_createdAt_1__id_1            listTasks by device
//              status_1_createdAt_1__id_1              countPendingTasks, listTasks by status
//              createdAt_1__id_1                       listTasks unfiltered
// faults       deviceId_1_timestamp_1__id_1            listFaults by device (+since), delete by device
//              timestamp_1__id_1                       listFaults (+since)
// audit        deviceId_1_timestamp_1__id_1, actor_1_timestamp_1__id_1,
//              action_1_timestamp_1__id_1, timestamp_1__id_1      listAudit filters, newest first
// tokens       hash_1 (unique)                         findTokenByHash; _id = name
// leases       name_1_gen_1                            newest generation of a lease; _id = "<name>#<gen>"
//
// FerretDB 1.24 accepts none of partialFilterExpression (a pending-only task
// index), expireAfterSeconds (TTL), collation or text indexes, so none is used.

import type { Db, IndexDescription } from "mongodb";
import { MongoServerError } from "mongodb";

type Key = Record<string, 1 | -1>;

const k = (key: Key, options: Omit<IndexDescription, "key" | "name"> = {}): IndexDescription => ({
  key,
  ...options,
  // MongoDB's default name, given explicitly so existing indexes are recognised by name.
  name: Object.entries(key).map(([field, direction]) => `${field}_${direction}`).join("_"),
});

const INDEXES: Record<string, IndexDescription[]> = {
  devices: [k({ productClass: 1, _id: 1 }), k({ softwareVersion: 1, _id: 1 }), k({ lastInformAt: 1, _id: 1 }), k({ tags: 1, _id: 1 })],
  tasks: [
    k({ deviceId: 1, status: 1, createdAt: 1, _id: 1 }),
    k({ deviceId: 1, createdAt: 1, _id: 1 }),
    k({ status: 1, createdAt: 1, _id: 1 }),
    k({ createdAt: 1, _id: 1 }),
  ],
  faults: [k({ deviceId: 1, timestamp: 1, _id: 1 }), k({ timestamp: 1, _id: 1 })],
  audit: [
    k({ deviceId: 1, timestamp: 1, _id: 1 }),
    k({ actor: 1, timestamp: 1, _id: 1 }),
    k({ action: 1, timestamp: 1, _id: 1 }),
    k({ timestamp: 1, _id: 1 }),
  ],
  tokens: [k({ hash: 1 }, { unique: true })],
  leases: [k({ name: 1, gen: 1 })],
};

async function existingNames(db: Db, collection: string): Promise<Set<string>> {
  try {
    return new Set((await db.collection(collection).listIndexes().toArray()).map((index) => String(index.name)));
  } catch (err) {
    if (err instanceof MongoServerError && err.code === 26) return new Set(); // NamespaceNotFound: new collection
    throw err;
  }
}

/**
 * Creates the missing indexes only: FerretDB 1.24 drops the connection (a
 * server-side panic) on a createIndexes whose indexes all exist already, which
 * is every open of an existing database.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all(
    Object.entries(INDEXES).map(async ([collection, specs]) => {
      const existing = await existingNames(db, collection);
      const missing = specs.filter((index) => !existing.has(index.name!));
      if (missing.length > 0) await db.collection(collection).createIndexes(missing);
    }),
  );
}
