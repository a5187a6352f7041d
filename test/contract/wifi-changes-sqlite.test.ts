// The wifi-changes repository contract on SQLite: a fresh store per test, the
// repository taken from it as the ACS does.

import { describeWifiChangeContract } from "./wifi-changes-contract.ts";
import { freshSqliteStore } from "./store-backends.ts";

describeWifiChangeContract("SQLite Wi-Fi change repository", async () => {
  const { store, close } = await freshSqliteStore();
  return { repo: store.wifiChanges, close };
});
