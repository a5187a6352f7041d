// MongoDB side of acs/store/restore.ts: tasks, faults and audit events inserted
// as they were (_id = their id, free-form fields as JSON text as in tasks.ts
// and records.ts), on a connection of its own. Ordered inserts: a duplicate id
// stops the batch with the driver's error.

import { MongoClient } from "mongodb";
import type { RecordRestorer } from "../restore.ts";
import { databaseOf } from "./mongo-store.ts";
import { toJson } from "../store-values.ts";

export async function openMongoRestorer(url: string): Promise<RecordRestorer> {
  const client = new MongoClient(url);
  await client.connect();
  const db = client.db(databaseOf(url));
  const insert = async (collection: string, docs: Record<string, unknown>[]): Promise<void> => {
    if (docs.length > 0) await db.collection(collection).insertMany(docs);
  };
  return {
    tasks: (batch) => insert("tasks", batch.map(({ id, args, fault, result, ...rest }) => ({
      _id: id, ...rest, args: JSON.stringify(args), fault: toJson(fault), result: toJson(result),
    }))),
    faults: (batch) => insert("faults", batch.map(({ id, detail, rpc, ...rest }) => ({ _id: id, ...rest, detail: toJson(detail), rpc: toJson(rpc) }))),
    audit: (batch) => insert("audit", batch.map(({ id, detail, ...rest }) => ({ _id: id, ...rest, detail: JSON.stringify(detail) }))),
    close: () => client.close(),
  };
}
