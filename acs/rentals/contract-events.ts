// Contract events from billing/CRM (activation, exchange, termination request,
// suspension, reactivation): validation of one event, then planning the
// router changes it causes (pure: reads only, through a RouterView), then
// committing them and recording the event.
//
// Idempotency: an event id is given by the CRM or derived from the event's
// content. Every change an event causes carries the key "event:<id>", and
// the event is recorded only after its changes: an event imported twice is a
// no-op, and an import killed between the two is completed by the next one.
//
// Only rented routers (in the inventory) enter the lifecycle: an event about
// a customer-owned router or an ONT is recorded and moves nothing.

import { createHash } from "node:crypto";
import { z } from "zod";
import { isPlainDate } from "../lib/paris-calendar.ts";
import { commitPlanned, RentalRuleError } from "./commit.ts";
import { returnDueDate, terminationEffectiveDate } from "./contract-dates.ts";
import { assertTransition } from "./lifecycle.ts";
import {
  CONTRACT_EVENT_TYPES, EQUIPMENT_KINDS, routerAfter,
  type ContractEvent, type ContractEventRecord, type RentalRepository, type RentalRouter, type RouterChange, type RouterPatch,
} from "./rental-repository.ts";

const id = (what: string) => z.string({ error: `${what} is required` }).trim().min(1, `${what} must not be empty`).max(128, `${what} is longer than 128 characters`);
const optionalId = (what: string) => id(what).nullish().transform((v) => v ?? null);

const CONTRACT_EVENT_SCHEMA = z.strictObject({
  eventId: id("eventId").regex(/^[\x21-\x7e]+$/, "eventId must be printable ASCII without spaces").optional(),
  type: z.enum(CONTRACT_EVENT_TYPES, { error: `type must be one of: ${CONTRACT_EVENT_TYPES.join(", ")}` }),
  lineId: id("lineId"),
  subscriberId: id("subscriberId"),
  date: z.string({ error: "date is required" }).refine(isPlainDate, "date must be a calendar date YYYY-MM-DD (Paris)"),
  serial: optionalId("serial"),
  newSerial: optionalId("newSerial"),
  equipment: z.enum(EQUIPMENT_KINDS, { error: `equipment must be one of: ${EQUIPMENT_KINDS.join(", ")}` }).default("rented"),
}, {
  error: (issue) =>
    issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.code === "invalid_type" ? "an event must be an object" : undefined,
})
  .superRefine((e, ctx) => {
    if (e.equipment !== "rented") return;
    if ((e.type === "activation" || e.type === "exchange") && !e.serial) ctx.addIssue({ code: "custom", message: `serial is required for a rented router's ${e.type}` });
    if (e.type === "exchange" && !e.newSerial) ctx.addIssue({ code: "custom", message: "newSerial (the replacement unit) is required for an exchange" });
    if (e.type === "exchange" && e.serial && e.serial === e.newSerial) ctx.addIssue({ code: "custom", message: "an exchange needs two different serials" });
  });

export type ContractEventInput = z.input<typeof CONTRACT_EVENT_SCHEMA>;

/** Derived ids name the event by its content, so the same row sent twice is one event. */
function derivedEventId(e: Omit<ContractEvent, "eventId">): string {
  const canonical = JSON.stringify([e.type, e.lineId, e.subscriberId, e.date, e.serial, e.newSerial, e.equipment]);
  return `ev_${createHash("sha256").update(canonical).digest("hex").slice(0, 24)}`;
}

/** A valid event, or a RentalRuleError naming every problem. */
export function parseContractEvent(input: unknown): ContractEvent {
  const parsed = CONTRACT_EVENT_SCHEMA.safeParse(input);
  if (!parsed.success) throw new RentalRuleError(parsed.error.issues.map((i) => i.message).join("; "));
  const { eventId, ...rest } = parsed.data;
  return { eventId: eventId ?? derivedEventId(rest), ...rest };
}

