// The firmware repository contract on MongoDB, on a FerretDB server this file
// starts: a fresh store (own database) per test, the repository taken from it.

import { describeFirmwareContract } from "./firmware-contract.ts";
import { ferretStores } from "./store-backends.ts";

const freshStore = ferretStores();

describeFirmwareContract("MongoDB firmware repository (FerretDB)", async () => {
  const { store, close } = await freshStore();
  return { repo: store.firmware, close };
});
