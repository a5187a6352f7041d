// A rental repository on a fresh SQLite file (opened as the SQLite store
// opens its own), for the capability's tests. `close()` removes the folder.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";

export interface TestRepo {
  repo: RentalRepository;
  dir: string;
  close(): void;
}

export function openTestRepo(): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-rentals-"));
  const db = new Database(join(dir, "rentals.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return {
    repo: createSqliteRentalRepository(db),
    dir,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
