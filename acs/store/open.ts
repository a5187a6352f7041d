// Opens the store named by --store: SQLite (embedded default, one ACS
// instance) or MongoDB (several ACS instances sharing one database).

import type { StoreSpec } from "../config.ts";
import { openMongoStore } from "./mongodb/mongo-store.ts";
import { openSqliteStore } from "./sqlite/sqlite-store.ts";
import type { Store } from "./store.ts";

/** The store spec as it may be shown: a MongoDB URL without its credentials. */
export function describeStore(spec: StoreSpec): string {
  return spec.kind === "sqlite" ? `sqlite:${spec.path}` : spec.url.replace(/\/\/[^@/]*@/, "//…@");
}

/** `serve`: the store of a running ACS or of a copy into it (SQLite takes its one-ACS owner lock); tools working beside one leave it out. */
export async function openStore(spec: StoreSpec, options: { serve?: boolean } = {}): Promise<Store> {
  if (spec.kind === "sqlite") return openSqliteStore(spec.path, options);
  try {
    return await openMongoStore(spec.url);
  } catch (err) {
    // The driver's message may not say which server it was trying (a server selection timeout after 30 s).
    throw new Error(`cannot open the MongoDB store ${describeStore(spec)}: ${(err as Error).message}`, { cause: err });
  }
}
