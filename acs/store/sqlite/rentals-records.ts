// The rented-router records beside the routers on SQLite: charges and
// reversals (written inside the change transaction of rentals.ts), billing
// export intents/items/batches, ACS contacts, review flags, the address→line
// map and flagging runs. Every insert that must happen once is guarded by a
// primary key and ON CONFLICT DO NOTHING, so a replay is a no-op.

import type Database from "better-sqlite3";
import type {
  Charge, ChargeStatus, ChargeUpdate, ExportBatch, ExportBatchIntent, ExportBatchSummary, ExportItem, FlaggingRun,
  LineAddress, RentalContact, Reversal, ReviewFlag,
} from "../../rentals/rental-repository.ts";
import { prepareCached, sqlLimit } from "./sql-util.ts";

export interface ChargeRow {
  id: string; serial: string; line_id: string | null; subscriber_id: string | null; reason: string; due_date: string;
  amount_cents: number; currency: string; flagged_at: number; status: string; status_reason: string | null;
  status_at: number; export_batch_id: string | null; evidence: string;
}
export interface ReversalRow {
  id: string; charge_id: string; serial: string; line_id: string | null; subscriber_id: string | null; amount_cents: number;
  currency: string; reason: string; at: number; actor: string; detail: string; export_batch_id: string | null;
}
export interface BatchRow { id: string; created_at: number; actor: string; charge_ids: string; reversal_ids: string; total_cents: number; csv: string; json: string }
export interface ContactRow { serial: string; day: string; remote_address: string; device_id: string; first_at: number; last_at: number; count: number }
export interface ReviewRow {
  id: string; serial: string; device_id: string; kind: string; router_state: string; router_line_id: string | null;
  router_subscriber_id: string | null; observed_line_id: string; observed_subscriber_id: string | null; remote_address: string; at: number;
}
export interface RunRow { id: string; day: string; instance: string; started_at: number; finished_at: number | null; result: string | null }

export const toCharge = (r: ChargeRow): Charge => ({
  id: r.id, serial: r.serial, lineId: r.line_id, subscriberId: r.subscriber_id, reason: r.reason as Charge["reason"],
  dueDate: r.due_date, amountCents: r.amount_cents, currency: r.currency as "EUR", flaggedAt: r.flagged_at,
  status: r.status as ChargeStatus, statusReason: r.status_reason, statusAt: r.status_at, exportBatchId: r.export_batch_id,
  evidence: JSON.parse(r.evidence) as Charge["evidence"],
});
export const toReversal = (r: ReversalRow): Reversal => ({
  id: r.id, chargeId: r.charge_id, serial: r.serial, lineId: r.line_id, subscriberId: r.subscriber_id, amountCents: r.amount_cents,
  currency: r.currency as "EUR", reason: r.reason as Reversal["reason"], at: r.at, actor: r.actor,
  detail: JSON.parse(r.detail) as Record<string, unknown>, exportBatchId: r.export_batch_id,
});
export const toSummary = (r: Omit<BatchRow, "csv" | "json">): ExportBatchSummary => ({
  id: r.id, createdAt: r.created_at, actor: r.actor, chargeIds: JSON.parse(r.charge_ids) as string[],
  reversalIds: JSON.parse(r.reversal_ids) as string[], totalCents: r.total_cents,
});
export const toContact = (r: ContactRow): RentalContact => ({
  serial: r.serial, day: r.day, remoteAddress: r.remote_address, deviceId: r.device_id, firstAt: r.first_at, lastAt: r.last_at, count: r.count,
});
export const toReview = (r: ReviewRow): ReviewFlag => ({
  id: r.id, serial: r.serial, deviceId: r.device_id, kind: r.kind as ReviewFlag["kind"], routerState: r.router_state as ReviewFlag["routerState"],
  routerLineId: r.router_line_id, routerSubscriberId: r.router_subscriber_id, observedLineId: r.observed_line_id,
  observedSubscriberId: r.observed_subscriber_id, remoteAddress: r.remote_address, at: r.at,
});
export const toRun = (r: RunRow): FlaggingRun => ({
  id: r.id, day: r.day, instance: r.instance, startedAt: r.started_at, finishedAt: r.finished_at,
  result: r.result === null ? null : (JSON.parse(r.result) as Record<string, number>),
});