/** What the planner may read. The import's dry run passes a view with the earlier rows applied. */
export interface RouterView {
  router(serial: string): Promise<RentalRouter | null>;
  routersOnLine(lineId: string): Promise<RentalRouter[]>;
}

function repositoryView(repo: RentalRepository): RouterView {
  return { router: (serial) => repo.getRouter(serial), routersOnLine: (lineId) => repo.listRouters({ lineId }) };
}

export interface EventPlan {
  changes: RouterChange[];
  /** Routers the event moves (or moved in an earlier, interrupted attempt). */
  routers: string[];
  note: string | null;
}

export interface PlanContext {
  now: number;
  actor: string;
  deadlineDays: number;
  /** Routers that already applied this event's changes (an interrupted earlier import). */
  alreadyApplied: ReadonlySet<string>;
}

export const eventKey = (eventId: string): string => `event:${eventId}`;

const CLEAR_EPISODE: RouterPatch = { dueDate: null, dueReason: null, chargeId: null };

/** The changes an event causes, or a RentalRuleError / IllegalTransitionError saying why it cannot apply. */
export async function planContractEvent(view: RouterView, e: ContractEvent, ctx: PlanContext): Promise<EventPlan> {
  const changes: RouterChange[] = [];
  const routers: string[] = [];
  const move = (r: RentalRouter, to: RentalRouter["state"], reason: string, detail: Record<string, unknown>, patch: RouterPatch): void => {
    routers.push(r.serial);
    if (ctx.alreadyApplied.has(r.serial)) return;
    assertTransition(r.serial, r.state, to);
    changes.push({
      serial: r.serial, expectedVersion: r.version, key: eventKey(e.eventId), at: ctx.now, actor: ctx.actor,
      steps: [{ from: r.state, to, reason, detail: { eventId: e.eventId, date: e.date, ...detail } }], patch,
    });
  };
  const inventoried = async (serial: string): Promise<RentalRouter> => {
    const r = await view.router(serial);
    if (!r) throw new RentalRuleError(`router ${serial} is not in the rented-router inventory (for a customer-owned router or an ONT set equipment to customer_owned or ont)`);
    return r;
  };
  /** A unit put on a line must come from a shipment (not, say, a router owed back by another subscriber). */
  const shipped = (r: RentalRouter): void => {
    if (!ctx.alreadyApplied.has(r.serial) && r.state !== "shipped") throw new RentalRuleError(`router ${r.serial} is ${r.state}, not shipped: only a shipped router can be put on a line`);
  };
  const activeOnLine = (r: RentalRouter): void => {
    if (ctx.alreadyApplied.has(r.serial)) return;
    if (r.state === "active" && r.lineId !== e.lineId) throw new RentalRuleError(`router ${r.serial} is active on line ${String(r.lineId)}, not on line ${e.lineId}`);
  };
  const done = (note: string | null): EventPlan => ({ changes, routers, note });

  if (e.equipment !== "rented") {
    for (const serial of [e.serial, e.newSerial]) {
      if (serial && (await view.router(serial))) throw new RentalRuleError(`router ${serial} is a rented router in the inventory, but the event says equipment ${e.equipment}`);
    }
    return done(`${e.equipment === "ont" ? "ONT" : "customer-owned router"}: not a rented router, nothing tracked or charged`);
  }

  const onLine = async (state: RentalRouter["state"]): Promise<RentalRouter[]> =>
    (await view.routersOnLine(e.lineId)).filter((r) => r.state === state || ctx.alreadyApplied.has(r.serial));

  switch (e.type) {
    case "activation": {
      const r = await inventoried(e.serial!);
      shipped(r);
      move(r, "active", "activation", {}, { lineId: e.lineId, subscriberId: e.subscriberId, ...CLEAR_EPISODE });
      return done(null);
    }
    case "exchange": {
      const old = await inventoried(e.serial!);
      const replacement = await inventoried(e.newSerial!);
      activeOnLine(old);
      shipped(replacement);
      const dueDate = returnDueDate(e.date, ctx.deadlineDays);
      move(old, "due_back", "exchange", { newSerial: replacement.serial, dueDate }, { dueDate, dueReason: "exchange", chargeId: null });
      move(replacement, "active", "exchange", { replaces: old.serial }, { lineId: e.lineId, subscriberId: e.subscriberId, ...CLEAR_EPISODE });
      return done(null);
    }
    case "termination_request": {
      // Offer sheet: termination takes effect 10 days counted from the day after receipt (contract-dates.ts).
      const effectiveDate = terminationEffectiveDate(e.date);
      const dueDate = returnDueDate(effectiveDate, ctx.deadlineDays);
      const active = await onLine("active");
      for (const r of active) move(r, "due_back", "contract_end", { requestReceived: e.date, effectiveDate, dueDate }, { dueDate, dueReason: "contract_end", chargeId: null });
      return done(active.length ? null : `no rented router active on line ${e.lineId}: nothing owed back`);
    }
    case "suspension":
      return done("suspension: the router stays with the subscriber");
    case "reactivation": {
      // A reactivation withdraws a pending termination: routers still due back for the
      // contract's end go back to active. Overdue or charged ones are settled by return or waiver.
      const pending = (await onLine("due_back")).filter((r) => ctx.alreadyApplied.has(r.serial) || r.dueReason === "contract_end");
      for (const r of pending) move(r, "active", "reactivation", {}, CLEAR_EPISODE);
      return done(pending.length ? null : "reactivation: no router due back for the contract's end on this line");
    }
  }
}

