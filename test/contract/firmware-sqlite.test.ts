// The firmware repository contract on SQLite: a fresh store per test, the
// repository taken from it as the ACS does.

import { describeFirmwareContract } from "./firmware-contract.ts";
import { freshSqliteStore } from "./store-backends.ts";

describeFirmwareContract("SQLite firmware repository", async () => {
  const { store, close } = await freshSqliteStore();
  return { repo: store.firmware, close };
});
