// The wifi-changes repository contract on MongoDB, on a FerretDB server this file
// starts: a fresh store (own database) per test, the repository taken from it.

import { describeWifiChangeContract } from "./wifi-changes-contract.ts";
import { ferretStores } from "./store-backends.ts";

const freshStore = ferretStores();

describeWifiChangeContract("MongoDB Wi-Fi change repository (FerretDB)", async () => {
  const { store, close } = await freshStore();
  return { repo: store.wifiChanges, close };
});
