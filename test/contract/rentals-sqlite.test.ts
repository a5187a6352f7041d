// The RentalRepository contract on SQLite: one temp-file database per test,
// opened with better-sqlite3 as the SQLite store opens its own.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";
import { describeRentalRepositoryContract } from "./rentals-contract.ts";

describeRentalRepositoryContract("rental repository on SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-rentals-contract-"));
  const db = new Database(join(dir, "acs.db"));
  db.pragma("journal_mode = WAL");
  return {
    repo: createSqliteRentalRepository(db),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
