// Billing export: the new charges as CSV and JSON, marked exported, the same
// bytes when a batch is read again, and an export cut short (after claiming
// its items) completed by the next one without doubling or losing an item.

import { parse } from "csv-parse/sync";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportToBilling } from "../../acs/rentals/billing-export.ts";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { applyRouterAction } from "../../acs/rentals/router-actions.ts";
import { seedRentalFleet } from "../helpers/rental-fleet.ts";
import { openTestRepo, type TestRepo } from "../helpers/rental-repo.ts";

let t: TestRepo;
let repo: RentalRepository;
const FLAGGED_AT = Date.parse("2026-04-12T01:00:00Z");
const EXPORTED_AT = Date.parse("2026-04-12T07:30:00Z");

beforeEach(async () => {
  t = openTestRepo();
  repo = t.repo;
  // 20 routers, 10 overdue (RR…02, 04, …, 20); RR…06, 12 and 18 still inform after the due date.
  await seedRentalFleet(repo, { count: 20, overdueEvery: 2, dueDate: "2026-04-11", at: Date.parse("2026-01-05T09:00:00Z") });
  await runFlagging(repo, { today: "2026-04-12", now: FLAGGED_AT });
});
afterEach(() => t.close());

describe("billing export", () => {
  it("exports the new charges as CSV and JSON, marks them exported, and re-reads the same bytes", async () => {
    const batch = (await exportToBilling(repo, { now: EXPORTED_AT, actor: "api:billing" }))!;
    expect(batch.id).toMatch(/^exp_20260412_[0-9a-f]{10}$/);
    expect(batch.chargeIds).toHaveLength(10);
    expect(batch.totalCents).toBe(10 * 18000);

    const rows = parse(batch.csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([
      "record_type", "id", "charge_id", "serial", "line_id", "subscriber_id", "reason", "due_date", "amount_cents", "currency",
      "at", "still_in_use", "contacts_after_due", "last_contact_at", "last_contact_address",
    ]);
    const rr6 = rows.find((r) => r.serial === "RR0000006")!;
    expect(rr6).toMatchObject({
      record_type: "charge", line_id: "L0000006", subscriber_id: "S0000006", reason: "contract_end", due_date: "2026-04-11",
      amount_cents: "18000", currency: "EUR", at: "2026-04-12T01:00:00.000Z", still_in_use: "yes", contacts_after_due: "2",
      last_contact_at: "2026-04-13T10:00:00.000Z", last_contact_address: "198.51.100.6",
    });
    expect(rows.find((r) => r.serial === "RR0000004")).toMatchObject({ still_in_use: "no", contacts_after_due: "0", last_contact_at: "", last_contact_address: "" });

    const json = JSON.parse(batch.json) as { batchId: string; totalCents: number; charges: { serial: string; amountCents: number; evidence: { shipping: { detail: { deliveryFeeCents: number } } } }[] };
    expect(json).toMatchObject({ batchId: batch.id, createdAt: "2026-04-12T07:30:00.000Z", currency: "EUR", totalCents: 180000, reversals: [] });
    expect(json.charges.map((c) => c.serial).sort()).toEqual(rows.map((r) => r.serial).sort());
    expect(json.charges[0]!.evidence.shipping.detail.deliveryFeeCents).toBe(1200);

    expect((await repo.listCharges({ status: "exported" })).map((c) => c.exportBatchId)).toEqual(Array(10).fill(batch.id));
    expect((await repo.countRoutersByState()).exported).toBe(10);
    expect(await exportToBilling(repo, { now: EXPORTED_AT + 1, actor: "api:billing" })).toBeNull();
    expect(await repo.getExportBatch(batch.id)).toEqual(batch);
  });

  it("an export cut short after claiming its items is completed by the next one, each charge in one batch", async () => {
    // What a killed export leaves: its intent and its claims, no sealed batch, nothing marked.
    const pending = await repo.pendingExport();
    const cut = { id: "exp_20260412_cut0000000", createdAt: EXPORTED_AT, actor: "api:billing" };
    await repo.openExportBatch(cut);
    for (const c of pending.charges.slice(0, 6)) await repo.claimExportItem({ itemId: c.id, kind: "charge", batchId: cut.id });
    // Meanwhile one claimed router comes back: billing will get its charge and a reversal.
    const back = pending.charges[0]!;
    await applyRouterAction(repo, back.serial, { to: "returned", condition: "good" }, { now: EXPORTED_AT + 5, actor: "desk", key: "scan" });
    expect(await repo.listReversals({ chargeId: back.id })).toHaveLength(1);

    const next = (await exportToBilling(repo, { now: EXPORTED_AT + 10, actor: "api:billing" }))!;
    const recovered = (await repo.getExportBatch(cut.id))!;
    expect(recovered.chargeIds).toEqual(pending.charges.slice(0, 6).map((c) => c.id));
    expect(recovered.createdAt).toBe(EXPORTED_AT);
    expect(next.chargeIds).toEqual(pending.charges.slice(6).map((c) => c.id));
    expect(next.reversalIds).toEqual([(await repo.listReversals({ chargeId: back.id }))[0]!.id]);
    expect(await repo.openExportBatches()).toEqual([]);
    expect((await repo.countRoutersByState()).exported).toBe(9);
    expect((await repo.getRouter(back.serial))!.state).toBe("reversed");
    expect(await exportToBilling(repo, { now: EXPORTED_AT + 20, actor: "api:billing" })).toBeNull();
  });
});
