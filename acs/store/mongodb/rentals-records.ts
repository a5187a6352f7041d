// The rented-router records beside the routers on MongoDB: charges and
// reversals (effects of router changes, see rentals.ts), billing export
// intents/items/batches, ACS contacts, review flags, the address→line map,
// flagging runs, and the indexes of every rental collection. Whatever must
// happen once is an insert under a unique _id (duplicate key = done already):
// the one atomic check FerretDB 1.24 gives. Free-form parts (evidence,
// details) are JSON text, as elsewhere in this store (mongo-util.ts).

import type { Collection, Db, IndexDescription } from "mongodb";
import type {
  Charge, ChargeStatus, ChargeUpdate, ExportBatch, ExportBatchIntent, ExportBatchSummary, ExportItem, FlaggingRun,
  LineAddress, RentalContact, Reversal, ReviewFlag,
} from "../../rentals/rental-repository.ts";
import { ensureMissingIndexes, isDuplicateKey, limited } from "./mongo-util.ts";

type ChargeDoc = Omit<Charge, "id" | "evidence"> & { _id: string; evidence: string };
type ReversalDoc = Omit<Reversal, "id" | "detail"> & { _id: string; detail: string };
type IntentDoc = Omit<ExportBatchIntent, "id"> & { _id: string };
type ItemDoc = Omit<ExportItem, "itemId"> & { _id: string };
type BatchDoc = Omit<ExportBatch, "id"> & { _id: string };
type ContactDoc = RentalContact & { _id: string };
type ReviewDoc = Omit<ReviewFlag, "id"> & { _id: string };
type LineDoc = Omit<LineAddress, "remoteAddress"> & { _id: string };
type RunDoc = Omit<FlaggingRun, "id" | "result"> & { _id: string; result: string | null };

const k = (key: Record<string, 1 | -1>, options: Omit<IndexDescription, "key" | "name"> = {}): IndexDescription => ({
  key, ...options, name: Object.entries(key).map(([f, d]) => `${f}_${d}`).join("_"),
});

const INDEXES: Record<string, IndexDescription[]> = {
  rental_routers: [k({ mac: 1 }, { unique: true }), k({ state: 1, _id: 1 }), k({ lineId: 1, _id: 1 }), k({ subscriberId: 1, _id: 1 })],
  rental_changes: [k({ serial: 1, key: 1 }, { unique: true }), k({ serial: 1, version: 1 }), k({ key: 1 })],
  rental_events: [k({ receivedAt: -1, order: -1 }), k({ lineId: 1, receivedAt: -1, order: -1 })],
  rental_charges: [k({ status: 1, _id: 1 }), k({ serial: 1, _id: 1 })],
  rental_reversals: [k({ chargeId: 1 }), k({ exportBatchId: 1, _id: 1 })],
  rental_export_items: [k({ batchId: 1, _id: 1 })],
  rental_export_batches: [k({ createdAt: -1, _id: -1 })],
  rental_contacts: [k({ serial: 1, day: 1 })],
  rental_reviews: [k({ at: -1, _id: -1 }), k({ serial: 1, at: -1 })],
  rental_flagging_runs: [k({ day: 1, startedAt: -1 }), k({ startedAt: -1, _id: -1 })],
};

/** Missing indexes only (FerretDB 1.24 drops the connection on a createIndexes whose indexes all exist). */
export const ensureRentalIndexes = (db: Db): Promise<void> => ensureMissingIndexes(db, INDEXES);

