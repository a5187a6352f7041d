// Acceptance of the rented-router lifecycle with a controlled clock (every
// `today` and `now` is passed explicitly), on a real SQLite repository:
// contract events → due back → returned or flagged once for 180.00 EUR →
// exported → reversed / waived / paid.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportToBilling } from "../../acs/rentals/billing-export.ts";
import { RentalRuleError } from "../../acs/rentals/commit.ts";
import { applyContractEvent, parseContractEvent, type ContractEventInput } from "../../acs/rentals/contract-events.ts";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import { IllegalTransitionError } from "../../acs/rentals/lifecycle.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { applyRouterAction, type RouterAction } from "../../acs/rentals/router-actions.ts";
import { openTestRepo, type TestRepo } from "../helpers/rental-repo.ts";

const at = (date: string): number => Date.parse(`${date}T09:00:00Z`);

let t: TestRepo;
let repo: RentalRepository;
beforeEach(() => {
  t = openTestRepo();
  repo = t.repo;
});
afterEach(() => t.close());

let keys = 0;
const act = (serial: string, action: RouterAction, date: string) =>
  applyRouterAction(repo, serial, action, { now: at(date), actor: "api:desk", key: `k${++keys}` });
const event = (input: ContractEventInput, date = input.date) =>
  applyContractEvent(repo, parseContractEvent(input), { now: at(date), actor: "api:crm", source: "api", deadlineDays: 30 });
const flag = (today: string) => runFlagging(repo, { today, now: at(today) });

async function stock(serial: string, n = Number(serial.replace(/\D/g, ""))): Promise<void> {
  await repo.addRouters([{ serial, mac: `02:00:00:00:00:${n.toString(16).padStart(2, "0")}`, model: "FlexBox 6" }], at("2026-01-02"), "warehouse");
}

/** A rented router shipped (12 EUR delivery) and activated on a line. */
async function rentedOnLine(serial: string, lineId: string): Promise<void> {
  await stock(serial);
  await act(serial, { to: "shipped", tracking: `TRK-${serial}` }, "2026-01-05");
  await event({ type: "activation", lineId, subscriberId: `S-${lineId}`, date: "2026-01-10", serial });
}

const terminate = (lineId: string, date: string) => event({ type: "termination_request", lineId, subscriberId: `S-${lineId}`, date });

describe("termination: due back 30 days after it takes effect (10 days from the day after receipt)", () => {
  it.each([
    ["2026-03-02", "2026-03-12", "2026-04-11"], // the sheet's example
    ["2026-01-25", "2026-02-04", "2026-03-06"], // month boundary
    ["2026-12-25", "2027-01-04", "2027-02-03"], // year boundary
    ["2026-03-25", "2026-04-04", "2026-05-04"], // spring daylight-saving change (29 March)
    ["2026-10-20", "2026-10-30", "2026-11-29"], // autumn daylight-saving change (25 October)
    ["2026-03-29", "2026-04-08", "2026-05-08"], // received on the spring DST day itself
  ])("request received %s → effective %s → due back %s", async (received, effective, due) => {
    await rentedOnLine("SN1", "L1");
    const { event: recorded } = await terminate("L1", received);
    expect(recorded.outcome).toEqual({ routers: ["SN1"], note: null });
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "due_back", dueDate: due, dueReason: "contract_end", lineId: "L1", subscriberId: "S-L1" });
    const dueBack = (await repo.history("SN1")).at(-1)!;
    expect(dueBack).toMatchObject({ from: "active", to: "due_back", reason: "contract_end", actor: "api:crm", detail: { requestReceived: received, effectiveDate: effective, dueDate: due } });
  });
});

