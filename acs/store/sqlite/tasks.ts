// Tasks queued for devices. Contract decisions (checked by the contract suite):
// - addTask sets createdAt = notBefore = now, status "pending", attempts 0,
//   doneAt/fault/result null; it does not check that the device exists.
// - pendingTasks is oldest first (createdAt, then insertion order);
//   listTasks is newest first, all matches when no limit.
// - updateTask on an unknown id does nothing.

import type { NewTask, Task, TaskStatus } from "../store.ts";
import { newId } from "./ids.ts";
import { prepareCached, sqlLimit, type Db } from "./sql-util.ts";
import { fromJson, toJson } from "../store-values.ts";
import { BoundedCache } from "./read-cache.ts";

interface TaskRow {
  id: string;
  device_id: string;
  name: Task["name"];
  args: string;
  status: TaskStatus;
  created_at: number;
  created_by: string;
  attempts: number;
  not_before: number;
  done_at: number | null;
  fault: string | null;
  result: string | null;
}

type TaskPatch = Partial<Pick<Task, "status" | "attempts" | "notBefore" | "doneAt" | "fault" | "result">>;

const PATCH_COLUMNS = {
  status: "status",
  attempts: "attempts",
  notBefore: "not_before",
  doneAt: "done_at",
  fault: "fault",
  result: "result",
} as const satisfies Record<keyof TaskPatch, string>;

const JSON_FIELDS = new Set<keyof TaskPatch>(["fault", "result"]);

const COLUMNS = "id, device_id, name, args, status, created_at, created_by, attempts, not_before, done_at, fault, result";

function rowToTask(row: TaskRow): Task {
  return {
    id: row.id,
    deviceId: row.device_id,
    name: row.name,
    args: JSON.parse(row.args) as Record<string, unknown>,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    attempts: row.attempts,
    notBefore: row.not_before,
    doneAt: row.done_at,
    fault: fromJson(row.fault) as Task["fault"],
    result: fromJson(row.result),
  };
}

export class TaskTable {
  private readonly insert;
  private readonly byId;
  private readonly pending;
  private readonly deleteRow;
  private readonly pendingCount;
  /**
   * Devices known to have no pending task at all (whatever its notBefore): most
   * sessions find none, asked at every plan (see read-cache.ts for why an
   * in-process cache is coherent). Only an insert or an update can make a task
   * pending, and both drop the device; a delete cannot, so it leaves the entry.
   * Measured on 10,000 devices, store CPU per periodic session's calls (two
   * pendingTasks among them): 71 µs without it, 63 µs with it.
   */
  private readonly nonePending = new BoundedCache<string, true>();

  constructor(private readonly db: Db) {
    this.insert = db.prepare<unknown[], unknown>(`INSERT INTO tasks (${COLUMNS}) VALUES (${COLUMNS.split(",").map(() => "?").join(", ")})`);
    this.byId = db.prepare<[string], TaskRow>(`SELECT ${COLUMNS} FROM tasks WHERE id = ?`);
    // The literal status matches the partial index tasks_pending.
    // Every pending task of the device, not yet due ones included, so that an empty answer holds for any `now`.
    this.pending = db.prepare<[string], TaskRow>(
      `SELECT ${COLUMNS} FROM tasks WHERE device_id = ? AND status = 'pending' ORDER BY created_at, seq`,
    );
    this.deleteRow = db.prepare<[string], unknown>("DELETE FROM tasks WHERE id = ?");
    this.pendingCount = db.prepare<[], number>("SELECT count(*) FROM tasks WHERE status = 'pending'").pluck();
  }

  add(input: NewTask): Task {
    const now = Date.now();
    const args = JSON.stringify(input.args);
    const task: Task = {
      id: newId(),
      deviceId: input.deviceId,
      name: input.name,
      args: JSON.parse(args) as Record<string, unknown>, // the stored form, as getTask returns it
      status: "pending",
      createdAt: now,
      createdBy: input.createdBy,
      attempts: 0,
      notBefore: now,
      doneAt: null,
      fault: null,
      result: null,
    };
    this.nonePending.delete(task.deviceId);
    this.insert.run(task.id, task.deviceId, task.name, args, task.status, now, task.createdBy, 0, now, null, null, null);
    return task;
  }

  get(id: string): Task | null {
    const row = this.byId.get(id);
    return row ? rowToTask(row) : null;
  }

  list(filter: { deviceId?: string; status?: TaskStatus; limit?: number }): Task[] {
    const terms: string[] = [];
    const args: unknown[] = [];
    if (filter.deviceId !== undefined) terms.push("device_id = ?"), args.push(filter.deviceId);
    if (filter.status !== undefined) terms.push("status = ?"), args.push(filter.status);
    const sql = `SELECT ${COLUMNS} FROM tasks${terms.length ? ` WHERE ${terms.join(" AND ")}` : ""}
      ORDER BY created_at DESC, seq DESC LIMIT ?`;
    return (prepareCached(this.db, sql).all(...args, sqlLimit(filter.limit)) as TaskRow[]).map(rowToTask);
  }

  pendingFor(deviceId: string, now: number): Task[] {
    if (this.nonePending.has(deviceId)) return [];
    const rows = this.pending.all(deviceId);
    if (rows.length === 0) this.nonePending.set(deviceId, true);
    return rows.filter((row) => row.not_before <= now).map(rowToTask);
  }

  update(id: string, patch: TaskPatch): void {
    const fields = (Object.keys(PATCH_COLUMNS) as (keyof TaskPatch)[]).filter((key) => patch[key] !== undefined);
    if (fields.length === 0) return;
    const sql = `UPDATE tasks SET ${fields.map((key) => `${PATCH_COLUMNS[key]} = ?`).join(", ")} WHERE id = ? RETURNING device_id`;
    const values = fields.map((key) => (JSON_FIELDS.has(key) ? toJson(patch[key]) : patch[key]));
    const updated = prepareCached(this.db, sql).pluck().get(...values, id) as string | undefined;
    if (updated !== undefined) this.nonePending.delete(updated);
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }

  countPending(): number {
    return this.pendingCount.get() as number;
  }
}
