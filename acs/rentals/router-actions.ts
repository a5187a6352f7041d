// Moves recorded by people (warehouse, support, billing): shipping, a return
// scanned in (with its condition), a waiver (with its reason), a payment, and
// restocking. A return of a router whose charge billing already has (exported,
// paid, or claimed by an export batch) writes a reversal record for billing;
// a return before that just cancels the charge. Moves the system owns
// (due_back, overdue, charge_flagged, exported) are refused here.

import { commitPlanned, RentalRuleError } from "./commit.ts";
import { DELIVERY_FEE_CENTS, NON_RETURN_CHARGE_CENTS } from "./contract-dates.ts";
import { assertTransition, type RentalState } from "./lifecycle.ts";
import type { ChargeStatus, RentalRepository, RentalRouter, RentalTransition, Reversal, RouterChange, RouterPatch } from "./rental-repository.ts";

export const RETURN_CONDITIONS = ["good", "damaged", "incomplete", "faulty"] as const;
export type ReturnCondition = (typeof RETURN_CONDITIONS)[number];

export type RouterAction =
  | { to: "shipped"; tracking?: string; lineId?: string; subscriberId?: string }
  | { to: "returned"; condition: ReturnCondition; note?: string }
  | { to: "waived"; reason: string }
  | { to: "paid"; reference?: string }
  | { to: "in_stock"; note?: string };

export const ACTION_TARGETS = ["shipped", "returned", "waived", "paid", "in_stock"] as const satisfies readonly RouterAction["to"][];

export interface ActionContext {
  now: number;
  actor: string;
  /** Idempotency key of the request (a retried request is applied once). */
  key: string;
}

/** States whose charge billing may already hold: undoing it needs a reversal record. */
const BILLED: ReadonlySet<RentalState> = new Set(["exported", "paid"]);
const CHARGED: ReadonlySet<RentalState> = new Set(["charge_flagged", "exported", "paid"]);

const reversalIdFor = (chargeId: string): string => `rev_${chargeId.replace(/^chg_/, "")}`;

async function billingHas(repo: RentalRepository, r: RentalRouter): Promise<boolean> {
  return BILLED.has(r.state) || (r.chargeId !== null && (await repo.exportItemOf(r.chargeId)) !== null);
}

async function planAction(repo: RentalRepository, r: RentalRouter, action: RouterAction, ctx: ActionContext): Promise<RouterChange> {
  const change = (to: RentalState, reason: string | null, detail: Record<string, unknown>, patch: RouterPatch = {}): RouterChange => {
    assertTransition(r.serial, r.state, to);
    return { serial: r.serial, expectedVersion: r.version, key: ctx.key, at: ctx.now, actor: ctx.actor, steps: [{ from: r.state, to, reason, detail }], patch };
  };
  const undoCharge = async (status: ChargeStatus, reason: Reversal["reason"], statusReason: string | null, detail: Record<string, unknown>): Promise<Partial<RouterChange>> => {
    const chargeId = r.chargeId!;
    const reversal: Reversal | undefined = (await billingHas(repo, r))
      ? {
        id: reversalIdFor(chargeId), chargeId, serial: r.serial, lineId: r.lineId, subscriberId: r.subscriberId,
        amountCents: -NON_RETURN_CHARGE_CENTS, currency: "EUR", reason, at: ctx.now, actor: ctx.actor, detail, exportBatchId: null,
      }
      : undefined;
    return { chargeUpdate: { id: chargeId, status, statusReason, statusAt: ctx.now }, ...(reversal ? { reversal } : {}) };
  };

  switch (action.to) {
    case "shipped": {
      const patch: RouterPatch = { dueDate: null, dueReason: null, chargeId: null };
      if (action.lineId !== undefined) patch.lineId = action.lineId;
      if (action.subscriberId !== undefined) patch.subscriberId = action.subscriberId;
      // Offer sheet: delivery of the equipment, 12 EUR by post (contract-dates.ts).
      const detail = { deliveryFeeCents: DELIVERY_FEE_CENTS, tracking: action.tracking ?? null, lineId: action.lineId ?? null, subscriberId: action.subscriberId ?? null };
      return change("shipped", "shipment", detail, patch);
    }
    case "returned": {
      const detail = { condition: action.condition, note: action.note ?? null };
      if (!CHARGED.has(r.state)) return change("returned", "return", detail);
      return { ...change("reversed", "returned after the charge", { ...detail, chargeId: r.chargeId }), ...(await undoCharge("reversed", "returned", "returned", detail)) };
    }
    case "waived": {
      const detail = { reason: action.reason, chargeId: r.chargeId };
      return { ...change("waived", action.reason, detail), ...(await undoCharge("waived", "waived", action.reason, detail)) };
    }
    case "paid": {
      const c = change("paid", "payment", { reference: action.reference ?? null, chargeId: r.chargeId });
      return { ...c, chargeUpdate: { id: r.chargeId!, status: "paid", statusReason: action.reference ?? null, statusAt: ctx.now } };
    }
    case "in_stock":
      return change("in_stock", "restocked", { note: action.note ?? null }, { lineId: null, subscriberId: null, dueDate: null, dueReason: null, chargeId: null });
  }
}

/** Applies one action; returns the router after it and the history lines it added. */
export async function applyRouterAction(
  repo: RentalRepository, serial: string, action: RouterAction, ctx: ActionContext,
): Promise<{ status: "applied" | "duplicate"; router: RentalRouter; transitions: RentalTransition[] }> {
  const [outcome] = await commitPlanned(repo, async () => {
    const r = await repo.getRouter(serial);
    if (!r) throw new RentalRuleError(`router ${serial} is not in the rented-router inventory`);
    if ((await repo.serialsWithChangeKey(ctx.key)).includes(serial)) return [];
    return [await planAction(repo, r, action, ctx)];
  });
  const router = outcome?.router ?? (await repo.getRouter(serial))!;
  const transitions = (await repo.history(serial)).filter((t) => t.key === ctx.key);
  return { status: outcome?.status === "applied" ? "applied" : "duplicate", router, transitions };
}
