// Opens the store named by --store. SQLite is built in; the MongoDB store
// (several ACS instances) is parsed by the configuration already but lands
// with its own issue, so it is refused here with a clear message.

import type { StoreSpec } from "../config.ts";
import { openSqliteStore } from "./sqlite/sqlite-store.ts";
import type { Store } from "./store.ts";

export async function openStore(spec: StoreSpec): Promise<Store> {
  if (spec.kind === "sqlite") return openSqliteStore(spec.path);
  throw new Error("--store mongodb://… is not supported by this build yet: use --store sqlite:PATH");
}