async function insertOnce<T extends { _id: string }>(collection: Collection<T>, doc: T): Promise<boolean> {
  try {
    await collection.insertOne(doc as Parameters<Collection<T>["insertOne"]>[0]);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

const toCharge = ({ _id, evidence, ...rest }: ChargeDoc): Charge => ({ id: _id, ...rest, evidence: JSON.parse(evidence) as Charge["evidence"] });
const toReversal = ({ _id, detail, ...rest }: ReversalDoc): Reversal => ({ id: _id, ...rest, detail: JSON.parse(detail) as Record<string, unknown> });
const toItem = ({ _id, ...rest }: ItemDoc): ExportItem => ({ itemId: _id, ...rest });
const toContact = ({ _id: _, ...rest }: ContactDoc): RentalContact => rest;
const toReview = ({ _id, ...rest }: ReviewDoc): ReviewFlag => ({ id: _id, ...rest });
const toRun = ({ _id, result, ...rest }: RunDoc): FlaggingRun => ({ id: _id, ...rest, result: result === null ? null : (JSON.parse(result) as Record<string, number>) });

export class MongoRentalRecords {
  private readonly charges: Collection<ChargeDoc>;
  private readonly reversals: Collection<ReversalDoc>;
  private readonly intents: Collection<IntentDoc>;
  private readonly items: Collection<ItemDoc>;
  private readonly batches: Collection<BatchDoc>;
  private readonly contacts: Collection<ContactDoc>;
  private readonly reviews: Collection<ReviewDoc>;
  private readonly lines: Collection<LineDoc>;
  private readonly runs: Collection<RunDoc>;

  constructor(db: Db) {
    this.charges = db.collection("rental_charges");
    this.reversals = db.collection("rental_reversals");
    this.intents = db.collection("rental_export_intents");
    this.items = db.collection("rental_export_items");
    this.batches = db.collection("rental_export_batches");
    this.contacts = db.collection("rental_contacts");
    this.reviews = db.collection("rental_reviews");
    this.lines = db.collection("rental_line_addresses");
    this.runs = db.collection("rental_flagging_runs");
  }

  async insertCharge({ id, evidence, ...rest }: Charge): Promise<void> {
    await insertOnce(this.charges, { _id: id, ...rest, evidence: JSON.stringify(evidence) });
  }

  async updateCharge({ id, exportBatchId, ...rest }: ChargeUpdate): Promise<void> {
    await this.charges.updateOne({ _id: id }, { $set: exportBatchId === undefined ? rest : { ...rest, exportBatchId } });
  }

  async insertReversal({ id, detail, ...rest }: Reversal): Promise<void> {
    await insertOnce(this.reversals, { _id: id, ...rest, detail: JSON.stringify(detail) });
  }

  async getCharge(id: string): Promise<Charge | null> {
    const doc = await this.charges.findOne({ _id: id });
    return doc ? toCharge(doc) : null;
  }

  async listCharges(q: { status?: ChargeStatus; serial?: string; after?: string; limit?: number }): Promise<Charge[]> {
    const filter: Record<string, unknown> = {};
    if (q.status !== undefined) filter.status = q.status;
    if (q.serial !== undefined) filter.serial = q.serial;
    if (q.after !== undefined) filter._id = { $gt: q.after };
    return (await limited(q.limit, (n) => this.charges.find(filter).sort({ _id: 1 }).limit(n).toArray())).map(toCharge);
  }

  async getReversal(id: string): Promise<Reversal | null> {
    const doc = await this.reversals.findOne({ _id: id });
    return doc ? toReversal(doc) : null;
  }

  async listReversals(q: { chargeId?: string; limit?: number }): Promise<Reversal[]> {
    const filter = q.chargeId === undefined ? {} : { chargeId: q.chargeId };
    return (await limited(q.limit, (n) => this.reversals.find(filter).sort({ _id: 1 }).limit(n).toArray())).map(toReversal);
  }

  async pendingExport(): Promise<{ charges: Charge[]; reversals: Reversal[] }> {
    const charges = (await this.charges.find({ status: "flagged" }).sort({ _id: 1 }).toArray()).map(toCharge);
    const reversals = (await this.reversals.find({ exportBatchId: null }).sort({ _id: 1 }).toArray()).map(toReversal);
    const ids = [...charges.map((c) => c.id), ...reversals.map((r) => r.id)];
    const claimed = new Set((await this.items.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    return { charges: charges.filter((c) => !claimed.has(c.id)), reversals: reversals.filter((r) => !claimed.has(r.id)) };
  }

  openExportBatch({ id, ...rest }: ExportBatchIntent): Promise<boolean> {
    return insertOnce(this.intents, { _id: id, ...rest });
  }

  async openExportBatches(): Promise<ExportBatchIntent[]> {
    return (await this.intents.find({}).sort({ createdAt: 1, _id: 1 }).toArray()).map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }

  async closeExportBatch(id: string): Promise<void> {
    await this.intents.deleteOne({ _id: id });
  }

  claimExportItem({ itemId, ...rest }: ExportItem): Promise<boolean> {
    return insertOnce(this.items, { _id: itemId, ...rest });
  }

  async exportItems(batchId: string): Promise<ExportItem[]> {
    return (await this.items.find({ batchId }).sort({ _id: 1 }).toArray()).map(toItem);
  }

  async exportItemOf(itemId: string): Promise<ExportItem | null> {
    const doc = await this.items.findOne({ _id: itemId });
    return doc ? toItem(doc) : null;
  }

  sealExportBatch({ id, ...rest }: ExportBatch): Promise<boolean> {
    return insertOnce(this.batches, { _id: id, ...rest });
  }

  async getExportBatch(id: string): Promise<ExportBatch | null> {
    const doc = await this.batches.findOne({ _id: id });
    if (!doc) return null;
    const { _id, ...rest } = doc;
    return { id: _id, ...rest };
  }

  async listExportBatches(limit?: number): Promise<ExportBatchSummary[]> {
    const docs = await limited(limit, (n) => this.batches.find({}, { projection: { csv: 0, json: 0 } }).sort({ createdAt: -1, _id: -1 }).limit(n).toArray());
    return docs.map(({ _id, createdAt, actor, chargeIds, reversalIds, totalCents }) => ({ id: _id, createdAt, actor, chargeIds, reversalIds, totalCents }));
  }

  async markReversalExported(id: string, batchId: string): Promise<void> {
    await this.reversals.updateOne({ _id: id }, { $set: { exportBatchId: batchId } });
  }

  async recordContact(c: { serial: string; deviceId: string; day: string; remoteAddress: string; at: number }): Promise<void> {
    const _id = `${c.serial}|${c.day}|${c.remoteAddress}`;
    const update = {
      $setOnInsert: { serial: c.serial, day: c.day, remoteAddress: c.remoteAddress },
      $set: { deviceId: c.deviceId },
      $min: { firstAt: c.at },
      $max: { lastAt: c.at },
      $inc: { count: 1 },
    };
    try {
      await this.contacts.updateOne({ _id }, update, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await this.contacts.updateOne({ _id }, update); // two first contacts raced: the other one inserted it
    }
  }

  async contactsOf(serials: readonly string[], afterDay: string | null): Promise<RentalContact[]> {
    const filter = { serial: { $in: [...serials] }, ...(afterDay === null ? {} : { day: { $gt: afterDay } }) };
    return (await this.contacts.find(filter).sort({ serial: 1, firstAt: 1, remoteAddress: 1 }).toArray()).map(toContact);
  }

  addReviewFlag({ id, ...rest }: ReviewFlag): Promise<boolean> {
    return insertOnce(this.reviews, { _id: id, ...rest });
  }

  async listReviewFlags(q: { serial?: string; limit?: number }): Promise<ReviewFlag[]> {
    const filter = q.serial === undefined ? {} : { serial: q.serial };
    return (await limited(q.limit, (n) => this.reviews.find(filter).sort({ at: -1, _id: -1 }).limit(n).toArray())).map(toReview);
  }

  async noteLineAddress({ remoteAddress, ...rest }: LineAddress): Promise<void> {
    try {
      await this.lines.updateOne({ _id: remoteAddress, at: { $lte: rest.at } }, { $set: rest }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a newer entry exists: it wins
    }
  }

  async lineAtAddress(remoteAddress: string): Promise<LineAddress | null> {
    const doc = await this.lines.findOne({ _id: remoteAddress });
    if (!doc) return null;
    const { _id, ...rest } = doc;
    return { remoteAddress: _id, ...rest };
  }

  async startFlaggingRun({ id, result, ...rest }: FlaggingRun): Promise<void> {
    await this.runs.insertOne({ _id: id, ...rest, result: result === null ? null : JSON.stringify(result) });
  }

  async finishFlaggingRun(id: string, finishedAt: number, result: Record<string, number>): Promise<void> {
    await this.runs.updateOne({ _id: id }, { $set: { finishedAt, result: JSON.stringify(result) } });
  }

  async listFlaggingRuns(q: { day?: string; limit?: number }): Promise<FlaggingRun[]> {
    const filter = q.day === undefined ? {} : { day: q.day };
    return (await limited(q.limit, (n) => this.runs.find(filter).sort({ startedAt: -1, _id: -1 }).limit(n).toArray())).map(toRun);
  }
}
