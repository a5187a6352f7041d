// dump()/restore() of the SQLite rented-router repository (acs/rentals/rental-dump.ts):
// each table read in key order, a page at a time (keyset paging, so no cursor
// stays open across a yield), and written back row for row in one transaction
// per batch. Row converters are those of rentals.ts and rentals-records.ts.

import type Database from "better-sqlite3";
import { RENTAL_DUMP_KINDS, type RentalDumpBatch, type RentalDumpItems, type RentalDumpKind } from "../../rentals/rental-dump.ts";
import type { RouterChange, TransitionStep } from "../../rentals/rental-repository.ts";
import { routerParams, toEvent, toRouter, type EventRow, type RouterRow } from "./rentals.ts";
import {
  toCharge, toContact, toReversal, toReview, toRun, toSummary,
  type BatchRow, type ChargeRow, type ContactRow, type ReversalRow, type ReviewRow, type RunRow,
} from "./rentals-records.ts";
import type { Transactions } from "./sql-util.ts";

interface Table<K extends RentalDumpKind> {
  table: string;
  /** Unique key, in the order records were written where that order matters (seq). */
  key: string[];
  read(row: never): RentalDumpItems[K];
  insert: string;
  params(item: RentalDumpItems[K]): Record<string, unknown>;
}

const cols = (names: string) => {
  const list = names.split(/,\s*/);
  return `(${list.join(", ")}) VALUES (${list.map((c) => `@${c}`).join(", ")})`;
};

const TABLES: { [K in RentalDumpKind]: Table<K> } = {
  "rented routers": {
    table: "rental_routers", key: ["serial"], read: (r: RouterRow) => toRouter(r),
    insert: cols("serial, mac, model, state, version, line_id, subscriber_id, due_date, due_reason, charge_id, created_at, updated_at"),
    params: (r) => routerParams(r),
  },
  "router changes": {
    table: "rental_changes", key: ["seq"],
    read: (r: { serial: string; version: number; key: string; at: number; actor: string; steps: string }): RouterChange => ({
      serial: r.serial, expectedVersion: r.version - 1, key: r.key, at: r.at, actor: r.actor, steps: JSON.parse(r.steps) as TransitionStep[], patch: {},
    }),
    insert: cols("serial, version, key, at, actor, steps"),
    params: (c) => ({ serial: c.serial, version: c.expectedVersion + 1, key: c.key, at: c.at, actor: c.actor, steps: JSON.stringify(c.steps) }),
  },
  "contract events": {
    table: "rental_events", key: ["seq"], read: (r: EventRow) => toEvent(r),
    insert: cols("event_id, type, line_id, subscriber_id, date, serial, new_serial, equipment, received_at, actor, source, outcome"),
    params: (e) => ({
      event_id: e.eventId, type: e.type, line_id: e.lineId, subscriber_id: e.subscriberId, date: e.date, serial: e.serial, new_serial: e.newSerial,
      equipment: e.equipment, received_at: e.receivedAt, actor: e.actor, source: e.source, outcome: JSON.stringify(e.outcome),
    }),
  },
  "rental charges": {
    table: "rental_charges", key: ["seq"], read: (r: ChargeRow) => toCharge(r),
    insert: cols("id, serial, line_id, subscriber_id, reason, due_date, amount_cents, currency, flagged_at, status, status_reason, status_at, export_batch_id, evidence"),
    params: (c) => ({
      id: c.id, serial: c.serial, line_id: c.lineId, subscriber_id: c.subscriberId, reason: c.reason, due_date: c.dueDate, amount_cents: c.amountCents,
      currency: c.currency, flagged_at: c.flaggedAt, status: c.status, status_reason: c.statusReason, status_at: c.statusAt,
      export_batch_id: c.exportBatchId, evidence: JSON.stringify(c.evidence),
    }),
  },
  "rental reversals": {
    table: "rental_reversals", key: ["id"], read: (r: ReversalRow) => toReversal(r),
    insert: cols("id, charge_id, serial, line_id, subscriber_id, amount_cents, currency, reason, at, actor, detail, export_batch_id"),
    params: (r) => ({
      id: r.id, charge_id: r.chargeId, serial: r.serial, line_id: r.lineId, subscriber_id: r.subscriberId, amount_cents: r.amountCents,
      currency: r.currency, reason: r.reason, at: r.at, actor: r.actor, detail: JSON.stringify(r.detail), export_batch_id: r.exportBatchId,
    }),
  },
  "export intents": {
    table: "rental_export_intents", key: ["id"],
    read: (r: { id: string; created_at: number; actor: string }) => ({ id: r.id, createdAt: r.created_at, actor: r.actor }),
    insert: cols("id, created_at, actor"), params: (i) => ({ id: i.id, created_at: i.createdAt, actor: i.actor }),
  },
  "export items": {
    table: "rental_export_items", key: ["item_id"],
    read: (r: { item_id: string; kind: string; batch_id: string }) => ({ itemId: r.item_id, kind: r.kind as "charge" | "reversal", batchId: r.batch_id }),
    insert: cols("item_id, kind, batch_id"), params: (i) => ({ item_id: i.itemId, kind: i.kind, batch_id: i.batchId }),
  },
  "export batches": {
    table: "rental_export_batches", key: ["id"], read: (r: BatchRow) => ({ ...toSummary(r), csv: r.csv, json: r.json }),
    insert: cols("id, created_at, actor, charge_ids, reversal_ids, total_cents, csv, json"),
    params: (b) => ({
      id: b.id, created_at: b.createdAt, actor: b.actor, charge_ids: JSON.stringify(b.chargeIds), reversal_ids: JSON.stringify(b.reversalIds),
      total_cents: b.totalCents, csv: b.csv, json: b.json,
    }),
  },
  "rental contacts": {
    table: "rental_contacts", key: ["serial", "day", "remote_address"], read: (r: ContactRow) => toContact(r),
    insert: cols("serial, day, remote_address, device_id, first_at, last_at, count"),
    params: (c) => ({ serial: c.serial, day: c.day, remote_address: c.remoteAddress, device_id: c.deviceId, first_at: c.firstAt, last_at: c.lastAt, count: c.count }),
  },
  "review flags": {
    table: "rental_reviews", key: ["id"], read: (r: ReviewRow) => toReview(r),
    insert: cols("id, serial, device_id, kind, router_state, router_line_id, router_subscriber_id, observed_line_id, observed_subscriber_id, remote_address, at"),
    params: (f) => ({
      id: f.id, serial: f.serial, device_id: f.deviceId, kind: f.kind, router_state: f.routerState, router_line_id: f.routerLineId,
      router_subscriber_id: f.routerSubscriberId, observed_line_id: f.observedLineId, observed_subscriber_id: f.observedSubscriberId,
      remote_address: f.remoteAddress, at: f.at,
    }),
  },
  "line addresses": {
    table: "rental_line_addresses", key: ["remote_address"],
    read: (r: { remote_address: string; line_id: string; subscriber_id: string | null; serial: string; at: number }) => ({
      remoteAddress: r.remote_address, lineId: r.line_id, subscriberId: r.subscriber_id, serial: r.serial, at: r.at,
    }),
    insert: cols("remote_address, line_id, subscriber_id, serial, at"),
    params: (a) => ({ remote_address: a.remoteAddress, line_id: a.lineId, subscriber_id: a.subscriberId, serial: a.serial, at: a.at }),
  },
  "flagging runs": {
    table: "rental_flagging_runs", key: ["id"], read: (r: RunRow) => toRun(r),
    insert: cols("id, day, instance, started_at, finished_at, result"),
    params: (r) => ({ id: r.id, day: r.day, instance: r.instance, started_at: r.startedAt, finished_at: r.finishedAt, result: r.result === null ? null : JSON.stringify(r.result) }),
  },
};

