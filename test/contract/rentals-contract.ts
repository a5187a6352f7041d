// The RentalRepository contract: one suite every implementation must pass
// (SQLite in rentals-sqlite.test.ts, MongoDB/FerretDB in rentals-mongodb.test.ts).
// It checks what a caller can observe, plus the capability's main scenarios
// run end to end on each backend (flag once, export, reversal).

import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { exportToBilling } from "../../acs/rentals/billing-export.ts";
import { applyContractEvent, parseContractEvent } from "../../acs/rentals/contract-events.ts";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import type { Charge, RentalRepository, RentalRouter, RouterChange } from "../../acs/rentals/rental-repository.ts";
import { applyRouterAction } from "../../acs/rentals/router-actions.ts";

export interface OpenedRepository {
  repo: RentalRepository;
  close(): Promise<void>;
}

const T0 = Date.parse("2026-03-01T10:00:00Z");

function move(r: RentalRouter, to: RentalRouter["state"], key: string, extra: Partial<RouterChange> = {}): RouterChange {
  return { serial: r.serial, expectedVersion: r.version, key, at: T0 + r.version * 1000, actor: "test", steps: [{ from: r.state, to, reason: null, detail: {} }], patch: {}, ...extra };
}

/** A MAC of its own per serial (locally administered range). */
const macOf = (serial: string): string => `02:${createHash("sha256").update(serial).digest("hex").slice(0, 10).match(/../g)!.join(":")}`;

async function add(repo: RentalRepository, serial: string): Promise<RentalRouter> {
  const mac = macOf(serial);
  await repo.addRouters([{ serial, mac, model: "FlexBox 6" }], T0, "warehouse");
  return (await repo.getRouter(serial))!;
}

async function apply(repo: RentalRepository, change: RouterChange): Promise<RentalRouter> {
  const [o] = await repo.applyChanges([change]);
  expect(o!.status).toBe("applied");
  return o!.router;
}

/** A router shipped and active on a line. */
async function activeRouter(repo: RentalRepository, serial: string, lineId: string): Promise<RentalRouter> {
  const r = await add(repo, serial);
  const shipped = await apply(repo, move(r, "shipped", "ship"));
  return apply(repo, move(shipped, "active", "activate", { patch: { lineId, subscriberId: `sub-${lineId}` } }));
}

const charge = (id: string, serial: string, extra: Partial<Charge> = {}): Charge => ({
  id, serial, lineId: "L1", subscriberId: "S1", reason: "contract_end", dueDate: "2026-04-11", amountCents: 18000, currency: "EUR",
  flaggedAt: T0, status: "flagged", statusReason: null, statusAt: T0, exportBatchId: null,
  evidence: { shipping: null, dueBack: null, returns: [], contactsAfterDue: [], stillInUse: false }, ...extra,
});

