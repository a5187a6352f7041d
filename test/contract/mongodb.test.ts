// The Store contract against the MongoDB store, on a FerretDB server this file
// starts (and builds on first use, see test/helpers/ferretdb.ts). Each test gets
// a database of its own, dropped afterwards.

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { openMongoStore } from "../../acs/store/mongodb/mongo-store.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { describeStoreContract } from "./store-contract.ts";

let server: FerretDB | undefined;
let admin: MongoClient | undefined;
let dbName: string | undefined;

beforeAll(async () => {
  server = await startFerretDB();
  admin = await new MongoClient(server.url).connect();
});

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

describeStoreContract(
  "MongoDB store (FerretDB)",
  async () => {
    dbName = `contract_${randomUUID().replaceAll("-", "")}`;
    return openMongoStore(server!.url, { dbName });
  },
  async () => {
    if (dbName) await admin!.db(dbName).dropDatabase();
    dbName = undefined;
  },
);
