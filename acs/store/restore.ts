// Writing tasks, faults and audit events back as they were (ids, times,
// statuses), for copying a whole store to another backend (copy.ts). The
// Store interface creates these records with fresh ids and times only; a copy
// must keep them, because other records refer to them (a fault's channel
// "task:<id>", a task id is a device's ParameterKey). Each backend writes
// them on a connection of its own to the same database.

import type { StoreSpec } from "../config.ts";
import { openMongoRestorer } from "./mongodb/restore.ts";
import { openSqliteRestorer } from "./sqlite/restore.ts";
import type { AuditEvent, FaultRecord, Task } from "./store.ts";

export interface RecordRestorer {
  /** Inserts the records as given; an id present already is an error (copies go to an empty store). */
  tasks(batch: readonly Task[]): Promise<void>;
  faults(batch: readonly FaultRecord[]): Promise<void>;
  audit(batch: readonly AuditEvent[]): Promise<void>;
  close(): Promise<void>;
}

export function openRestorer(spec: StoreSpec): Promise<RecordRestorer> {
  return spec.kind === "sqlite" ? openSqliteRestorer(spec.path) : openMongoRestorer(spec.url);
}
