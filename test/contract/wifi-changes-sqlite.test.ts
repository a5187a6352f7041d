// The Wi-Fi change repository contract against SQLite, one temp-file database
// per test, on a connection of its own beside the store's.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { createSqliteWifiChangeRepository } from "../../acs/store/sqlite/wifi-changes.ts";
import { describeWifiChangeContract } from "./wifi-changes-contract.ts";

describeWifiChangeContract("SQLite Wi-Fi change repository", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-wifi-contract-"));
  const path = join(dir, "acs.db");
  const store = await openSqliteStore(path);
  const db = new Database(path);
  db.pragma("busy_timeout = 5000");
  return {
    repo: createSqliteWifiChangeRepository(db),
    close: async () => {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
