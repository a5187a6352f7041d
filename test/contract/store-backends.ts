// Fresh stores for the capability contract suites: each test gets its own
// store and takes the capability's repository from it, exactly as the ACS
// does, so the suites also check that both backends wire every repository.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { openMongoStore } from "../../acs/store/mongodb/mongo-store.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";

export interface FreshStore {
  store: Store;
  close(): Promise<void>;
}

/** A store on a temp-file SQLite database, removed on close. */
export async function freshSqliteStore(): Promise<FreshStore> {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-contract-"));
  const store = await openSqliteStore(join(dir, "acs.db"));
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts FerretDB for the calling test file (beforeAll/afterAll) and returns a
 * factory of stores, each on a database of its own, dropped on close.
 */
export function ferretStores(): () => Promise<FreshStore> {
  let server: FerretDB | undefined;
  let admin: MongoClient | undefined;
  beforeAll(async () => {
    server = await startFerretDB();
    admin = await new MongoClient(server.url).connect();
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });
  return async () => {
    const dbName = `contract_${randomUUID().replaceAll("-", "")}`;
    const store = await openMongoStore(server!.url, { dbName });
    return {
      store,
      close: async () => {
        await store.close();
        await admin!.db(dbName).dropDatabase();
      },
    };
  };
}
