// The lines repository contract on SQLite: a fresh store per test, the
// repository taken from it as the ACS does.

import { describeLineContract } from "./lines-contract.ts";
import { freshSqliteStore } from "./store-backends.ts";

describeLineContract("SQLite line repository", async () => {
  const { store, close } = await freshSqliteStore();
  return { repo: store.lines, close };
});
