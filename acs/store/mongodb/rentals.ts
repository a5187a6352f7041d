// The rented-router repository on MongoDB (checked on FerretDB 1.24, which
// has no multi-document transactions and applies updates without isolation).
//
// A router change is one document in rental_changes, _id "<serial>#<version>",
// unique on (serial, key): inserting it is the commit point and the only
// atomic check both servers give. Its effects (charge, reversal, charge
// status, the router document) are replayed from it, so a writer killed after
// the insert is completed by the next reader ("roll forward"), and a racer
// that inserts the same version second gets a duplicate key: "conflict".
// The stored change keeps its body as JSON text: FerretDB 1.24 rejects keys
// with "." or "$", and details are free-form. Other records: rentals-records.ts.

import type { Collection, Db } from "mongodb";
import type { RentalState } from "../../rentals/lifecycle.ts";
import { RENTAL_STATES } from "../../rentals/lifecycle.ts";
import {
  checkChange, creationChange, newRouterRecord, routerAfter, transitionsOfChange,
  type AddRouterOutcome, type ChangeOutcome, type ContractEventRecord, type RentalRepository, type RentalRouter,
  type RentalTransition, type RouterChange, UnknownRouterError,
} from "../../rentals/rental-repository.ts";
import { isDuplicateKey, limited, newId } from "./mongo-util.ts";
import { checkCount } from "../store-values.ts";
import { mongoRentalDump } from "./rentals-dump.ts";
import { ensureRentalIndexes, MongoRentalRecords } from "./rentals-records.ts";

type RouterDoc = Omit<RentalRouter, "serial"> & { _id: string };
interface ChangeDoc { _id: string; serial: string; version: number; key: string; change: string }
/** `order`: an ObjectId hex, so events recorded in the same ms list in insertion order (as SQLite's seq). */
type EventDoc = Omit<ContractEventRecord, "eventId"> & { _id: string; order: string };

const toRouter = ({ _id, ...rest }: RouterDoc): RentalRouter => ({ serial: _id, ...rest });
const toDoc = ({ serial, ...rest }: RentalRouter): RouterDoc => ({ _id: serial, ...rest });
const changeOf = (doc: ChangeDoc): RouterChange => JSON.parse(doc.change) as RouterChange;

class MongoRentals {
  readonly routers: Collection<RouterDoc>;
  readonly changes: Collection<ChangeDoc>;
  readonly events: Collection<EventDoc>;

  constructor(db: Db, readonly records: MongoRentalRecords) {
    this.routers = db.collection<RouterDoc>("rental_routers");
    this.changes = db.collection<ChangeDoc>("rental_changes");
    this.events = db.collection<EventDoc>("rental_events");
  }

