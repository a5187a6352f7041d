// SQLite side of acs/store/restore.ts: tasks, faults and audit events inserted
// as they were, on a second connection to the store's file (its schema is in
// place: the store was opened first). Rows go in the order given, so `seq`
// (the tie-break between records of the same ms) follows the source's order.

import Database from "better-sqlite3";
import type { RecordRestorer } from "../restore.ts";
import { toJson } from "../store-values.ts";

export async function openSqliteRestorer(path: string): Promise<RecordRestorer> {
  const db = new Database(path);
  db.pragma("busy_timeout = 5000");
  const insertTask = db.prepare(
    `INSERT INTO tasks (id, device_id, name, args, status, created_at, created_by, attempts, not_before, done_at, fault, result)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFault = db.prepare("INSERT INTO faults (id, device_id, channel, code, message, detail, rpc, retries, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const insertAudit = db.prepare("INSERT INTO audit (id, timestamp, actor, action, device_id, detail) VALUES (?, ?, ?, ?, ?, ?)");
  const all = <T>(fn: (item: T) => void) => db.transaction((batch: readonly T[]) => batch.forEach(fn));
  const tasks = all<Parameters<RecordRestorer["tasks"]>[0][number]>((t) =>
    insertTask.run(t.id, t.deviceId, t.name, JSON.stringify(t.args), t.status, t.createdAt, t.createdBy, t.attempts, t.notBefore, t.doneAt, toJson(t.fault), toJson(t.result)),
  );
  const faults = all<Parameters<RecordRestorer["faults"]>[0][number]>((f) =>
    insertFault.run(f.id, f.deviceId, f.channel, f.code, f.message, toJson(f.detail), toJson(f.rpc), f.retries, f.timestamp),
  );
  const audit = all<Parameters<RecordRestorer["audit"]>[0][number]>((e) =>
    insertAudit.run(e.id, e.timestamp, e.actor, e.action, e.deviceId, JSON.stringify(e.detail)),
  );
  return {
    tasks: async (batch) => void tasks(batch),
    faults: async (batch) => void faults(batch),
    audit: async (batch) => void audit(batch),
    close: async () => void db.close(),
  };
}
