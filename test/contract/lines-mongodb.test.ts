// The line repository contract against MongoDB, on a FerretDB server this file
// starts (test/helpers/ferretdb.ts); a database per test, dropped afterwards.

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { createMongoLineRepository } from "../../acs/store/mongodb/lines.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { describeLineContract } from "./lines-contract.ts";

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

describeLineContract("MongoDB line repository (FerretDB)", async () => {
  const db = client!.db(`lines_${randomUUID().replaceAll("-", "")}`);
  const repo = await createMongoLineRepository(db);
  return { repo, close: async () => void (await db.dropDatabase()) };
});
