// The linkrate repository contract on MongoDB, on a FerretDB server this file
// starts: a fresh store (own database) per test, the repository taken from it.

import { describeLinkrateContract } from "./linkrate-contract.ts";
import { ferretStores } from "./store-backends.ts";

const freshStore = ferretStores();

describeLinkrateContract("MongoDB link-rate repository (FerretDB)", async () => {
  const { store, close } = await freshStore();
  return { repo: store.linkrate, close };
});
