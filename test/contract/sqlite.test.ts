// The Store contract against the SQLite store, one temp-file database per test.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { describeStoreContract } from "./store-contract.ts";

let dir: string | undefined;

describeStoreContract(
  "SQLite store",
  async () => {
    dir = mkdtempSync(join(tmpdir(), "flexacs-sqlite-contract-"));
    return openSqliteStore(join(dir, "nested", "acs.db")); // parent folder created on open
  },
  async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
);
