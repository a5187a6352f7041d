// The lines repository contract on MongoDB, on a FerretDB server this file
// starts: a fresh store (own database) per test, the repository taken from it.

import { describeLineContract } from "./lines-contract.ts";
import { ferretStores } from "./store-backends.ts";

const freshStore = ferretStores();

describeLineContract("MongoDB line repository (FerretDB)", async () => {
  const { store, close } = await freshStore();
  return { repo: store.lines, close };
});
