// Tasks collection. Contract decisions (test/contract/store-contract-tasks.ts):
// addTask sets createdAt = notBefore = now, status "pending", attempts 0 and
// doneAt/fault/result null, without checking that the device exists;
// pendingTasks is oldest first (createdAt, then id = insertion order);
// listTasks is newest first; updateTask on an unknown id does nothing.

import type { Collection, Db, Filter } from "mongodb";
import type { NewTask, Task, TaskStatus } from "../store.ts";
import { limited, newId } from "./mongo-util.ts";
import { fromJson, toJson } from "../store-values.ts";

type TaskPatch = Partial<Pick<Task, "status" | "attempts" | "notBefore" | "doneAt" | "fault" | "result">>;

interface TaskDoc {
  _id: string;
  deviceId: string;
  name: Task["name"];
  args: string; // JSON, see toJson
  status: TaskStatus;
  createdAt: number;
  createdBy: string;
  attempts: number;
  notBefore: number;
  doneAt: number | null;
  fault: string | null;
  result: string | null;
}

const PATCH_FIELDS = ["status", "attempts", "notBefore", "doneAt", "fault", "result"] as const satisfies readonly (keyof TaskPatch)[];
const JSON_FIELDS = new Set<keyof TaskPatch>(["fault", "result"]);

function docToTask(doc: TaskDoc): Task {
  return {
    id: doc._id,
    deviceId: doc.deviceId,
    name: doc.name,
    args: fromJson(doc.args) as Record<string, unknown>,
    status: doc.status,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    attempts: doc.attempts,
    notBefore: doc.notBefore,
    doneAt: doc.doneAt,
    fault: fromJson(doc.fault) as Task["fault"],
    result: fromJson(doc.result),
  };
}

export class TaskCollection {
  private readonly tasks: Collection<TaskDoc>;

  constructor(db: Db) {
    this.tasks = db.collection<TaskDoc>("tasks");
  }

  async add(input: NewTask): Promise<Task> {
    const now = Date.now();
    const doc: TaskDoc = {
      _id: newId(),
      deviceId: input.deviceId,
      name: input.name,
      args: JSON.stringify(input.args),
      status: "pending",
      createdAt: now,
      createdBy: input.createdBy,
      attempts: 0,
      notBefore: now,
      doneAt: null,
      fault: null,
      result: null,
    };
    await this.tasks.insertOne(doc);
    return docToTask(doc); // args in their stored form, as getTask returns them
  }

  async get(id: string): Promise<Task | null> {
    const doc = await this.tasks.findOne({ _id: id });
    return doc ? docToTask(doc) : null;
  }

  async list(filter: { deviceId?: string; status?: TaskStatus; limit?: number }): Promise<Task[]> {
    const query: Filter<TaskDoc> = {};
    if (filter.deviceId !== undefined) query.deviceId = filter.deviceId;
    if (filter.status !== undefined) query.status = filter.status;
    const docs = await limited(filter.limit, (limit) =>
      this.tasks.find(query).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray(),
    );
    return docs.map(docToTask);
  }

  async pendingFor(deviceId: string, now: number): Promise<Task[]> {
    const docs = await this.tasks
      .find({ deviceId, status: "pending", notBefore: { $lte: now } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(docToTask);
  }

  async update(id: string, patch: TaskPatch): Promise<void> {
    const $set: Record<string, unknown> = {};
    for (const key of PATCH_FIELDS) {
      if (patch[key] !== undefined) $set[key] = JSON_FIELDS.has(key) ? toJson(patch[key]) : patch[key];
    }
    if (Object.keys($set).length > 0) await this.tasks.updateOne({ _id: id }, { $set });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.tasks.deleteOne({ _id: id })).deletedCount > 0;
  }

  countPending(): Promise<number> {
    return this.tasks.countDocuments({ status: "pending" });
  }
}
