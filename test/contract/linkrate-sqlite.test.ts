// The link-rate repository contract against SQLite, one temp-file database per
// test, on a connection of its own beside the store's (as the ACS shares its file).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createSqliteLinkrateRepository } from "../../acs/store/sqlite/linkrate.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { describeLinkrateContract } from "./linkrate-contract.ts";

describeLinkrateContract("SQLite link-rate repository", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-linkrate-contract-"));
  const path = join(dir, "acs.db");
  const store = await openSqliteStore(path);
  const db = new Database(path);
  db.pragma("busy_timeout = 5000");
  const repo = createSqliteLinkrateRepository(db);
  return {
    repo,
    close: async () => {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
