// The Wi-Fi change repository contract against MongoDB, on a FerretDB server
// this file starts (test/helpers/ferretdb.ts); a database per test, dropped afterwards.

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { createMongoWifiChangeRepository } from "../../acs/store/mongodb/wifi-changes.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { describeWifiChangeContract } from "./wifi-changes-contract.ts";

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

describeWifiChangeContract("MongoDB Wi-Fi change repository (FerretDB)", async () => {
  const db = client!.db(`wifi_${randomUUID().replaceAll("-", "")}`);
  const repo = await createMongoWifiChangeRepository(db);
  return { repo, close: async () => void (await db.dropDatabase()) };
});
