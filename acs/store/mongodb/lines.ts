// Subscriber lines and per-device provisioning state on MongoDB, using only
// what FerretDB 1.24 supports. Documents are JSON text beside the fields that
// queries filter on: Wi-Fi band keys ("2.4GHz") contain a dot, which FerretDB
// refuses in keys. A serial is unique through line_serials (_id = serial),
// the one atomic check FerretDB gives; without transactions, a batch that
// hits a taken id or serial removes what it inserted before failing.
// Contract: acs/lines/line-repository.ts (test/contract/lines-contract.ts).

import type { Collection, Db, Filter, IndexDescription } from "mongodb";
import { lineSerials, type EquipmentRole, type Line } from "../../lines/line.ts";
import {
  LineConflictError, LineVersionError,
  type LineQuery, type LineRepository, type StateCounts, type StateQuery,
} from "../../lines/line-repository.ts";
import { PROVISIONING_STATUSES, STANDINGS, type ProvisioningState } from "../../provisioning/provisioning-state.ts";
import { ensureMissingIndexes, indexOf, isDuplicateKey, limited } from "./mongo-util.ts";
import { checkCount } from "../store-values.ts";

interface LineDoc {
  _id: string;
  subscriberId: string;
  commune: string;
  search: string;
  version: number;
  doc: string;
}
interface SerialDoc {
  _id: string;
  lineId: string;
  role: EquipmentRole;
}
interface StateDoc {
  _id: string;
  serial: string;
  lineId: string | null;
  standing: string;
  status: string;
  doc: string;
}

const k = indexOf;

const INDEXES: Record<string, IndexDescription[]> = {
  lines: [k({ subscriberId: 1, _id: 1 }), k({ commune: 1, _id: 1 })],
  line_serials: [k({ lineId: 1 })],
  provisioning_states: [k({ serial: 1 }), k({ lineId: 1, _id: 1 }), k({ standing: 1, _id: 1 }), k({ status: 1, _id: 1 })],
};


const searchText = (l: Line): string => `${l.id}\n${l.subscriber.name}\n${l.address}`.toLowerCase();
const regexLiteral = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
const toLine = (d: LineDoc): Line => ({ ...(JSON.parse(d.doc) as Line), version: d.version });
const lineDoc = (l: Line): LineDoc => ({
  _id: l.id, subscriberId: l.subscriber.id, commune: l.commune, search: searchText(l), version: l.version, doc: JSON.stringify(l),
});
const serialField = (role: EquipmentRole): "router.serial" | "ontSerial" => (role === "router" ? "router.serial" : "ontSerial");