export class RentalRecords {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      insertCharge: db.prepare(
        `INSERT INTO rental_charges (id, serial, line_id, subscriber_id, reason, due_date, amount_cents, currency, flagged_at, status, status_reason, status_at, export_batch_id, evidence)
         VALUES (@id, @serial, @lineId, @subscriberId, @reason, @dueDate, @amountCents, @currency, @flaggedAt, @status, @statusReason, @statusAt, @exportBatchId, @evidence)
         ON CONFLICT (id) DO NOTHING`,
      ),
      updateCharge: db.prepare(
        `UPDATE rental_charges SET status = @status, status_reason = @statusReason, status_at = @statusAt,
           export_batch_id = coalesce(@exportBatchId, export_batch_id) WHERE id = @id`,
      ),
      getCharge: db.prepare<[string], ChargeRow>("SELECT * FROM rental_charges WHERE id = ?"),
      insertReversal: db.prepare(
        `INSERT INTO rental_reversals (id, charge_id, serial, line_id, subscriber_id, amount_cents, currency, reason, at, actor, detail, export_batch_id)
         VALUES (@id, @chargeId, @serial, @lineId, @subscriberId, @amountCents, @currency, @reason, @at, @actor, @detail, @exportBatchId)
         ON CONFLICT (id) DO NOTHING`,
      ),
      getReversal: db.prepare<[string], ReversalRow>("SELECT * FROM rental_reversals WHERE id = ?"),
      pendingCharges: db.prepare<[], ChargeRow>(
        "SELECT * FROM rental_charges c WHERE status = 'flagged' AND NOT EXISTS (SELECT 1 FROM rental_export_items i WHERE i.item_id = c.id) ORDER BY id",
      ),
      pendingReversals: db.prepare<[], ReversalRow>(
        "SELECT * FROM rental_reversals r WHERE export_batch_id IS NULL AND NOT EXISTS (SELECT 1 FROM rental_export_items i WHERE i.item_id = r.id) ORDER BY id",
      ),
      openIntent: db.prepare("INSERT INTO rental_export_intents (id, created_at, actor) VALUES (@id, @createdAt, @actor) ON CONFLICT (id) DO NOTHING"),
      intents: db.prepare<[], { id: string; created_at: number; actor: string }>("SELECT * FROM rental_export_intents ORDER BY created_at, id"),
      closeIntent: db.prepare<[string]>("DELETE FROM rental_export_intents WHERE id = ?"),
      claim: db.prepare("INSERT INTO rental_export_items (item_id, kind, batch_id) VALUES (@itemId, @kind, @batchId) ON CONFLICT (item_id) DO NOTHING"),
      items: db.prepare<[string], { item_id: string; kind: string; batch_id: string }>("SELECT * FROM rental_export_items WHERE batch_id = ? ORDER BY item_id"),
      itemOf: db.prepare<[string], { item_id: string; kind: string; batch_id: string }>("SELECT * FROM rental_export_items WHERE item_id = ?"),
      seal: db.prepare(
        `INSERT INTO rental_export_batches (id, created_at, actor, charge_ids, reversal_ids, total_cents, csv, json)
         VALUES (@id, @createdAt, @actor, @chargeIds, @reversalIds, @totalCents, @csv, @json) ON CONFLICT (id) DO NOTHING`,
      ),
      getBatch: db.prepare<[string], BatchRow>("SELECT * FROM rental_export_batches WHERE id = ?"),
      listBatches: db.prepare<[number], Omit<BatchRow, "csv" | "json">>(
        "SELECT id, created_at, actor, charge_ids, reversal_ids, total_cents FROM rental_export_batches ORDER BY created_at DESC, id DESC LIMIT ?",
      ),
      markReversal: db.prepare<[string, string]>("UPDATE rental_reversals SET export_batch_id = ? WHERE id = ?"),
      contact: db.prepare(
        `INSERT INTO rental_contacts (serial, day, remote_address, device_id, first_at, last_at, count)
         VALUES (@serial, @day, @remoteAddress, @deviceId, @at, @at, 1)
         ON CONFLICT (serial, day, remote_address) DO UPDATE SET
           first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
           count = count + 1, device_id = excluded.device_id`,
      ),
      contactsOf: db.prepare<[string, string], ContactRow>(
        "SELECT * FROM rental_contacts WHERE serial IN (SELECT value FROM json_each(?)) AND day > ? ORDER BY serial, first_at, remote_address",
      ),
      review: db.prepare(
        `INSERT INTO rental_reviews (id, serial, device_id, kind, router_state, router_line_id, router_subscriber_id, observed_line_id, observed_subscriber_id, remote_address, at)
         VALUES (@id, @serial, @deviceId, @kind, @routerState, @routerLineId, @routerSubscriberId, @observedLineId, @observedSubscriberId, @remoteAddress, @at)
         ON CONFLICT (id) DO NOTHING`,
      ),
      lineAddress: db.prepare(
        `INSERT INTO rental_line_addresses (remote_address, line_id, subscriber_id, serial, at) VALUES (@remoteAddress, @lineId, @subscriberId, @serial, @at)
         ON CONFLICT (remote_address) DO UPDATE SET line_id = excluded.line_id, subscriber_id = excluded.subscriber_id,
           serial = excluded.serial, at = excluded.at WHERE excluded.at >= rental_line_addresses.at`,
      ),
      lineAt: db.prepare<[string], { remote_address: string; line_id: string; subscriber_id: string | null; serial: string; at: number }>(
        "SELECT * FROM rental_line_addresses WHERE remote_address = ?",
      ),
      startRun: db.prepare("INSERT INTO rental_flagging_runs (id, day, instance, started_at, finished_at, result) VALUES (@id, @day, @instance, @startedAt, NULL, NULL)"),
      finishRun: db.prepare<[number, string, string]>("UPDATE rental_flagging_runs SET finished_at = ?, result = ? WHERE id = ?"),
    };
  }

  insertCharge(c: Charge): void {
    this.s.insertCharge.run({ ...c, evidence: JSON.stringify(c.evidence) });
  }

  updateCharge(u: ChargeUpdate): void {
    this.s.updateCharge.run({ exportBatchId: null, ...u });
  }

  insertReversal(r: Reversal): void {
    this.s.insertReversal.run({ ...r, detail: JSON.stringify(r.detail) });
  }

  getCharge(id: string): Charge | null {
    const row = this.s.getCharge.get(id);
    return row ? toCharge(row) : null;
  }

  listCharges(q: { status?: ChargeStatus; serial?: string; after?: string; limit?: number }): Charge[] {
    const filters: [string, string | undefined][] = [["status = ?", q.status], ["serial = ?", q.serial], ["id > ?", q.after]];
    const where = filters.filter(([, v]) => v !== undefined).map(([sql]) => sql);
    const args = filters.flatMap(([, v]) => (v === undefined ? [] : [v]));
    const sql = `SELECT * FROM rental_charges ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id LIMIT ?`;
    return (prepareCached(this.db, sql).all(...args, sqlLimit(q.limit)) as ChargeRow[]).map(toCharge);
  }

  getReversal(id: string): Reversal | null {
    const row = this.s.getReversal.get(id);
    return row ? toReversal(row) : null;
  }

  listReversals(q: { chargeId?: string; limit?: number }): Reversal[] {
    const sql = `SELECT * FROM rental_reversals ${q.chargeId !== undefined ? "WHERE charge_id = ?" : ""} ORDER BY id LIMIT ?`;
    const args = q.chargeId !== undefined ? [q.chargeId, sqlLimit(q.limit)] : [sqlLimit(q.limit)];
    return (prepareCached(this.db, sql).all(...args) as ReversalRow[]).map(toReversal);
  }

  pendingExport(): { charges: Charge[]; reversals: Reversal[] } {
    return { charges: this.s.pendingCharges.all().map(toCharge), reversals: this.s.pendingReversals.all().map(toReversal) };
  }

  openExportBatch(intent: ExportBatchIntent): boolean {
    return this.s.openIntent.run(intent).changes > 0;
  }

  openExportBatches(): ExportBatchIntent[] {
    return this.s.intents.all().map((r) => ({ id: r.id, createdAt: r.created_at, actor: r.actor }));
  }

  closeExportBatch(id: string): void {
    this.s.closeIntent.run(id);
  }

  claimExportItem(item: ExportItem): boolean {
    return this.s.claim.run(item).changes > 0;
  }

  exportItems(batchId: string): ExportItem[] {
    return this.s.items.all(batchId).map((r) => ({ itemId: r.item_id, kind: r.kind as ExportItem["kind"], batchId: r.batch_id }));
  }

  exportItemOf(itemId: string): ExportItem | null {
    const r = this.s.itemOf.get(itemId);
    return r ? { itemId: r.item_id, kind: r.kind as ExportItem["kind"], batchId: r.batch_id } : null;
  }

  sealExportBatch(b: ExportBatch): boolean {
    return this.s.seal.run({ ...b, chargeIds: JSON.stringify(b.chargeIds), reversalIds: JSON.stringify(b.reversalIds) }).changes > 0;
  }

  getExportBatch(id: string): ExportBatch | null {
    const row = this.s.getBatch.get(id);
    return row ? { ...toSummary(row), csv: row.csv, json: row.json } : null;
  }

  listExportBatches(limit?: number): ExportBatchSummary[] {
    return this.s.listBatches.all(sqlLimit(limit)).map(toSummary);
  }

  markReversalExported(id: string, batchId: string): void {
    this.s.markReversal.run(batchId, id);
  }

  recordContact(c: { serial: string; deviceId: string; day: string; remoteAddress: string; at: number }): void {
    this.s.contact.run(c);
  }

  contactsOf(serials: readonly string[], afterDay: string | null): RentalContact[] {
    return this.s.contactsOf.all(JSON.stringify(serials), afterDay ?? "").map(toContact);
  }

  addReviewFlag(f: ReviewFlag): boolean {
    return this.s.review.run(f).changes > 0;
  }

  listReviewFlags(q: { serial?: string; limit?: number }): ReviewFlag[] {
    const sql = `SELECT * FROM rental_reviews ${q.serial !== undefined ? "WHERE serial = ?" : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    const args = q.serial !== undefined ? [q.serial, sqlLimit(q.limit)] : [sqlLimit(q.limit)];
    return (prepareCached(this.db, sql).all(...args) as ReviewRow[]).map(toReview);
  }

  noteLineAddress(e: LineAddress): void {
    this.s.lineAddress.run(e);
  }

  lineAtAddress(address: string): LineAddress | null {
    const r = this.s.lineAt.get(address);
    return r ? { remoteAddress: r.remote_address, lineId: r.line_id, subscriberId: r.subscriber_id, serial: r.serial, at: r.at } : null;
  }

  startFlaggingRun(run: FlaggingRun): void {
    this.s.startRun.run(run);
  }

  finishFlaggingRun(id: string, finishedAt: number, result: Record<string, number>): void {
    this.s.finishRun.run(finishedAt, JSON.stringify(result), id);
  }

  listFlaggingRuns(q: { day?: string; limit?: number }): FlaggingRun[] {
    const sql = `SELECT * FROM rental_flagging_runs ${q.day !== undefined ? "WHERE day = ?" : ""} ORDER BY started_at DESC, id DESC LIMIT ?`;
    const args = q.day !== undefined ? [q.day, sqlLimit(q.limit)] : [sqlLimit(q.limit)];
    return (prepareCached(this.db, sql).all(...args) as RunRow[]).map(toRun);
  }
}
