// WAL checkpoints of the store an ACS serves, off its event loop. SQLite's
// auto-checkpoint runs inside the COMMIT that crosses 1,000 WAL pages: it
// copies the WAL into the database file and syncs it, on the thread serving
// CWMP sessions. A worker thread with its own connection runs PASSIVE
// checkpoints instead, once a second (they never block writers or readers);
// if it stops, the main connection's auto-checkpoint comes back. Measured
// storing a 128 MiB firmware image: longest event-loop stall 12-15 ms -> 2 ms,
// and the store call takes 250-300 ms instead of 510-670 ms.

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "./sql-util.ts";

/** Plain CommonJS, so that the worker needs no TypeScript loader (tsx, vitest). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
const checkpoint = () => db.pragma("wal_checkpoint(PASSIVE)");
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

const AUTO_CHECKPOINT_PAGES = 1000;
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface Checkpointer {
  /** Stops the worker and closes its connection (before the main connection closes, so that one removes the WAL). */
  stop(): Promise<void>;
}

export function startCheckpointer(db: Db, path: string, intervalMs = 1000): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, intervalMs, driver: createRequire(import.meta.url).resolve("better-sqlite3") },
  });
  worker.unref();
  db.pragma("wal_autocheckpoint = 0");
  // A second of heavy writes can grow the WAL far past the usual 4 MiB: give the disk back once it is checkpointed.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    worker.once("exit", () => {
      if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      resolve();
    });
  });
  // A worker that fails (e.g. cannot open the file) exits; the fallback above takes over.
  worker.on("error", () => undefined);
  return {
    async stop() {
      stopping = true;
      worker.ref(); // keeps the process up until the worker has closed its connection
      worker.postMessage("stop");
      await exited;
    },
  };
}
