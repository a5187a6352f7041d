// The firmware repository contract against MongoDB, on a FerretDB server this
// file starts (test/helpers/ferretdb.ts); a database per test, dropped afterwards.

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { createMongoFirmwareRepository } from "../../acs/store/mongodb/firmware.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { describeFirmwareContract } from "./firmware-contract.ts";

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

describeFirmwareContract("MongoDB firmware repository (FerretDB)", async () => {
  const db = client!.db(`firmware_${randomUUID().replaceAll("-", "")}`);
  const repo = await createMongoFirmwareRepository(db);
  return { repo, close: async () => void (await db.dropDatabase()) };
});