describe("non-return charge", () => {
  it("never flags a router returned the day before its deadline", async () => {
    await rentedOnLine("SN1", "L1");
    await terminate("L1", "2026-03-02"); // due back 2026-04-11
    await act("SN1", { to: "returned", condition: "good" }, "2026-04-10");
    for (const today of ["2026-04-11", "2026-04-12", "2026-06-30"]) expect((await flag(today)).flagged).toBe(0);
    expect(await repo.listCharges({})).toEqual([]);
    expect((await repo.getRouter("SN1"))!.state).toBe("returned");
  });

  it("is not flagged on the due date itself, is flagged once the day after, once only", async () => {
    await rentedOnLine("SN1", "L1");
    await terminate("L1", "2026-03-02");
    expect((await flag("2026-04-11")).flagged).toBe(0);
    expect(await flag("2026-04-12")).toEqual({ scanned: 1, flagged: 1, duplicates: 0, skipped: 0 });
    expect((await flag("2026-04-12")).flagged).toBe(0);
    expect((await flag("2026-04-13")).flagged).toBe(0);
    const charges = await repo.listCharges({});
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({
      serial: "SN1", lineId: "L1", subscriberId: "S-L1", reason: "contract_end", dueDate: "2026-04-11",
      amountCents: 18000, currency: "EUR", status: "flagged", flaggedAt: at("2026-04-12"),
    });
    expect(charges[0]!.id).toMatch(/^chg_[0-9a-f]{24}$/);
    // The shipping record (12 EUR delivery) is part of the evidence.
    expect(charges[0]!.evidence.shipping).toMatchObject({ actor: "api:desk", detail: { deliveryFeeCents: 1200, tracking: "TRK-SN1" } });
    expect(charges[0]!.evidence.dueBack).toMatchObject({ reason: "contract_end", detail: { dueDate: "2026-04-11" } });
    expect(charges[0]!.evidence).toMatchObject({ returns: [], contactsAfterDue: [], stillInUse: false });
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "charge_flagged", chargeId: charges[0]!.id });
    expect((await repo.history("SN1")).slice(-2).map((h) => [h.from, h.to, h.actor])).toEqual([
      ["due_back", "overdue", "job:rentals-flagging"], ["overdue", "charge_flagged", "job:rentals-flagging"],
    ]);
  });

  it("returned the day after the deadline: flagged once, then cancelled when scanned back before export", async () => {
    await rentedOnLine("SN1", "L1");
    await terminate("L1", "2026-03-02");
    await flag("2026-04-12");
    const res = await act("SN1", { to: "returned", condition: "damaged", note: "cracked case" }, "2026-04-12");
    expect(res.router.state).toBe("reversed");
    expect(res.transitions.map((x) => [x.from, x.to, x.detail.condition])).toEqual([["charge_flagged", "reversed", "damaged"]]);
    const [charge] = await repo.listCharges({});
    expect(charge).toMatchObject({ status: "reversed", statusReason: "returned" });
    expect(await repo.listReversals({})).toEqual([]); // billing never had it
    expect(await exportToBilling(repo, { now: at("2026-04-13"), actor: "api:billing" })).toBeNull();
    expect((await flag("2026-04-14")).flagged).toBe(0);
  });

  it("returned after the export: a reversal record goes to billing in the next batch", async () => {
    await rentedOnLine("SN1", "L1");
    await terminate("L1", "2026-03-02");
    await flag("2026-04-12");
    const first = (await exportToBilling(repo, { now: at("2026-04-12"), actor: "api:billing" }))!;
    expect((await repo.getRouter("SN1"))!.state).toBe("exported");
    await act("SN1", { to: "returned", condition: "good" }, "2026-04-20");
    const [charge] = await repo.listCharges({});
    expect(charge).toMatchObject({ status: "reversed", exportBatchId: first.id });
    const reversals = await repo.listReversals({ chargeId: charge!.id });
    expect(reversals).toMatchObject([{ amountCents: -18000, currency: "EUR", reason: "returned", serial: "SN1", lineId: "L1", subscriberId: "S-L1", detail: { condition: "good" } }]);
    const second = (await exportToBilling(repo, { now: at("2026-04-21"), actor: "api:billing" }))!;
    expect([second.chargeIds, second.reversalIds, second.totalCents]).toEqual([[], [reversals[0]!.id], -18000]);
    expect(await exportToBilling(repo, { now: at("2026-04-22"), actor: "api:billing" })).toBeNull();
    await act("SN1", { to: "in_stock" }, "2026-04-23");
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "in_stock", lineId: null, chargeId: null, dueDate: null });
  });

  it("an exchange flags only the old unit", async () => {
    await rentedOnLine("SN1", "L1");
    await stock("SN2");
    await act("SN2", { to: "shipped" }, "2026-04-28");
    await event({ type: "exchange", lineId: "L1", subscriberId: "S-L1", date: "2026-05-01", serial: "SN1", newSerial: "SN2" });
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "due_back", dueReason: "exchange", dueDate: "2026-05-31" });
    expect(await repo.getRouter("SN2")).toMatchObject({ state: "active", lineId: "L1", subscriberId: "S-L1" });
    expect((await flag("2026-05-31")).flagged).toBe(0);
    expect((await flag("2026-06-01")).flagged).toBe(1);
    expect((await repo.listCharges({})).map((c) => [c.serial, c.reason, c.dueDate])).toEqual([["SN1", "exchange", "2026-05-31"]]);
    expect((await repo.getRouter("SN2"))!.state).toBe("active");
    // The new unit is owed back at the contract's end, like any router.
    await terminate("L1", "2026-06-10");
    expect(await repo.getRouter("SN2")).toMatchObject({ state: "due_back", dueDate: "2026-07-20" });
  });

  it("customer-owned routers and ONTs never enter the lifecycle and are never charged", async () => {
    const own = await event({ type: "activation", lineId: "L7", subscriberId: "S7", date: "2026-01-10", serial: "OWN-1", equipment: "customer_owned" });
    expect(own.event.outcome).toEqual({ routers: [], note: "customer-owned router: not a rented router, nothing tracked or charged" });
    const ont = await event({ type: "activation", lineId: "L7", subscriberId: "S7", date: "2026-01-10", serial: "ONT-1", equipment: "ont" });
    expect(ont.event.outcome.note).toBe("ONT: not a rented router, nothing tracked or charged");
    await event({ type: "exchange", lineId: "L7", subscriberId: "S7", date: "2026-02-01", serial: "ONT-1", newSerial: "ONT-2", equipment: "ont" });
    const end = await terminate("L7", "2026-03-02");
    expect(end.event.outcome).toEqual({ routers: [], note: "no rented router active on line L7: nothing owed back" });
    expect(await repo.listRouters({})).toEqual([]);
    expect((await flag("2027-01-01")).flagged).toBe(0);
    expect(await repo.listCharges({})).toEqual([]);
    // A rented router cannot be passed off as customer-owned.
    await stock("SN1");
    await expect(event({ type: "activation", lineId: "L8", subscriberId: "S8", date: "2026-01-10", serial: "SN1", equipment: "customer_owned" }))
      .rejects.toThrow("router SN1 is a rented router in the inventory, but the event says equipment customer_owned");
  });

  it("the same events applied twice and the job run twice give one charge", async () => {
    await rentedOnLine("SN1", "L1");
    const input = { type: "termination_request", lineId: "L1", subscriberId: "S-L1", date: "2026-03-02" } as const;
    expect((await event(input)).status).toBe("applied");
    expect((await event(input, "2026-03-03")).status).toBe("duplicate"); // same content → same derived event id
    expect((await event({ ...input, eventId: "CRM-1" })).status).toBe("applied"); // another id, nothing active left
    expect((await repo.getContractEvent("CRM-1"))!.outcome.routers).toEqual([]);
    await Promise.all([flag("2026-04-12"), flag("2026-04-12")]);
    await flag("2026-04-13");
    expect(await repo.listCharges({})).toHaveLength(1);
  });

  it("waived (e.g. lost by the carrier): after export billing gets a reversal with the reason", async () => {
    await rentedOnLine("SN1", "L1");
    await terminate("L1", "2026-03-02");
    await flag("2026-04-12");
    await exportToBilling(repo, { now: at("2026-04-12"), actor: "api:billing" });
    const res = await act("SN1", { to: "waived", reason: "lost by the carrier" }, "2026-04-15");
    expect(res.router.state).toBe("waived");
    const [charge] = await repo.listCharges({});
    expect(charge).toMatchObject({ status: "waived", statusReason: "lost by the carrier" });
    expect(await repo.listReversals({})).toMatchObject([{ reason: "waived", amountCents: -18000, detail: { reason: "lost by the carrier" } }]);
    await expect(act("SN1", { to: "returned", condition: "good" }, "2026-04-16")).rejects.toThrow('"waived" is final');
  });

  it("paid, then returned: a refund reversal", async () => {
    await rentedOnLine("SN1", "L1");
    await terminate("L1", "2026-03-02");
    await flag("2026-04-12");
    await exportToBilling(repo, { now: at("2026-04-12"), actor: "api:billing" });
    await act("SN1", { to: "paid", reference: "INV-42" }, "2026-04-30");
    expect((await repo.listCharges({}))[0]).toMatchObject({ status: "paid", statusReason: "INV-42" });
    await act("SN1", { to: "returned", condition: "good" }, "2026-05-10");
    expect((await repo.listCharges({}))[0]!.status).toBe("reversed");
    expect((await repo.listReversals({})).map((r) => r.amountCents)).toEqual([-18000]);
  });
});

