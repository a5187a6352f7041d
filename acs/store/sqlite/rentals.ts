// The rented-router repository on SQLite. applyChanges runs a whole batch in
// one BEGIN IMMEDIATE transaction: the change row, the router row and the
// charge/reversal it carries commit together, and a killed process leaves
// either all of a batch or none of it. Charges, export batches, contacts and
// the other records are in rentals-records.ts.

import type Database from "better-sqlite3";
import {
  checkChange, creationChange, newRouterRecord, routerAfter,
  type AddRouterOutcome, type ChangeOutcome, type ContractEventRecord, type NewRouter, type RentalRepository,
  type RentalRouter, type RentalTransition, type RouterChange, type RouterQuery, type TransitionStep,
  UnknownRouterError,
} from "../../rentals/rental-repository.ts";
import type { RentalState } from "../../rentals/lifecycle.ts";
import { RENTAL_TABLES } from "./rentals-schema.ts";
import { sqliteRentalDump } from "./rentals-dump.ts";
import { RentalRecords } from "./rentals-records.ts";
import { BoundedCache, deepFreeze } from "./read-cache.ts";
import { commitAlone, prepareCached, sqlLimit, transactions, type GroupCommit } from "./sql-util.ts";

export interface RouterRow {
  serial: string; mac: string; model: string; state: string; version: number;
  line_id: string | null; subscriber_id: string | null; due_date: string | null; due_reason: string | null;
  charge_id: string | null; created_at: number; updated_at: number;
}

interface ChangeRow { serial: string; version: number; key: string; at: number; actor: string; steps: string }

export interface EventRow {
  event_id: string; type: string; line_id: string; subscriber_id: string; date: string; serial: string | null;
  new_serial: string | null; equipment: string; received_at: number; actor: string; source: string; outcome: string;
}

export const toRouter = (r: RouterRow): RentalRouter => ({
  serial: r.serial, mac: r.mac, model: r.model, state: r.state as RentalState, version: r.version,
  lineId: r.line_id, subscriberId: r.subscriber_id, dueDate: r.due_date, dueReason: r.due_reason as RentalRouter["dueReason"],
  chargeId: r.charge_id, createdAt: r.created_at, updatedAt: r.updated_at,
});

export const routerParams = (r: RentalRouter) => ({
  serial: r.serial, mac: r.mac, model: r.model, state: r.state, version: r.version, line_id: r.lineId,
  subscriber_id: r.subscriberId, due_date: r.dueDate, due_reason: r.dueReason, charge_id: r.chargeId,
  created_at: r.createdAt, updated_at: r.updatedAt,
});

function toTransitions(row: ChangeRow): RentalTransition[] {
  return (JSON.parse(row.steps) as TransitionStep[]).map((s, step) => ({
    ...s, serial: row.serial, version: row.version, step, at: row.at, actor: row.actor, key: row.key,
  }));
}

export const toEvent = (r: EventRow): ContractEventRecord => ({
  eventId: r.event_id, type: r.type as ContractEventRecord["type"], lineId: r.line_id, subscriberId: r.subscriber_id,
  date: r.date, serial: r.serial, newSerial: r.new_serial, equipment: r.equipment as ContractEventRecord["equipment"],
  receivedAt: r.received_at, actor: r.actor, source: r.source as ContractEventRecord["source"],
  outcome: JSON.parse(r.outcome) as ContractEventRecord["outcome"],
});

/** Creates the capability's tables if missing and returns its repository over `db`. */
/**
 * `group`: the store's group commit, for what an Inform of a rented router writes (the line address of an active
 * one, the contact of one owed back, a review flag); without one, each write commits by itself.
 */