export function describeRentalRepositoryContract(label: string, open: () => Promise<OpenedRepository>): void {
  describe(label, () => {
    let opened: OpenedRepository;
    let repo: RentalRepository;
    beforeEach(async () => {
      opened = await open();
      repo = opened.repo;
    });
    afterEach(async () => {
      await opened.close();
    });

    test("inventory: new routers start in stock with a creation record; a serial or MAC in use is refused", async () => {
      const out = await repo.addRouters([{ serial: "SN1", mac: "02:00:00:00:00:01", model: "FlexBox 6" }, { serial: "SN2", mac: "02:00:00:00:00:02", model: "FlexBox 6" }], T0, "warehouse");
      expect(out).toEqual([{ serial: "SN1", created: true, reason: null }, { serial: "SN2", created: true, reason: null }]);
      const again = await repo.addRouters([{ serial: "SN1", mac: "02:00:00:00:00:09", model: "X" }, { serial: "SN3", mac: "02:00:00:00:00:02", model: "X" }], T0, "warehouse");
      expect(again).toEqual([
        { serial: "SN1", created: false, reason: "router SN1 is already in the inventory" },
        { serial: "SN3", created: false, reason: "MAC 02:00:00:00:00:02 belongs to router SN2" },
      ]);
      expect(await repo.getRouter("SN3")).toBeNull();
      const r = await repo.getRouter("SN1");
      expect(r).toMatchObject({ serial: "SN1", mac: "02:00:00:00:00:01", model: "FlexBox 6", state: "in_stock", version: 1, lineId: null, createdAt: T0 });
      expect(await repo.history("SN1")).toEqual([
        { serial: "SN1", version: 1, step: 0, from: null, to: "in_stock", reason: null, detail: { mac: "02:00:00:00:00:01", model: "FlexBox 6" }, at: T0, actor: "warehouse", key: "created" },
      ]);
    });

    test("a change applies once: same key is a duplicate, a stale version a conflict", async () => {
      const r = await add(repo, "SN1");
      const ship = move(r, "shipped", "k1", { patch: { lineId: "L1", subscriberId: "S1" } });
      const [first] = await repo.applyChanges([ship]);
      expect(first).toMatchObject({ status: "applied", router: { state: "shipped", version: 2, lineId: "L1", subscriberId: "S1" } });
      const [dup] = await repo.applyChanges([ship]);
      expect(dup).toMatchObject({ status: "duplicate", router: { state: "shipped", version: 2 } });
      const [stale] = await repo.applyChanges([{ ...move(r, "shipped", "k2") }]);
      expect(stale).toMatchObject({ status: "conflict", router: { state: "shipped", version: 2 } });
      expect((await repo.history("SN1")).map((t) => [t.version, t.from, t.to, t.key])).toEqual([[1, null, "in_stock", "created"], [2, "in_stock", "shipped", "k1"]]);
      expect(await repo.serialsWithChangeKey("k1")).toEqual(["SN1"]);
    });

    test("an illegal step throws with the lifecycle's message and writes nothing of the batch", async () => {
      const a = await add(repo, "SN1");
      const b = await add(repo, "SN2");
      await expect(repo.applyChanges([move(a, "shipped", "ok"), move(b, "charge_flagged", "bad")])).rejects.toThrow(
        'router SN2: cannot go from "in_stock" to "charge_flagged" (allowed: shipped)',
      );
      expect((await repo.getRouter("SN1"))!.state).toBe("in_stock");
      await expect(repo.applyChanges([move({ ...a, serial: "NOPE" }, "shipped", "x")])).rejects.toThrow("router NOPE is not in the rented-router inventory");
    });

    test("several steps and several changes of one router in one batch", async () => {
      const r = await activeRouter(repo, "SN1", "L1");
      const due = move(r, "due_back", "due", { patch: { dueDate: "2026-04-11", dueReason: "contract_end" } });
      const next = { ...r, state: "due_back" as const, version: r.version + 1 };
      const flag: RouterChange = {
        ...move(next, "overdue", "flag"),
        steps: [{ from: "due_back", to: "overdue", reason: "late", detail: {} }, { from: "overdue", to: "charge_flagged", reason: "charge", detail: { chargeId: "c1" } }],
        patch: { chargeId: "c1" }, newCharge: charge("c1", "SN1"),
      };
      const outcomes = await repo.applyChanges([due, flag]);
      expect(outcomes.map((o) => o.status)).toEqual(["applied", "applied"]);
      expect(await repo.getRouter("SN1")).toMatchObject({ state: "charge_flagged", dueDate: "2026-04-11", dueReason: "contract_end", chargeId: "c1", lineId: "L1" });
      expect((await repo.history("SN1")).slice(-3).map((t) => [t.version, t.step, t.to])).toEqual([[4, 0, "due_back"], [5, 0, "overdue"], [5, 1, "charge_flagged"]]);
      expect(await repo.getCharge("c1")).toEqual(charge("c1", "SN1"));
    });

    test("charges: inserted once per id, updated by later changes; reversals once", async () => {
      const r = await activeRouter(repo, "SN1", "L1");
      const due = await apply(repo, move(r, "due_back", "due", { patch: { dueDate: "2026-04-11", dueReason: "contract_end" } }));
      const over = await apply(repo, move(due, "overdue", "over"));
      const flagged = await apply(repo, move(over, "charge_flagged", "flag", { newCharge: charge("c1", "SN1"), patch: { chargeId: "c1" } }));
      const exported = await apply(repo, move(flagged, "exported", "export", { chargeUpdate: { id: "c1", status: "exported", statusReason: null, statusAt: T0 + 9, exportBatchId: "b1" } }));
      const rev = { id: "rev1", chargeId: "c1", serial: "SN1", lineId: "L1", subscriberId: "S1", amountCents: -18000, currency: "EUR" as const, reason: "returned" as const, at: T0 + 10, actor: "desk", detail: { condition: "good" }, exportBatchId: null };
      await apply(repo, move(exported, "reversed", "return", { chargeUpdate: { id: "c1", status: "reversed", statusReason: "returned", statusAt: T0 + 10 }, reversal: rev }));
      expect(await repo.getCharge("c1")).toMatchObject({ status: "reversed", statusReason: "returned", statusAt: T0 + 10, exportBatchId: "b1" });
      expect(await repo.getReversal("rev1")).toEqual(rev);
      expect(await repo.listReversals({ chargeId: "c1" })).toEqual([rev]);
      expect((await repo.listCharges({})).map((c) => c.id)).toEqual(["c1"]);
      expect(await repo.listCharges({ status: "flagged" })).toEqual([]);
      expect((await repo.listCharges({ serial: "SN1", status: "reversed" })).length).toBe(1);
    });

    test("lists: routers by state, line, subscriber, paged by serial; counts; routers owed before a date", async () => {
      for (const [serial, line] of [["A1", "L1"], ["A2", "L2"], ["A3", "L1"]] as const) await activeRouter(repo, serial, line);
      await add(repo, "B1");
      const a2 = (await repo.getRouter("A2"))!;
      await apply(repo, move(a2, "due_back", "d", { patch: { dueDate: "2026-04-10", dueReason: "exchange" } }));
      const a3 = (await repo.getRouter("A3"))!;
      await apply(repo, move(a3, "due_back", "d", { patch: { dueDate: "2026-04-12", dueReason: "contract_end" } }));
      expect((await repo.listRouters({ lineId: "L1" })).map((r) => r.serial)).toEqual(["A1", "A3"]);
      expect((await repo.listRouters({ state: "due_back" })).map((r) => r.serial)).toEqual(["A2", "A3"]);
      expect((await repo.listRouters({ subscriberId: "sub-L2" })).map((r) => r.serial)).toEqual(["A2"]);
      expect((await repo.listRouters({ after: "A2", limit: 1 })).map((r) => r.serial)).toEqual(["A3"]);
      expect(await repo.countRoutersByState()).toEqual({ active: 1, due_back: 2, in_stock: 1 });
      expect((await repo.owedRouters("2026-04-11", null, 10)).map((r) => r.serial)).toEqual(["A2"]);
      expect((await repo.owedRouters("2026-04-13", null, 10)).map((r) => r.serial)).toEqual(["A2", "A3"]);
      expect((await repo.owedRouters("2026-04-13", "A2", 10)).map((r) => r.serial)).toEqual(["A3"]);
      expect((await repo.transitionsOf(["A3", "A2"])).map((t) => `${t.serial}:${t.to}`)).toEqual([
        "A2:in_stock", "A2:shipped", "A2:active", "A2:due_back", "A3:in_stock", "A3:shipped", "A3:active", "A3:due_back",
      ]);
    });

    test("contract events: recorded once per id, listed newest first", async () => {
      const e = { ...parseContractEvent({ eventId: "E1", type: "suspension", lineId: "L1", subscriberId: "S1", date: "2026-03-02" }), receivedAt: T0, actor: "crm", source: "api" as const, outcome: { routers: [], note: "n" } };
      expect(await repo.recordContractEvent(e)).toBe(true);
      expect(await repo.recordContractEvent({ ...e, receivedAt: T0 + 5 })).toBe(false);
      expect(await repo.getContractEvent("E1")).toEqual(e);
      await repo.recordContractEvent({ ...e, eventId: "E2", lineId: "L2", receivedAt: T0 + 1 });
      await repo.recordContractEvent({ ...e, eventId: "E0", lineId: "L2", receivedAt: T0 + 1 }); // same ms: recording order
      expect((await repo.listContractEvents({})).map((x) => x.eventId)).toEqual(["E0", "E2", "E1"]);
      expect((await repo.listContractEvents({ lineId: "L1" })).map((x) => x.eventId)).toEqual(["E1"]);
      expect(await repo.getContractEvent("nope")).toBeNull();
    });

    test("export: one batch per item, sealed once, pending excludes claimed and settled items", async () => {
      const r = await activeRouter(repo, "SN1", "L1");
      const due = await apply(repo, move(r, "due_back", "d", { patch: { dueDate: "2026-04-11", dueReason: "contract_end" } }));
      const over = await apply(repo, move(due, "overdue", "o"));
      await apply(repo, move(over, "charge_flagged", "f", { newCharge: charge("c1", "SN1") }));
      const r2 = await activeRouter(repo, "SN2", "L2");
      const due2 = await apply(repo, move(r2, "due_back", "d", { patch: { dueDate: "2026-04-11", dueReason: "contract_end" } }));
      const over2 = await apply(repo, move(due2, "overdue", "o"));
      await apply(repo, move(over2, "charge_flagged", "f", { newCharge: charge("c2", "SN2") }));
      expect((await repo.pendingExport()).charges.map((c) => c.id)).toEqual(["c1", "c2"]);

      expect(await repo.openExportBatch({ id: "B1", createdAt: T0, actor: "billing" })).toBe(true);
      expect(await repo.openExportBatch({ id: "B1", createdAt: T0, actor: "billing" })).toBe(false);
      expect(await repo.claimExportItem({ itemId: "c1", kind: "charge", batchId: "B1" })).toBe(true);
      expect(await repo.claimExportItem({ itemId: "c1", kind: "charge", batchId: "B2" })).toBe(false);
      expect(await repo.exportItemOf("c1")).toEqual({ itemId: "c1", kind: "charge", batchId: "B1" });
      expect(await repo.exportItemOf("c2")).toBeNull();
      expect((await repo.pendingExport()).charges.map((c) => c.id)).toEqual(["c2"]);
      expect(await repo.exportItems("B1")).toEqual([{ itemId: "c1", kind: "charge", batchId: "B1" }]);
      expect(await repo.openExportBatches()).toEqual([{ id: "B1", createdAt: T0, actor: "billing" }]);

      const batch = { id: "B1", createdAt: T0, actor: "billing", chargeIds: ["c1"], reversalIds: [], totalCents: 18000, csv: "a,b\n1,2\n", json: "{}\n" };
      expect(await repo.sealExportBatch(batch)).toBe(true);
      expect(await repo.sealExportBatch({ ...batch, csv: "changed" })).toBe(false);
      expect(await repo.getExportBatch("B1")).toEqual(batch);
      await repo.sealExportBatch({ ...batch, id: "B0", createdAt: T0 - 1 });
      expect((await repo.listExportBatches()).map((b) => b.id)).toEqual(["B1", "B0"]);
      expect((await repo.listExportBatches(1))[0]).toEqual({ id: "B1", createdAt: T0, actor: "billing", chargeIds: ["c1"], reversalIds: [], totalCents: 18000 });
      await repo.closeExportBatch("B1");
      expect(await repo.openExportBatches()).toEqual([]);
      expect(await repo.getExportBatch("nope")).toBeNull();
    });

    test("pending reversals until marked exported", async () => {
      const r = await activeRouter(repo, "SN1", "L1");
      const due = await apply(repo, move(r, "due_back", "d", { patch: { dueDate: "2026-04-11", dueReason: "contract_end" } }));
      const over = await apply(repo, move(due, "overdue", "o"));
      const fl = await apply(repo, move(over, "charge_flagged", "f", { newCharge: charge("c1", "SN1") }));
      const ex = await apply(repo, move(fl, "exported", "e", { chargeUpdate: { id: "c1", status: "exported", statusReason: null, statusAt: T0, exportBatchId: "B1" } }));
      const rev = { id: "rev1", chargeId: "c1", serial: "SN1", lineId: "L1", subscriberId: "S1", amountCents: -18000, currency: "EUR" as const, reason: "returned" as const, at: T0, actor: "desk", detail: {}, exportBatchId: null };
      await apply(repo, move(ex, "reversed", "r", { reversal: rev }));
      expect(await repo.pendingExport()).toEqual({ charges: [], reversals: [rev] });
      await repo.markReversalExported("rev1", "B2");
      expect(await repo.pendingExport()).toEqual({ charges: [], reversals: [] });
      expect((await repo.getReversal("rev1"))!.exportBatchId).toBe("B2");
    });

    test("contacts aggregate per router, Paris day and address", async () => {
      const c = (at: number, day: string, remoteAddress = "192.0.2.7") => repo.recordContact({ serial: "SN1", deviceId: "dev-1", day, remoteAddress, at });
      await c(T0 + 5000, "2026-04-12");
      await c(T0 + 1000, "2026-04-12");
      await c(T0 + 9000, "2026-04-12");
      await c(T0 + 2000, "2026-04-12", "198.51.100.1");
      await c(T0 + 3000, "2026-04-13");
      await repo.recordContact({ serial: "SN2", deviceId: "dev-2", day: "2026-04-12", remoteAddress: "192.0.2.8", at: T0 });
      expect(await repo.contactsOf(["SN1"], "2026-04-11")).toEqual([
        { serial: "SN1", deviceId: "dev-1", day: "2026-04-12", remoteAddress: "192.0.2.7", firstAt: T0 + 1000, lastAt: T0 + 9000, count: 3 },
        { serial: "SN1", deviceId: "dev-1", day: "2026-04-12", remoteAddress: "198.51.100.1", firstAt: T0 + 2000, lastAt: T0 + 2000, count: 1 },
        { serial: "SN1", deviceId: "dev-1", day: "2026-04-13", remoteAddress: "192.0.2.7", firstAt: T0 + 3000, lastAt: T0 + 3000, count: 1 },
      ]);
      expect((await repo.contactsOf(["SN1", "SN2"], "2026-04-12")).map((x) => `${x.serial}:${x.day}`)).toEqual(["SN1:2026-04-13"]);
      expect((await repo.contactsOf(["SN2"], null)).length).toBe(1);
    });

    test("review flags once per id; the address→line map keeps the newest entry", async () => {
      const flag = {
        id: "rv1", serial: "SN1", deviceId: "d1", kind: "online_on_other_line" as const, routerState: "overdue" as const, routerLineId: "L1",
        routerSubscriberId: "S1", observedLineId: "L2", observedSubscriberId: "S2", remoteAddress: "192.0.2.7", at: T0,
      };
      expect(await repo.addReviewFlag(flag)).toBe(true);
      expect(await repo.addReviewFlag({ ...flag, at: T0 + 1 })).toBe(false);
      await repo.addReviewFlag({ ...flag, id: "rv2", serial: "SN2", at: T0 + 2 });
      expect((await repo.listReviewFlags({})).map((f) => f.id)).toEqual(["rv2", "rv1"]);
      expect(await repo.listReviewFlags({ serial: "SN1" })).toEqual([flag]);

      await repo.noteLineAddress({ remoteAddress: "192.0.2.7", lineId: "L1", subscriberId: "S1", serial: "SN1", at: T0 + 10 });
      await repo.noteLineAddress({ remoteAddress: "192.0.2.7", lineId: "L9", subscriberId: null, serial: "SN9", at: T0 + 5 });
      expect(await repo.lineAtAddress("192.0.2.7")).toEqual({ remoteAddress: "192.0.2.7", lineId: "L1", subscriberId: "S1", serial: "SN1", at: T0 + 10 });
      await repo.noteLineAddress({ remoteAddress: "192.0.2.7", lineId: "L2", subscriberId: "S2", serial: "SN2", at: T0 + 20 });
      expect((await repo.lineAtAddress("192.0.2.7"))!.lineId).toBe("L2");
      expect(await repo.lineAtAddress("203.0.113.1")).toBeNull();
    });

    test("flagging runs: started, finished, listed by day newest first", async () => {
      await repo.startFlaggingRun({ id: "r1", day: "2026-04-12", instance: "acs-a", startedAt: T0, finishedAt: null, result: null });
      await repo.startFlaggingRun({ id: "r2", day: "2026-04-13", instance: "acs-b", startedAt: T0 + 10, finishedAt: null, result: null });
      await repo.finishFlaggingRun("r1", T0 + 5, { flagged: 3, scanned: 4 });
      expect(await repo.listFlaggingRuns({ day: "2026-04-12" })).toEqual([
        { id: "r1", day: "2026-04-12", instance: "acs-a", startedAt: T0, finishedAt: T0 + 5, result: { flagged: 3, scanned: 4 } },
      ]);
      expect((await repo.listFlaggingRuns({})).map((r) => r.id)).toEqual(["r2", "r1"]);
      expect((await repo.listFlaggingRuns({ limit: 1 })).map((r) => r.id)).toEqual(["r2"]);
    });

    test("scenario: termination → flagged once for 180.00 EUR → exported → returned → one reversal", async () => {
      await activeRouter(repo, "SN1", "L1");
      const ev = parseContractEvent({ type: "termination_request", lineId: "L1", subscriberId: "sub-L1", date: "2026-03-02" });
      const ctx = { now: T0, actor: "crm", source: "csv" as const, deadlineDays: 30 };
      expect((await applyContractEvent(repo, ev, ctx)).status).toBe("applied");
      expect((await applyContractEvent(repo, ev, ctx)).status).toBe("duplicate");
      expect(await repo.getRouter("SN1")).toMatchObject({ state: "due_back", dueDate: "2026-04-11", dueReason: "contract_end" });

      expect((await runFlagging(repo, { today: "2026-04-11", now: T0 })).flagged).toBe(0);
      const first = await runFlagging(repo, { today: "2026-04-12", now: T0 + 1 });
      const second = await runFlagging(repo, { today: "2026-04-13", now: T0 + 2 });
      expect([first.flagged, second.flagged]).toEqual([1, 0]);
      const charges = await repo.listCharges({});
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ serial: "SN1", amountCents: 18000, currency: "EUR", dueDate: "2026-04-11", reason: "contract_end", lineId: "L1", subscriberId: "sub-L1" });

      const batch = (await exportToBilling(repo, { now: T0 + 3, actor: "billing" }))!;
      expect(batch.chargeIds).toEqual([charges[0]!.id]);
      expect(await exportToBilling(repo, { now: T0 + 4, actor: "billing" })).toBeNull();
      expect((await repo.getRouter("SN1"))!.state).toBe("exported");

      await applyRouterAction(repo, "SN1", { to: "returned", condition: "good" }, { now: T0 + 5, actor: "desk", key: "scan-1" });
      expect((await repo.getCharge(charges[0]!.id))!.status).toBe("reversed");
      const reversals = await repo.listReversals({ chargeId: charges[0]!.id });
      expect(reversals.map((r) => r.amountCents)).toEqual([-18000]);
      const next = (await exportToBilling(repo, { now: T0 + 6, actor: "billing" }))!;
      expect([next.chargeIds, next.reversalIds, next.totalCents]).toEqual([[], [reversals[0]!.id], -18000]);
      expect((await repo.getExportBatch(batch.id))!.csv).toBe(batch.csv);
    });
  });
}