describe("refusals", () => {
  it("illegal transitions and inconsistent events are refused with a clear error, nothing written", async () => {
    await stock("SN1");
    await expect(act("SN1", { to: "paid" }, "2026-01-03")).rejects.toThrow(new IllegalTransitionError("SN1", "in_stock", "paid"));
    await expect(act("SN1", { to: "paid" }, "2026-01-03")).rejects.toThrow('router SN1: cannot go from "in_stock" to "paid" (allowed: shipped)');
    // Activation of a router that was never shipped.
    await expect(event({ type: "activation", lineId: "L1", subscriberId: "S1", date: "2026-01-10", serial: "SN1" }))
      .rejects.toThrow("router SN1 is in_stock, not shipped: only a shipped router can be put on a line");
    await expect(event({ type: "activation", lineId: "L1", subscriberId: "S1", date: "2026-01-10", serial: "NOPE" }))
      .rejects.toThrow(RentalRuleError);
    await act("SN1", { to: "shipped" }, "2026-01-05");
    await event({ type: "activation", lineId: "L1", subscriberId: "S1", date: "2026-01-10", serial: "SN1" });
    await stock("SN2");
    await act("SN2", { to: "shipped" }, "2026-01-05");
    await expect(event({ type: "exchange", lineId: "L9", subscriberId: "S9", date: "2026-02-01", serial: "SN1", newSerial: "SN2" }))
      .rejects.toThrow("router SN1 is active on line L1, not on line L9");
    expect(await repo.getRouter("SN2")).toMatchObject({ state: "shipped" });
    await terminate("L1", "2026-03-02");
    await expect(act("SN1", { to: "waived", reason: "goodwill" }, "2026-04-01")).rejects.toThrow('cannot go from "due_back" to "waived"');
    expect(await repo.listContractEvents({})).toHaveLength(2); // the refused events are not recorded
  });

  it("a suspension moves nothing; a reactivation withdraws a pending termination", async () => {
    await rentedOnLine("SN1", "L1");
    const s = await event({ type: "suspension", lineId: "L1", subscriberId: "S-L1", date: "2026-02-01" });
    expect(s.event.outcome.note).toBe("suspension: the router stays with the subscriber");
    expect((await repo.getRouter("SN1"))!.state).toBe("active");
    await terminate("L1", "2026-03-02");
    await event({ type: "reactivation", lineId: "L1", subscriberId: "S-L1", date: "2026-03-05" });
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "active", dueDate: null, dueReason: null });
    expect((await flag("2026-06-01")).flagged).toBe(0);
  });
});