export function createSqliteRentalRepository(db: Database.Database, group?: GroupCommit): RentalRepository {
  db.transaction(() => db.exec(RENTAL_TABLES)).immediate();
  const tx = transactions(db);
  const records = new RentalRecords(db);
  const sessionWrite = group?.write ?? commitAlone;
  const dump = sqliteRentalDump(db, tx);

  // getRouter runs twice in every Inform session (provisioning's standing, the contact follower), and finds no
  // router for devices not rented: each serial's router as last read, or null (read-cache.ts). Only this file
  // and its restore write rental_routers; each write path forgets the serials it touches once its transaction
  // is over, committed or not. Measured in-process on 10,000 routers, with the "no active speed test" cache of
  // linkrate.ts: the session's two getRouter and one activeSpeedTests 28 -> 2.2 µs; about 3.4 MB of heap.
  const routerCache = new BoundedCache<string, RentalRouter | null>();
  const forgetRouters = (serials: Iterable<string>): void => {
    for (const serial of serials) routerCache.delete(serial);
  };

  const getRouter = db.prepare<[string], RouterRow>("SELECT * FROM rental_routers WHERE serial = ?");
  const macOwner = db.prepare<[string], { serial: string }>("SELECT serial FROM rental_routers WHERE mac = ?");
  const insertRouter = db.prepare(
    `INSERT INTO rental_routers (serial, mac, model, state, version, line_id, subscriber_id, due_date, due_reason, charge_id, created_at, updated_at)
     VALUES (@serial, @mac, @model, @state, @version, @line_id, @subscriber_id, @due_date, @due_reason, @charge_id, @created_at, @updated_at)`,
  );
  const insertChange = db.prepare<[string, number, string, number, string, string]>(
    "INSERT INTO rental_changes (serial, version, key, at, actor, steps) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const hasKey = db.prepare<[string, string], { one: number }>("SELECT 1 AS one FROM rental_changes WHERE serial = ? AND key = ?");
  const history = db.prepare<[string], ChangeRow>("SELECT * FROM rental_changes WHERE serial = ? ORDER BY version");
  const historyOf = db.prepare<[string], ChangeRow>(
    "SELECT * FROM rental_changes WHERE serial IN (SELECT value FROM json_each(?)) ORDER BY serial, version",
  );
  const withKey = db.prepare<[string], { serial: string }>("SELECT serial FROM rental_changes WHERE key = ? ORDER BY serial");
  const owed = db.prepare<[string, string, number], RouterRow>(
    // INDEXED BY: the planner prefers rental_routers_state, then sorts every owed router on each page.
    `SELECT * FROM rental_routers INDEXED BY rental_routers_owed
     WHERE state IN ('due_back', 'overdue') AND serial > ? AND due_date < ? ORDER BY serial LIMIT ?`,
  );
  const byState = db.prepare<[], { state: string; n: number }>("SELECT state, count(*) AS n FROM rental_routers GROUP BY state");

  const insertEvent = db.prepare(
    `INSERT INTO rental_events (event_id, type, line_id, subscriber_id, date, serial, new_serial, equipment, received_at, actor, source, outcome)
     VALUES (@eventId, @type, @lineId, @subscriberId, @date, @serial, @newSerial, @equipment, @receivedAt, @actor, @source, @outcome)
     ON CONFLICT (event_id) DO NOTHING`,
  );
  const getEvent = db.prepare<[string], EventRow>("SELECT * FROM rental_events WHERE event_id = ?");

  /**
   * Sets only the columns that change: every column in a SET list rewrites
   * its index entries, equal value or not.
   */
  function updateRouter(before: RentalRouter, after: RentalRouter): void {
    const a = routerParams(after);
    const b = routerParams(before);
    const cols = (Object.keys(a) as (keyof typeof a)[]).filter((c) => c !== "serial" && a[c] !== b[c]);
    prepareCached(db, `UPDATE rental_routers SET ${cols.map((c) => `${c} = @${c}`).join(", ")} WHERE serial = @serial`)
      .run(Object.fromEntries([["serial", a.serial], ...cols.map((c) => [c, a[c]])]));
  }

  /** One change inside the caller's transaction. */
  function applyOne(change: RouterChange): ChangeOutcome {
    const row = getRouter.get(change.serial);
    if (!row) throw new UnknownRouterError(change.serial);
    const router = toRouter(row);
    if (hasKey.get(change.serial, change.key)) return { status: "duplicate", router };
    if (router.version !== change.expectedVersion) return { status: "conflict", router };
    checkChange(router, change);
    const next = routerAfter(router, change);
    insertChange.run(change.serial, next.version, change.key, change.at, change.actor, JSON.stringify(change.steps));
    updateRouter(router, next);
    if (change.newCharge) records.insertCharge(change.newCharge);
    if (change.chargeUpdate) records.updateCharge(change.chargeUpdate);
    if (change.reversal) records.insertReversal(change.reversal);
    return { status: "applied", router: next };
  }

  return {
    addRouters: async (routers: readonly NewRouter[], at: number, actor: string) => {
      try {
        return tx.write(() => routers.map((r): AddRouterOutcome => {
          if (getRouter.get(r.serial)) return { serial: r.serial, created: false, reason: `router ${r.serial} is already in the inventory` };
          const owner = macOwner.get(r.mac);
          if (owner) return { serial: r.serial, created: false, reason: `MAC ${r.mac} belongs to router ${owner.serial}` };
          const record = newRouterRecord(r, at);
          insertRouter.run(routerParams(record));
          const created = creationChange(r, at, actor);
          insertChange.run(r.serial, 1, created.key, at, actor, JSON.stringify(created.steps));
          return { serial: r.serial, created: true, reason: null };
        }));
      } finally {
        forgetRouters(routers.map((r) => r.serial));
      }
    },

    getRouter: async (serial) => {
      let router = routerCache.get(serial);
      if (router === undefined) {
        const row = getRouter.get(serial);
        router = row ? deepFreeze(toRouter(row)) : null;
        routerCache.set(serial, router);
      }
      return router;
    },

    listRouters: async (q: RouterQuery) => {
      const filters: [string, string | undefined][] = [
        ["state = ?", q.state], ["line_id = ?", q.lineId], ["subscriber_id = ?", q.subscriberId], ["serial > ?", q.after],
      ];
      const where = filters.filter(([, v]) => v !== undefined).map(([sql]) => sql);
      const args = filters.flatMap(([, v]) => (v === undefined ? [] : [v]));
      const sql = `SELECT * FROM rental_routers ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY serial LIMIT ?`;
      return (prepareCached(db, sql).all(...args, sqlLimit(q.limit)) as RouterRow[]).map(toRouter);
    },

    countRoutersByState: async () => Object.fromEntries(byState.all().map((r) => [r.state, r.n])),

    owedRouters: async (today, after, limit) => owed.all(after ?? "", today, sqlLimit(limit)).map(toRouter),

    history: async (serial) => history.all(serial).flatMap(toTransitions),
    transitionsOf: async (serials) => historyOf.all(JSON.stringify(serials)).flatMap(toTransitions),
    serialsWithChangeKey: async (key) => withKey.all(key).map((r) => r.serial),

    applyChanges: async (changes) => {
      try {
        return tx.write(() => changes.map(applyOne));
      } finally {
        forgetRouters(changes.map((c) => c.serial));
      }
    },

    recordContractEvent: async (e) =>
      insertEvent.run({ ...e, outcome: JSON.stringify(e.outcome) }).changes > 0,
    getContractEvent: async (eventId) => {
      const row = getEvent.get(eventId);
      return row ? toEvent(row) : null;
    },
    listContractEvents: async (q) => {
      const sql = `SELECT * FROM rental_events ${q.lineId !== undefined ? "WHERE line_id = ?" : ""} ORDER BY received_at DESC, seq DESC LIMIT ?`;
      const args = q.lineId !== undefined ? [q.lineId, sqlLimit(q.limit)] : [sqlLimit(q.limit)];
      return (prepareCached(db, sql).all(...args) as EventRow[]).map(toEvent);
    },

    getCharge: async (id) => records.getCharge(id),
    listCharges: async (q) => records.listCharges(q),
    getReversal: async (id) => records.getReversal(id),
    listReversals: async (q) => records.listReversals(q),
    pendingExport: async () => tx.read(() => records.pendingExport()),
    openExportBatch: async (intent) => records.openExportBatch(intent),
    openExportBatches: async () => records.openExportBatches(),
    closeExportBatch: async (id) => records.closeExportBatch(id),
    claimExportItem: async (item) => records.claimExportItem(item),
    exportItems: async (batchId) => records.exportItems(batchId),
    exportItemOf: async (itemId) => records.exportItemOf(itemId),
    sealExportBatch: async (batch) => records.sealExportBatch(batch),
    getExportBatch: async (id) => records.getExportBatch(id),
    listExportBatches: async (limit) => records.listExportBatches(limit),
    markReversalExported: async (id, batchId) => records.markReversalExported(id, batchId),

    // One upsert each, so that they join the session's group transaction instead of a COMMIT of their own: measured
    // in-process (10,000 routers, one in ten owed back), 51 -> 43 µs per session on average, so ~70 µs per contact.
    recordContact: (c) => sessionWrite(() => records.recordContact(c)),
    contactsOf: async (serials, afterDay) => records.contactsOf(serials, afterDay),
    addReviewFlag: (flag) => sessionWrite(() => records.addReviewFlag(flag)),
    listReviewFlags: async (q) => records.listReviewFlags(q),
    noteLineAddress: (entry) => sessionWrite(() => records.noteLineAddress(entry)),
    lineAtAddress: async (address) => records.lineAtAddress(address),

    startFlaggingRun: async (run) => records.startFlaggingRun(run),
    finishFlaggingRun: async (id, finishedAt, result) => records.finishFlaggingRun(id, finishedAt, result),
    listFlaggingRuns: async (q) => records.listFlaggingRuns(q),

    dump: dump.dump,
    restore: async (batch) => {
      // Rare (a store copy): every cached router goes rather than tracking the batch's serials.
      if (batch.kind === "rented routers") routerCache.clear();
      return dump.restore(batch);
    },
  };
}
