// Record ids (tasks, faults, audit): time-ordered strings, so sorting by id
// follows creation order within a process and an id tells when it was made.
// 9 base-36 chars of epoch ms (good until year 5188), 4 of a per-ms counter, 8 hex random.

import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

export function newId(): string {
  const now = Math.max(Date.now(), lastMs); // a clock stepping back must not reorder ids
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  return now.toString(36).padStart(9, "0") + counter.toString(36).padStart(4, "0") + randomBytes(4).toString("hex");
}
