// The link-rate repository contract against MongoDB, on a FerretDB server this
// file starts (test/helpers/ferretdb.ts); a database per test, dropped afterwards.

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { createMongoLinkrateRepository } from "../../acs/store/mongodb/linkrate.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { describeLinkrateContract } from "./linkrate-contract.ts";

let server: FerretDB | undefined;
let client: MongoClient | undefined;

beforeAll(async () => {
  server = await startFerretDB();
  client = await new MongoClient(server.url).connect();
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describeLinkrateContract("MongoDB link-rate repository (FerretDB)", async () => {
  const db = client!.db(`linkrate_${randomUUID().replaceAll("-", "")}`);
  const repo = await createMongoLinkrateRepository(db);
  return { repo, close: async () => void (await db.dropDatabase()) };
});
