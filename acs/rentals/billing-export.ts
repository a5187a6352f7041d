// Billing export: the charges flagged since the last export, and the
// reversals of charges billing already has, as one batch in CSV and JSON.
//
// A batch never loses or doubles an item, even when the export is killed:
//   1. an intent names the batch (its id and time);
//   2. each item is claimed for it (a unique insert: one batch per item);
//   3. the content is built from the claimed items and sealed (stored once);
//   4. the charges are marked exported (router charge_flagged → exported);
//   5. the intent is closed.
// Every export first completes the intents a killed export left open, so the
// content of a batch depends only on its claims, and re-reading a batch
// returns the stored bytes.

import { randomBytes } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import { parisDate } from "../lib/paris-calendar.ts";
import { commitPlanned } from "./commit.ts";
import type { Charge, ExportBatch, ExportBatchIntent, RentalRepository, Reversal, RouterChange } from "./rental-repository.ts";

const COLUMNS = [
  "record_type", "id", "charge_id", "serial", "line_id", "subscriber_id", "reason", "due_date", "amount_cents", "currency",
  "at", "still_in_use", "contacts_after_due", "last_contact_at", "last_contact_address",
] as const;

const iso = (ms: number): string => new Date(ms).toISOString();

function chargeRow(c: Charge): Record<(typeof COLUMNS)[number], string | number> {
  const last = c.evidence.contactsAfterDue.reduce<Charge["evidence"]["contactsAfterDue"][number] | null>((m, x) => (!m || x.lastAt > m.lastAt ? x : m), null);
  return {
    record_type: "charge", id: c.id, charge_id: c.id, serial: c.serial, line_id: c.lineId ?? "", subscriber_id: c.subscriberId ?? "",
    reason: c.reason, due_date: c.dueDate, amount_cents: c.amountCents, currency: c.currency, at: iso(c.flaggedAt),
    still_in_use: c.evidence.stillInUse ? "yes" : "no", contacts_after_due: c.evidence.contactsAfterDue.reduce((n, x) => n + x.count, 0),
    last_contact_at: last ? iso(last.lastAt) : "", last_contact_address: last?.remoteAddress ?? "",
  };
}

function reversalRow(r: Reversal, charge: Charge | null): Record<(typeof COLUMNS)[number], string | number> {
  return {
    record_type: "reversal", id: r.id, charge_id: r.chargeId, serial: r.serial, line_id: r.lineId ?? "", subscriber_id: r.subscriberId ?? "",
    reason: r.reason, due_date: charge?.dueDate ?? "", amount_cents: r.amountCents, currency: r.currency, at: iso(r.at),
    still_in_use: "", contacts_after_due: "", last_contact_at: "", last_contact_address: "",
  };
}

/** The batch's content from its claimed items; deterministic, so a completed batch equals an uninterrupted one. */
async function buildBatch(repo: RentalRepository, intent: ExportBatchIntent): Promise<ExportBatch | null> {
  const items = await repo.exportItems(intent.id);
  if (items.length === 0) return null;
  const charges = (await Promise.all(items.filter((i) => i.kind === "charge").map((i) => repo.getCharge(i.itemId)))).filter((c): c is Charge => c !== null);
  const reversals = (await Promise.all(items.filter((i) => i.kind === "reversal").map((i) => repo.getReversal(i.itemId)))).filter((r): r is Reversal => r !== null);
  const reversedCharges = new Map(await Promise.all(reversals.map(async (r) => [r.id, await repo.getCharge(r.chargeId)] as const)));
  const rows = [...charges.map(chargeRow), ...reversals.map((r) => reversalRow(r, reversedCharges.get(r.id) ?? null))];
  const totalCents = charges.reduce((n, c) => n + c.amountCents, 0) + reversals.reduce((n, r) => n + r.amountCents, 0);
  // Cells starting with = + - @ are neutralised: ids come from the CRM and must not run as spreadsheet formulas.
  const csv = stringify(rows, { header: true, columns: [...COLUMNS], escape_formulas: true });
  const json = `${JSON.stringify({
    batchId: intent.id, createdAt: iso(intent.createdAt), currency: "EUR", totalCents,
    charges: charges.map(({ status: _s, statusReason: _r, statusAt: _a, exportBatchId: _b, ...c }) => ({ ...c, flaggedAt: iso(c.flaggedAt) })),
    reversals: reversals.map(({ exportBatchId: _b, ...r }) => ({ ...r, at: iso(r.at) })),
  }, null, 2)}\n`;
  return { ...intent, chargeIds: charges.map((c) => c.id), reversalIds: reversals.map((r) => r.id), totalCents, csv, json };
}

/** Marks a sealed batch's charges exported and its reversals sent; idempotent. */
async function markBatch(repo: RentalRepository, batch: ExportBatch, now: number): Promise<void> {
  for (const id of batch.reversalIds) await repo.markReversalExported(id, batch.id);
  const key = `export:${batch.id}`;
  await commitPlanned(repo, async () => {
    const changes: RouterChange[] = [];
    for (const id of batch.chargeIds) {
      const charge = await repo.getCharge(id);
      const r = charge && (await repo.getRouter(charge.serial));
      // Returned or waived since the claim: its reversal (written then) goes in a later batch.
      if (!r || r.state !== "charge_flagged" || r.chargeId !== id) continue;
      changes.push({
        serial: r.serial, expectedVersion: r.version, key, at: now, actor: batch.actor,
        steps: [{ from: "charge_flagged", to: "exported", reason: "billing export", detail: { batchId: batch.id, chargeId: id } }],
        patch: {}, chargeUpdate: { id, status: "exported", statusReason: null, statusAt: now, exportBatchId: batch.id },
      });
    }
    return changes;
  });
}

/** Seals (if needed) and marks an open batch, then closes it. */
async function completeBatch(repo: RentalRepository, intent: ExportBatchIntent, now: number): Promise<ExportBatch | null> {
  let batch = await repo.getExportBatch(intent.id);
  if (!batch) {
    const built = await buildBatch(repo, intent);
    if (built && !(await repo.sealExportBatch(built))) batch = await repo.getExportBatch(intent.id);
    else batch = built;
  }
  if (batch) await markBatch(repo, batch, now);
  await repo.closeExportBatch(intent.id);
  return batch;
}

function newBatchId(now: number): string {
  return `exp_${parisDate(now).replaceAll("-", "")}_${randomBytes(5).toString("hex")}`;
}

/**
 * Exports every new charge and reversal as one batch; null when there is
 * nothing new. Batches a killed export left open are completed first.
 */
export async function exportToBilling(repo: RentalRepository, opts: { now: number; actor: string }): Promise<ExportBatch | null> {
  for (const open of await repo.openExportBatches()) await completeBatch(repo, open, opts.now);
  const pending = await repo.pendingExport();
  if (pending.charges.length === 0 && pending.reversals.length === 0) return null;
  const intent: ExportBatchIntent = { id: newBatchId(opts.now), createdAt: opts.now, actor: opts.actor };
  await repo.openExportBatch(intent);
  for (const c of pending.charges) await repo.claimExportItem({ itemId: c.id, kind: "charge", batchId: intent.id });
  for (const r of pending.reversals) await repo.claimExportItem({ itemId: r.id, kind: "reversal", batchId: intent.id });
  return completeBatch(repo, intent, opts.now);
}