  /** Inserts the change document; false when that version or that key exists. */
  private async commit(change: RouterChange, version: number): Promise<boolean> {
    try {
      await this.changes.insertOne({ _id: `${change.serial}#${version}`, serial: change.serial, version, key: change.key, change: JSON.stringify(change) });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Replays a committed change's effects; each is idempotent. */
  private async effects(router: RentalRouter, change: RouterChange): Promise<RentalRouter> {
    const next = routerAfter(router, change);
    if (change.newCharge) await this.records.insertCharge(change.newCharge);
    if (change.reversal) await this.records.insertReversal(change.reversal);
    if (change.chargeUpdate) await this.records.updateCharge(change.chargeUpdate);
    const { _id, ...fields } = toDoc(next);
    await this.routers.updateOne({ _id, version: { $lt: next.version } }, { $set: fields });
    return next;
  }

  /** The router with every committed change applied (completing a writer that died half-way). */
  async current(serial: string): Promise<RentalRouter | null> {
    const doc = await this.routers.findOne({ _id: serial });
    if (!doc) return null;
    let router = toRouter(doc);
    const pending = await this.changes.find({ serial, version: { $gt: router.version } }).sort({ version: 1 }).toArray();
    for (const c of pending) router = await this.effects(router, changeOf(c));
    return router;
  }

  private async hasKey(serial: string, key: string): Promise<boolean> {
    return (await this.changes.findOne({ serial, key }, { projection: { _id: 1 } })) !== null;
  }

  async applyChanges(changes: readonly RouterChange[]): Promise<ChangeOutcome[]> {
    // Check every change first (on the routers as the earlier ones leave them),
    // so an illegal step throws before anything of the batch is written.
    const seen = new Map<string, RentalRouter>();
    const outcomes: (ChangeOutcome | { base: RentalRouter })[] = [];
    for (const change of changes) {
      const router = seen.get(change.serial) ?? (await this.current(change.serial));
      if (!router) throw new UnknownRouterError(change.serial);
      if (await this.hasKey(change.serial, change.key)) outcomes.push({ status: "duplicate", router });
      else if (router.version !== change.expectedVersion) outcomes.push({ status: "conflict", router });
      else {
        checkChange(router, change);
        seen.set(change.serial, routerAfter(router, change));
        outcomes.push({ base: router });
      }
    }
    const failed = new Set<string>();
    const done: ChangeOutcome[] = [];
    for (const [i, change] of changes.entries()) {
      const o = outcomes[i]!;
      if ("status" in o) {
        done.push(o);
      } else if (!failed.has(change.serial) && (await this.commit(change, change.expectedVersion + 1))) {
        done.push({ status: "applied", router: await this.effects(o.base, change) });
      } else {
        // Lost a race (or an earlier change of this router in the batch did): later ones of this router cannot apply either.
        failed.add(change.serial);
        const router = (await this.current(change.serial))!;
        done.push({ status: (await this.hasKey(change.serial, change.key)) ? "duplicate" : "conflict", router });
      }
    }
    return done;
  }

  async addRouters(routers: readonly { serial: string; mac: string; model: string }[], at: number, actor: string): Promise<AddRouterOutcome[]> {
    const out: AddRouterOutcome[] = [];
    for (const r of routers) {
      if (await this.routers.findOne({ _id: r.serial }, { projection: { _id: 1 } })) {
        out.push({ serial: r.serial, created: false, reason: `router ${r.serial} is already in the inventory` });
        continue;
      }
      try {
        await this.routers.insertOne(toDoc(newRouterRecord(r, at)));
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const owner = await this.routers.findOne({ mac: r.mac }, { projection: { _id: 1 } });
        out.push({ serial: r.serial, created: false, reason: owner && owner._id !== r.serial ? `MAC ${r.mac} belongs to router ${owner._id}` : `router ${r.serial} is already in the inventory` });
        continue;
      }
      await this.commit(creationChange(r, at, actor), 1);
      out.push({ serial: r.serial, created: true, reason: null });
    }
    return out;
  }

  async transitions(filter: { serial: string } | { serial: { $in: string[] } }): Promise<RentalTransition[]> {
    const docs = await this.changes.find(filter).sort({ serial: 1, version: 1 }).toArray();
    return docs.flatMap((d) => transitionsOfChange(changeOf(d), d.version));
  }
}

/** Creates the capability's indexes (missing ones only) and returns its repository over `db`. */
export async function createMongoRentalRepository(db: Db): Promise<RentalRepository> {
  await ensureRentalIndexes(db);
  const records = new MongoRentalRecords(db);
  const m = new MongoRentals(db, records);
  const eventOf = ({ _id, order: _order, ...rest }: EventDoc): ContractEventRecord => ({ eventId: _id, ...rest });

  return {
    addRouters: (routers, at, actor) => m.addRouters(routers, at, actor),
    getRouter: (serial) => m.current(serial),
    listRouters: async (q) => {
      const filter: Record<string, unknown> = {};
      if (q.state !== undefined) filter.state = q.state;
      if (q.lineId !== undefined) filter.lineId = q.lineId;
      if (q.subscriberId !== undefined) filter.subscriberId = q.subscriberId;
      if (q.after !== undefined) filter._id = { $gt: q.after };
      return (await limited(q.limit, (n) => m.routers.find(filter).sort({ _id: 1 }).limit(n).toArray())).map(toRouter);
    },
    countRoutersByState: async () => {
      const counts = await Promise.all(RENTAL_STATES.map(async (s) => [s, await m.routers.countDocuments({ state: s })] as const));
      return Object.fromEntries(counts.filter(([, n]) => n > 0)) as Partial<Record<RentalState, number>>;
    },
    owedRouters: async (today, after, limit) => {
      checkCount("limit", limit);
      const filter = { state: { $in: ["due_back", "overdue"] as RentalState[] }, dueDate: { $lt: today }, ...(after === null ? {} : { _id: { $gt: after } }) };
      return (await m.routers.find(filter).sort({ _id: 1 }).limit(limit).toArray()).map(toRouter);
    },
    history: (serial) => m.transitions({ serial }),
    transitionsOf: (serials) => m.transitions({ serial: { $in: [...serials] } }),
    serialsWithChangeKey: async (key) => (await m.changes.find({ key }).sort({ serial: 1 }).toArray()).map((d) => d.serial),
    applyChanges: (changes) => m.applyChanges(changes),

    recordContractEvent: async ({ eventId, ...rest }) => {
      try {
        await m.events.insertOne({ _id: eventId, ...rest, order: newId() });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    getContractEvent: async (eventId) => {
      const doc = await m.events.findOne({ _id: eventId });
      return doc ? eventOf(doc) : null;
    },
    listContractEvents: async (q) => {
      const filter = q.lineId === undefined ? {} : { lineId: q.lineId };
      return (await limited(q.limit, (n) => m.events.find(filter).sort({ receivedAt: -1, order: -1 }).limit(n).toArray())).map(eventOf);
    },

    getCharge: (id) => records.getCharge(id),
    listCharges: (q) => records.listCharges(q),
    getReversal: (id) => records.getReversal(id),
    listReversals: (q) => records.listReversals(q),
    pendingExport: () => records.pendingExport(),
    openExportBatch: (intent) => records.openExportBatch(intent),
    openExportBatches: () => records.openExportBatches(),
    closeExportBatch: (id) => records.closeExportBatch(id),
    claimExportItem: (item) => records.claimExportItem(item),
    exportItems: (batchId) => records.exportItems(batchId),
    exportItemOf: (itemId) => records.exportItemOf(itemId),
    sealExportBatch: (batch) => records.sealExportBatch(batch),
    getExportBatch: (id) => records.getExportBatch(id),
    listExportBatches: (limit) => records.listExportBatches(limit),
    markReversalExported: (id, batchId) => records.markReversalExported(id, batchId),

    recordContact: (c) => records.recordContact(c),
    contactsOf: (serials, afterDay) => records.contactsOf(serials, afterDay),
    addReviewFlag: (flag) => records.addReviewFlag(flag),
    listReviewFlags: (q) => records.listReviewFlags(q),
    noteLineAddress: (entry) => records.noteLineAddress(entry),
    lineAtAddress: (address) => records.lineAtAddress(address),

    startFlaggingRun: (run) => records.startFlaggingRun(run),
    finishFlaggingRun: (id, finishedAt, result) => records.finishFlaggingRun(id, finishedAt, result),
    listFlaggingRuns: (q) => records.listFlaggingRuns(q),

    ...mongoRentalDump(db, (serial) => m.current(serial)),
  };
}
