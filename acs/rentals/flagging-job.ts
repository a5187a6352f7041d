// The non-return flagging job: every rented router still owed back after its
// due date is flagged once for the 180 EUR charge, with its evidence.
//
// Exactly once, even across re-runs and a kill mid-run: the charge id is
// derived from (serial, due date, reason), the change that flags it carries
// the key "flag:<charge id>", and the repository commits each change
// atomically under a unique key. A re-run finds the flagged routers no longer
// owed (or gets "duplicate") and carries on with the rest.

import { createHash } from "node:crypto";
import type { PlainDate } from "../lib/paris-calendar.ts";
import { NON_RETURN_CHARGE_CENTS } from "./contract-dates.ts";
import type {
  Charge, ChargeEvidence, ContactEvidence, DueReason, EvidenceRecord, RentalContact, RentalRepository, RentalRouter,
  RentalTransition, RouterChange, TransitionStep,
} from "./rental-repository.ts";

export const FLAGGING_ACTOR = "job:rentals-flagging";

/** The same non-return episode always yields the same charge id. */
export function chargeIdFor(serial: string, dueDate: PlainDate, reason: DueReason): string {
  return `chg_${createHash("sha256").update(`non-return\n${serial}\n${dueDate}\n${reason}`).digest("hex").slice(0, 24)}`;
}

export interface FlaggingOptions {
  /** The Paris date the run flags for: routers due before it are overdue. */
  today: PlainDate;
  /** Time written on the charges and transitions (epoch ms). */
  now: number;
  actor?: string;
  /** Routers per read and per commit (default 500). */
  batchSize?: number;
  /** Called after each committed batch (lease renewal, progress). */
  onBatch?: (progress: FlaggingResult) => void | Promise<void>;
}

export interface FlaggingResult {
  /** Overdue routers seen. */
  scanned: number;
  /** Charges created by this run. */
  flagged: number;
  /** Already flagged by an earlier (interrupted or concurrent) run. */
  duplicates: number;
  /** Moved by someone else meanwhile (e.g. returned); left as they are. */
  skipped: number;
}

const record = (t: RentalTransition): EvidenceRecord => ({ at: t.at, actor: t.actor, reason: t.reason, detail: t.detail });

/** Shipping and return records of the current episode, and the contacts after the due date. */
function chargeEvidence(router: RentalRouter, history: readonly RentalTransition[], contacts: readonly RentalContact[]): ChargeEvidence {
  const shipping = history.filter((t) => t.to === "shipped").at(-1) ?? null;
  const since = shipping?.at ?? -Infinity;
  const dueBack = history.filter((t) => t.to === "due_back").at(-1) ?? null;
  const returns = history.filter((t) => (t.to === "returned" || t.to === "reversed") && t.at >= since).map(record);
  const contactsAfterDue: ContactEvidence[] = contacts
    .filter((c) => router.dueDate !== null && c.day > router.dueDate)
    .map(({ day, remoteAddress, firstAt, lastAt, count }) => ({ day, remoteAddress, firstAt, lastAt, count }));
  return {
    shipping: shipping && record(shipping),
    dueBack: dueBack && record(dueBack),
    returns,
    contactsAfterDue,
    // The router talked to the ACS after it was due back: it is still in use.
    stillInUse: contactsAfterDue.length > 0,
  };
}

function flagChange(r: RentalRouter & { dueDate: PlainDate; dueReason: DueReason }, evidence: ChargeEvidence, now: number, actor: string): RouterChange {
  const id = chargeIdFor(r.serial, r.dueDate, r.dueReason);
  const steps: TransitionStep[] = [];
  if (r.state === "due_back") steps.push({ from: "due_back", to: "overdue", reason: "not returned by the due date", detail: { dueDate: r.dueDate } });
  steps.push({ from: "overdue", to: "charge_flagged", reason: "non-return charge", detail: { chargeId: id, amountCents: NON_RETURN_CHARGE_CENTS } });
  const charge: Charge = {
    id, serial: r.serial, lineId: r.lineId, subscriberId: r.subscriberId, reason: r.dueReason, dueDate: r.dueDate,
    // Offer sheet: "Routeur non retourné … suite échange ou fin de contrat = 180€" (contract-dates.ts).
    amountCents: NON_RETURN_CHARGE_CENTS, currency: "EUR", flaggedAt: now,
    status: "flagged", statusReason: null, statusAt: now, exportBatchId: null, evidence,
  };
  return { serial: r.serial, expectedVersion: r.version, key: `flag:${id}`, at: now, actor, steps, patch: { chargeId: id }, newCharge: charge };
}

const isOwed = (r: RentalRouter): r is RentalRouter & { dueDate: PlainDate; dueReason: DueReason } =>
  (r.state === "due_back" || r.state === "overdue") && r.dueDate !== null && r.dueReason !== null;

/** Flags every router overdue on `today`; safe to re-run and to kill at any point. */
export async function runFlagging(repo: RentalRepository, opts: FlaggingOptions): Promise<FlaggingResult> {
  const { today, now } = opts;
  const actor = opts.actor ?? FLAGGING_ACTOR;
  const batchSize = opts.batchSize ?? 500;
  const result: FlaggingResult = { scanned: 0, flagged: 0, duplicates: 0, skipped: 0 };

  const flagBatch = async (routers: RentalRouter[]): Promise<RentalRouter[]> => {
    const owed = routers.filter(isOwed).filter((r) => r.dueDate < today);
    if (owed.length === 0) return [];
    const serials = owed.map((r) => r.serial);
    const minDue = owed.reduce((m, r) => (r.dueDate < m ? r.dueDate : m), owed[0]!.dueDate);
    const [history, contacts] = await Promise.all([repo.transitionsOf(serials), repo.contactsOf(serials, minDue)]);
    const bySerial = <T extends { serial: string }>(rows: readonly T[]): Map<string, T[]> => {
      const map = new Map<string, T[]>();
      for (const row of rows) (map.get(row.serial) ?? map.set(row.serial, []).get(row.serial)!).push(row);
      return map;
    };
    const historyOf = bySerial(history);
    const contactsOf = bySerial(contacts);
    const changes = owed.map((r) => flagChange(r, chargeEvidence(r, historyOf.get(r.serial) ?? [], contactsOf.get(r.serial) ?? []), now, actor));
    const outcomes = await repo.applyChanges(changes);
    const conflicted: RentalRouter[] = [];
    for (const o of outcomes) {
      if (o.status === "applied") result.flagged++;
      else if (o.status === "duplicate") result.duplicates++;
      else conflicted.push(o.router);
    }
    return conflicted;
  };

  let after: string | null = null;
  for (;;) {
    const page = await repo.owedRouters(today, after, batchSize);
    if (page.length === 0) break;
    after = page[page.length - 1]!.serial;
    result.scanned += page.length;
    // A conflict means another writer moved the router since the read: look once
    // more at its new state (still owed → flag it; returned → leave it).
    const conflicted = await flagBatch(page);
    const again = conflicted.length ? await flagBatch(conflicted) : [];
    result.skipped += again.length + conflicted.filter((r) => !isOwed(r) || r.dueDate >= today).length;
    await opts.onBatch?.({ ...result });
  }
  return result;
}
