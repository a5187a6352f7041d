// The linkrate repository contract on SQLite: a fresh store per test, the
// repository taken from it as the ACS does.

import { describeLinkrateContract } from "./linkrate-contract.ts";
import { freshSqliteStore } from "./store-backends.ts";

describeLinkrateContract("SQLite link-rate repository", async () => {
  const { store, close } = await freshSqliteStore();
  return { repo: store.linkrate, close };
});