/** The planning view of an import's dry run: the repository with the earlier rows' changes applied in memory. */
export class DryRunView implements RouterView {
  private readonly planned = new Map<string, RentalRouter>();

  constructor(private readonly repo: RentalRepository) {}

  async router(serial: string): Promise<RentalRouter | null> {
    return this.planned.get(serial) ?? this.repo.getRouter(serial);
  }

  async routersOnLine(lineId: string): Promise<RentalRouter[]> {
    const stored = (await this.repo.listRouters({ lineId })).map((r) => this.planned.get(r.serial) ?? r);
    const moved = [...this.planned.values()].filter((r) => !stored.some((s) => s.serial === r.serial));
    return [...stored, ...moved].filter((r) => r.lineId === lineId);
  }

  async apply(changes: readonly RouterChange[]): Promise<void> {
    for (const c of changes) {
      const r = await this.router(c.serial);
      if (r) this.planned.set(c.serial, routerAfter(r, c));
    }
  }
}

export interface ApplyEventContext {
  now: number;
  actor: string;
  source: ContractEventRecord["source"];
  deadlineDays: number;
}

export type ApplyEventResult = { status: "applied" | "duplicate"; event: ContractEventRecord };

/** Applies one event (no-op when already recorded) and records it with its outcome. */
export async function applyContractEvent(repo: RentalRepository, e: ContractEvent, ctx: ApplyEventContext): Promise<ApplyEventResult> {
  const known = await repo.getContractEvent(e.eventId);
  if (known) return { status: "duplicate", event: known };
  let plan: EventPlan | undefined;
  await commitPlanned(repo, async () => {
    const alreadyApplied = new Set(await repo.serialsWithChangeKey(eventKey(e.eventId)));
    plan = await planContractEvent(repositoryView(repo), e, { now: ctx.now, actor: ctx.actor, deadlineDays: ctx.deadlineDays, alreadyApplied });
    return plan.changes;
  });
  const event: ContractEventRecord = {
    ...e, receivedAt: ctx.now, actor: ctx.actor, source: ctx.source, outcome: { routers: plan!.routers, note: plan!.note },
  };
  if (await repo.recordContractEvent(event)) return { status: "applied", event };
  return { status: "duplicate", event: (await repo.getContractEvent(e.eventId)) ?? event };
}
