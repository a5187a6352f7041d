// The RentalRepository contract on MongoDB, against a FerretDB 1.24 server
// this file starts (test/helpers/ferretdb.ts); one database per test. Plus
// the MongoDB-only case: a writer killed after committing a change but before
// its effects is completed by the next reader ("roll forward").

import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chargeIdFor, runFlagging } from "../../acs/rentals/flagging-job.ts";
import type { RouterChange } from "../../acs/rentals/rental-repository.ts";
import { createMongoRentalRepository } from "../../acs/store/mongodb/rentals.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { describeRentalRepositoryContract } from "./rentals-contract.ts";

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

async function freshDb() {
  const db = client!.db(`rentals_${randomUUID().replaceAll("-", "")}`);
  return { db, repo: await createMongoRentalRepository(db) };
}

describeRentalRepositoryContract("rental repository on MongoDB (FerretDB)", async () => {
  const { db, repo } = await freshDb();
  return { repo, close: async () => void (await db.dropDatabase()) };
});

describe("rental repository on MongoDB: crash between commit and effects", () => {
  test("opening twice creates no index twice; a committed change is completed by the next reader, flagged once", async () => {
    const { db, repo } = await freshDb();
    await createMongoRentalRepository(db); // indexes exist: must not fail
    const T0 = Date.parse("2026-03-01T10:00:00Z");
    await repo.addRouters([{ serial: "SN1", mac: "02:00:00:00:00:01", model: "FlexBox 6" }], T0, "warehouse");
    const step = async (to: RouterChange["steps"][number]["to"], patch: RouterChange["patch"] = {}) => {
      const r = (await repo.getRouter("SN1"))!;
      await repo.applyChanges([{ serial: "SN1", expectedVersion: r.version, key: to, at: T0, actor: "t", steps: [{ from: r.state, to, reason: null, detail: {} }], patch }]);
    };
    await step("shipped");
    await step("active", { lineId: "L1", subscriberId: "S1" });
    await step("due_back", { dueDate: "2026-04-11", dueReason: "contract_end" });

    // A flagging run that died right after inserting its change document: no charge, router document untouched.
    const r = (await repo.getRouter("SN1"))!;
    const id = chargeIdFor("SN1", "2026-04-11", "contract_end");
    const charge = {
      id, serial: "SN1", lineId: "L1", subscriberId: "S1", reason: "contract_end" as const, dueDate: "2026-04-11", amountCents: 18000,
      currency: "EUR" as const, flaggedAt: T0, status: "flagged" as const, statusReason: null, statusAt: T0, exportBatchId: null,
      evidence: { shipping: null, dueBack: null, returns: [], contactsAfterDue: [], stillInUse: false },
    };
    const change: RouterChange = {
      serial: "SN1", expectedVersion: r.version, key: `flag:${id}`, at: T0, actor: "job",
      steps: [{ from: "due_back", to: "overdue", reason: null, detail: {} }, { from: "overdue", to: "charge_flagged", reason: null, detail: {} }],
      patch: { chargeId: id }, newCharge: charge,
    };
    await db.collection("rental_changes").insertOne({ _id: `SN1#${r.version + 1}` as never, serial: "SN1", version: r.version + 1, key: change.key, change: JSON.stringify(change) });
    expect(await db.collection("rental_charges").countDocuments()).toBe(0);

    // The next run sees the router as owed (its document is stale) and completes the committed change.
    const result = await runFlagging(repo, { today: "2026-04-12", now: T0 + 1 });
    expect(result).toMatchObject({ scanned: 1, flagged: 0, duplicates: 1 });
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "charge_flagged", version: r.version + 1 });
    expect((await repo.listCharges({})).map((c) => [c.id, c.serial, c.status])).toEqual([[id, "SN1", "flagged"]]);
    expect((await runFlagging(repo, { today: "2026-04-13", now: T0 + 2 })).flagged).toBe(0);
    expect(await repo.listCharges({})).toHaveLength(1);
    await db.dropDatabase();
  });
});
