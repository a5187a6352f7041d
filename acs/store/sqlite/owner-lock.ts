// One ACS process per SQLite store: the embedded store serves one instance
// (several instances share MongoDB), so the session engine takes no
// cross-instance leases on it. A second ACS started on the same file would
// break that silently; this lock makes it fail at start instead.
//
// The lock is an exclusive SQLite transaction held open on a side file: the
// operating system drops it when the process ends, kill -9 included, so no
// stale lock ever needs cleaning. Tools working on the store beside a running
// ACS (token creation, backups) do not take it.

import Database from "better-sqlite3";

export class StoreInUseError extends Error {
  override name = "StoreInUseError";
}

/** Takes the owner lock of the SQLite store at `dbPath`; returns its release. */
export function lockSqliteStore(dbPath: string): () => void {
  const path = `${dbPath}.acs-lock`;
  const lock = new Database(path, { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code === "SQLITE_BUSY") {
      throw new StoreInUseError(`another FlexACS process serves ${dbPath} (lock ${path}): one ACS per SQLite store; several instances share a MongoDB store (--store mongodb://…)`);
    }
    throw err;
  }
  return () => lock.close();
}