export function sqliteRentalDump(db: Database.Database, tx: Transactions) {
  async function* dumpKind<K extends RentalDumpKind>(kind: K, batchSize: number): AsyncIterable<RentalDumpBatch> {
    const t = TABLES[kind] as Table<K>;
    const key = `(${t.key.join(", ")})`;
    const first = db.prepare(`SELECT * FROM ${t.table} ORDER BY ${t.key.join(", ")} LIMIT ?`);
    const next = db.prepare(`SELECT * FROM ${t.table} WHERE ${key} > (${t.key.map(() => "?").join(", ")}) ORDER BY ${t.key.join(", ")} LIMIT ?`);
    for (let last: Record<string, unknown> | null = null; ;) {
      const rows = (last === null ? first.all(batchSize) : next.all(...t.key.map((c) => last![c]), batchSize)) as Record<string, unknown>[];
      if (rows.length > 0) yield { kind, items: rows.map((r) => t.read(r as never)) } as RentalDumpBatch;
      if (rows.length < batchSize) return;
      last = rows.at(-1)!;
    }
  }
  return {
    async *dump(batchSize = 500): AsyncIterable<RentalDumpBatch> {
      for (const kind of RENTAL_DUMP_KINDS) yield* dumpKind(kind, batchSize);
    },
    async restore(batch: RentalDumpBatch): Promise<void> {
      const t = TABLES[batch.kind] as Table<RentalDumpKind>;
      const insert = db.prepare(`INSERT INTO ${t.table} ${t.insert}`);
      tx.write(() => {
        for (const item of batch.items) insert.run(t.params(item));
      });
    },
  };
}