/** Creates the missing indexes and returns the repository over `db`. */
export async function createMongoLineRepository(db: Db): Promise<LineRepository> {
  await ensureMissingIndexes(db, INDEXES);
  const lines: Collection<LineDoc> = db.collection<LineDoc>("lines");
  const serials: Collection<SerialDoc> = db.collection<SerialDoc>("line_serials");
  const states: Collection<StateDoc> = db.collection<StateDoc>("provisioning_states");

  /** Inserts serial claims one by one; on a taken serial removes the ones inserted here and throws. */
  async function claim(docs: readonly SerialDoc[]): Promise<void> {
    const done: string[] = [];
    for (const d of docs) {
      try {
        await serials.insertOne(d);
        done.push(d._id);
      } catch (err) {
        if (done.length > 0) await serials.deleteMany({ _id: { $in: done } });
        if (!isDuplicateKey(err)) throw err;
        const owner = await serials.findOne({ _id: d._id });
        throw new LineConflictError(serialField(d.role), d._id, owner?.lineId ?? "?");
      }
    }
  }

  function stateFilter(q: StateQuery): Filter<StateDoc> {
    const f: Filter<StateDoc> = {};
    if (q.standing !== undefined) f.standing = typeof q.standing === "string" ? q.standing : { $in: [...q.standing] };
    if (q.status !== undefined) f.status = q.status;
    if (q.lineId !== undefined) f.lineId = q.lineId;
    if (q.serial !== undefined) f.serial = q.serial;
    return f;
  }

  return {
    async getLine(id) {
      const d = await lines.findOne({ _id: id });
      return d ? toLine(d) : null;
    },

    async listLines(q: LineQuery) {
      checkCount("offset", q.offset);
      const f: Filter<LineDoc> = {};
      if (q.subscriberId !== undefined) f.subscriberId = q.subscriberId;
      if (q.commune !== undefined) f.commune = q.commune;
      if (q.search !== undefined) f.search = { $regex: regexLiteral(q.search.toLowerCase()) };
      if (q.serial !== undefined) {
        const owner = await serials.findOne({ _id: q.serial });
        if (!owner) return { total: 0, items: [] };
        f._id = owner.lineId;
      }
      const total = await lines.countDocuments(f);
      const docs = await limited(q.limit, (limit) => lines.find(f).sort({ _id: 1 }).skip(q.offset ?? 0).limit(limit).toArray());
      return { total, items: docs.map(toLine) };
    },

    async addLines(batch) {
      const taken = await lines.find({ _id: { $in: batch.map((l) => l.id) } }, { projection: { _id: 1 } }).limit(1).toArray();
      if (taken[0]) throw new LineConflictError("id", taken[0]._id, taken[0]._id);
      await claim(batch.flatMap((l) => lineSerials(l).map(({ serial, role }) => ({ _id: serial, lineId: l.id, role }))));
      const inserted: string[] = [];
      try {
        for (const l of batch) {
          await lines.insertOne(lineDoc(l));
          inserted.push(l.id);
        }
      } catch (err) {
        await lines.deleteMany({ _id: { $in: inserted } });
        await serials.deleteMany({ lineId: { $in: batch.map((l) => l.id) } });
        if (isDuplicateKey(err)) {
          const id = batch[inserted.length]!.id;
          throw new LineConflictError("id", id, id);
        }
        throw err;
      }
    },

    async replaceLine(line, expectedVersion) {
      const current = await lines.findOne({ _id: line.id });
      if (!current) return null;
      if (current.version !== expectedVersion) throw new LineVersionError(line.id, expectedVersion, current.version);
      const stored: Line = { ...line, version: expectedVersion + 1 };
      const wanted = lineSerials(stored);
      const owned = await serials.find({ lineId: line.id }).toArray();
      const added = wanted.filter((w) => !owned.some((o) => o._id === w.serial && o.role === w.role));
      // A serial changing role on this line is released first, then claimed again.
      const released = owned.filter((o) => !wanted.some((w) => w.serial === o._id && w.role === o.role));
      const moving = released.filter((o) => added.some((a) => a.serial === o._id));
      if (moving.length > 0) await serials.deleteMany({ _id: { $in: moving.map((o) => o._id) } });
      await claim(added.map(({ serial, role }) => ({ _id: serial, lineId: line.id, role })));
      const r = await lines.replaceOne({ _id: line.id, version: expectedVersion }, lineDoc(stored));
      if (r.matchedCount === 0) {
        await serials.deleteMany({ _id: { $in: added.map((a) => a.serial) } });
        const now = await lines.findOne({ _id: line.id });
        if (!now) return null;
        throw new LineVersionError(line.id, expectedVersion, now.version);
      }
      const gone = released.filter((o) => !moving.includes(o)).map((o) => o._id);
      if (gone.length > 0) await serials.deleteMany({ _id: { $in: gone }, lineId: line.id });
      return stored;
    },

    async existingLineIds(ids) {
      const docs = await lines.find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray();
      return docs.map((d) => d._id);
    },

    async serialOwners(list) {
      const docs = await serials.find({ _id: { $in: [...list] } }).toArray();
      return new Map(docs.map((d) => [d._id, { lineId: d.lineId, role: d.role }]));
    },

    async lineBySerial(serial) {
      const owner = await serials.findOne({ _id: serial });
      const d = owner ? await lines.findOne({ _id: owner.lineId }) : null;
      return owner && d ? { line: toLine(d), role: owner.role } : null;
    },

    async getState(deviceId) {
      const d = await states.findOne({ _id: deviceId });
      return d ? (JSON.parse(d.doc) as ProvisioningState) : null;
    },

    async putState(s) {
      const doc: StateDoc = { _id: s.deviceId, serial: s.serial, lineId: s.lineId, standing: s.standing, status: s.status, doc: JSON.stringify(s) };
      await states.replaceOne({ _id: s.deviceId }, doc, { upsert: true });
    },

    async listStates(q) {
      checkCount("offset", q.offset);
      const f = stateFilter(q);
      const total = await states.countDocuments(f);
      const docs = await limited(q.limit, (limit) => states.find(f).sort({ _id: 1 }).skip(q.offset ?? 0).limit(limit).toArray());
      return { total, items: docs.map((d) => JSON.parse(d.doc) as ProvisioningState) };
    },

    async countStates() {
      // One count per value (few values): plainer than an aggregation, and FerretDB-safe.
      const out: StateCounts = { status: {}, standing: {} };
      for (const status of PROVISIONING_STATUSES) {
        const n = await states.countDocuments({ status });
        if (n > 0) out.status[status] = n;
      }
      for (const standing of STANDINGS) {
        const n = await states.countDocuments({ standing });
        if (n > 0) out.standing[standing] = n;
      }
      return out;
    },
  };
}
