// Link-rate measurements, line states, alerts and speed tests on MongoDB,
// using only what FerretDB 1.24 supports: FerretDB 1.x has no native
// time-series collections (nor $setWindowFields), so raw samples are a plain
// collection indexed by (lineId, atMs) and atMs, inserted with unordered
// insertMany, and rollups are computed here (acs/linkrate/rollup.ts), not by
// an aggregation pipeline. Free-form fields are JSON text (keys may hold
// dots, which FerretDB refuses). No transactions: a line state is read,
// folded and replaced; one speed test per line at a time keeps writers apart.
// The unique scheduler slot is a document of its own (_id = line|slot|direction),
// the one atomic check FerretDB gives.
// Contract: acs/linkrate/measurement-repository.ts (test/contract/linkrate-contract.ts).

import { randomUUID } from "node:crypto";
import { MongoServerError, type Db, type Filter, type IndexDescription } from "mongodb";
import {
  emptyLineState, feedsVerdicts, foldSamples,
  type AlertKind, type LineState, type LinkAlert, type Measurement, type MeasurementMethod, type Rollup, type SpeedTestRecord,
} from "../../linkrate/measurement.ts";
import type { AlertCount, DownsampleResult, LinkrateRepository, SampleQuery } from "../../linkrate/measurement-repository.ts";
import type { LinkDirection } from "../../linkrate/policy.ts";
import { alignDown, rollUp } from "../../linkrate/rollup.ts";
import type { VerdictCode } from "../../linkrate/verdict.ts";
import { mongoLinkrateDump } from "./linkrate-dump.ts";
import { ensureMissingIndexes, indexOf, isDuplicateKey, limited } from "./mongo-util.ts";
import { checkCount } from "../store-values.ts";

export interface SampleDoc { atMs: number; lineId: string; deviceId: string; direction: LinkDirection | null; method: MeasurementMethod; value: number; context: string | null }
export interface RollupDoc extends Omit<Rollup, never> { _id: string }
/** A line state: the recent samples (folded at ingest) apart from the verdict and alerts (written by evaluations), JSON text each. */
export interface LineDoc {
  _id: string;
  samples: string;
  verdict: string | null;
  alerts: string;
  primaryDownload: string | null;
  primaryUpload: string | null;
  codesDownload: string[] | null;
  codesUpload: string[] | null;
  lastDownloadBps: number | null;
  lastUploadBps: number | null;
}
export interface AlertDoc extends Omit<LinkAlert, "id" | "detail"> { _id: string; detail: string }
export interface TestDoc extends Omit<SpeedTestRecord, "id"> { _id: string }

const k = indexOf;

const INDEXES: Record<string, IndexDescription[]> = {
  // Unique per series and millisecond: a reading reported twice is stored once.
  linkrate_samples: [{ ...k({ lineId: 1, atMs: 1, deviceId: 1, method: 1, direction: 1 }), unique: true }, k({ atMs: 1 })],
  linkrate_rollups: [k({ lineId: 1, startMs: 1 })],
  linkrate_lines: [k({ primaryDownload: 1 }), k({ primaryUpload: 1 })],
  linkrate_alerts: [k({ clearedAtMs: 1, raisedAtMs: -1 }), k({ lineId: 1, raisedAtMs: -1 })],
  linkrate_speed_tests: [k({ deviceId: 1, status: 1, createdAtMs: 1 }), k({ status: 1, lineId: 1 }), k({ lineId: 1, createdAtMs: -1 })],
};


export const toSample = (d: SampleDoc): Measurement => ({
  atMs: d.atMs, lineId: d.lineId, deviceId: d.deviceId, direction: d.direction, method: d.method, value: d.value,
  context: d.context === null ? {} : (JSON.parse(d.context) as Measurement["context"]),
});
export const toRollup = ({ _id: _, ...r }: RollupDoc): Rollup => r;
export const toAlert = ({ _id, detail, ...a }: AlertDoc): LinkAlert => ({ id: _id, ...a, detail: JSON.parse(detail) as LinkAlert["detail"] });
export const toTest = ({ _id, ...t }: TestDoc): SpeedTestRecord => ({ id: _id, ...t });

type SamplesPart = Omit<LineState, "verdict" | "alerts">;
export const toState = (d: LineDoc): LineState => ({
  ...(JSON.parse(d.samples) as SamplesPart),
  verdict: d.verdict === null ? null : (JSON.parse(d.verdict) as LineState["verdict"]),
  alerts: JSON.parse(d.alerts) as LineState["alerts"],
});
export const samplesOf = ({ verdict: _v, alerts: _a, ...rest }: LineState): string => JSON.stringify(rest);
export const toSampleDoc = (m: Measurement): SampleDoc => ({
  atMs: m.atMs, lineId: m.lineId, deviceId: m.deviceId, direction: m.direction, method: m.method, value: m.value,
  context: Object.keys(m.context).length ? JSON.stringify(m.context) : null,
});
/** One rollup per series and interval start. */
export const rollupId = (r: Rollup): string => [r.lineId, r.startMs, r.method, r.direction ?? "", r.deviceId].join("|");
/** The scheduler slot a speed test holds (one test per line, slot and direction). */
export const slotId = (t: Pick<SpeedTestRecord, "lineId" | "direction"> & { slot: string }): string => `${t.lineId}|${t.slot}|${t.direction}`;

function sampleFilter(q: SampleQuery, timeField: "atMs" | "startMs"): Filter<SampleDoc & RollupDoc> {
  const f: Record<string, unknown> = {};
  if (q.lineId !== undefined) f.lineId = q.lineId;
  if (q.deviceId !== undefined) f.deviceId = q.deviceId;
  if (q.method !== undefined) f.method = q.method;
  if (q.sinceMs !== undefined || q.untilMs !== undefined) {
    f[timeField] = { ...(q.sinceMs !== undefined && { $gte: q.sinceMs }), ...(q.untilMs !== undefined && { $lt: q.untilMs }) };
  }
  return f as Filter<SampleDoc & RollupDoc>;
}

/** Creates the missing indexes and returns the repository over `db`. */
export async function createMongoLinkrateRepository(db: Db): Promise<LinkrateRepository> {
  await ensureMissingIndexes(db, INDEXES);
  const samples = db.collection<SampleDoc>("linkrate_samples");
  const rollups = db.collection<RollupDoc>("linkrate_rollups");
  const lines = db.collection<LineDoc>("linkrate_lines");
  const alerts = db.collection<AlertDoc>("linkrate_alerts");
  const tests = db.collection<TestDoc>("linkrate_speed_tests");
  const slots = db.collection<{ _id: string; createdAtMs: number }>("linkrate_speed_test_slots");

  const fresh = (): Omit<LineDoc, "_id" | "samples" | "lastDownloadBps" | "lastUploadBps"> => ({
    verdict: null, alerts: "{}", primaryDownload: null, primaryUpload: null, codesDownload: null, codesUpload: null,
  });

  return {
    ...mongoLinkrateDump(db),

    async appendSamples(list) {
      for (const m of list) {
        if (!Number.isFinite(m.atMs) || !Number.isFinite(m.value)) throw new RangeError(`sample of ${m.lineId}: time and value must be finite numbers`);
      }
      if (list.length === 0) return;
      await samples.insertMany(list.map(toSampleDoc), { ordered: false }).catch((err: unknown) => {
        // Unordered: every other sample was stored; duplicates are the same reading.
        const errors = (err as { writeErrors?: { code: number }[] }).writeErrors;
        if (!(err instanceof MongoServerError || (err as Error).name === "MongoBulkWriteError") || !errors?.every((e) => e.code === 11000)) throw err;
      });
      const folded = new Map<string, Measurement[]>();
      for (const m of list) if (feedsVerdicts(m)) folded.set(m.lineId, [...(folded.get(m.lineId) ?? []), m]);
      for (const [lineId, ms] of folded) {
        const d = await lines.findOne({ _id: lineId }, { projection: { samples: 1 } });
        const before: LineState = d ? { ...(JSON.parse(d.samples) as SamplesPart), verdict: null, alerts: {} } : emptyLineState(lineId);
        const s = foldSamples(before, ms);
        const set = { samples: samplesOf(s), lastDownloadBps: s.download.at(-1)?.bps ?? null, lastUploadBps: s.upload.at(-1)?.bps ?? null };
        // No $setOnInsert in FerretDB 1.24: a new line is inserted whole.
        if (d) await lines.updateOne({ _id: lineId }, { $set: set });
        else await lines.insertOne({ _id: lineId, ...fresh(), ...set });
      }
    },

    async listSamples(q) {
      const docs = await limited(q.limit, (n) => samples.find(sampleFilter(q, "atMs") as Filter<SampleDoc>).sort({ atMs: 1, _id: 1 }).limit(n).toArray());
      return docs.map(toSample);
    },

    async listRollups(q) {
      const docs = await limited(q.limit, (n) => rollups.find(sampleFilter(q, "startMs") as Filter<RollupDoc>).sort({ startMs: 1, method: 1, direction: 1 }).limit(n).toArray());
      return docs.map(toRollup);
    },

    async downsample({ beforeMs, intervalMs, speedTestsBeforeMs }): Promise<DownsampleResult> {
      if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0)) throw new RangeError("intervalMs must be a whole number > 0");
      const cutoff = alignDown(beforeMs, intervalMs);
      const result: DownsampleResult = { samples: 0, rollups: 0, expiredSpeedTests: 0, expiredTestRecords: 0 };
      const old: Filter<SampleDoc> = { atMs: { $lt: cutoff }, method: { $ne: "speed_test" } };
      for (;;) {
        const batch = await samples.find(old).sort({ lineId: 1, atMs: 1 }).limit(20_000).toArray();
        if (batch.length === 0) break;
        // Whole lines only, so every bucket of a line is rolled up from all its samples at once.
        const lastLine = batch.at(-1)!.lineId;
        const complete = batch.length < 20_000 ? batch : batch.filter((d) => d.lineId !== lastLine);
        const docs = complete.length > 0 ? complete : await samples.find({ ...old, lineId: lastLine }).toArray();
        for (const r of rollUp(docs.map(toSample), intervalMs)) {
          await rollups.replaceOne({ _id: rollupId(r) }, { ...r }, { upsert: true });
          result.rollups++;
        }
        await samples.deleteMany({ _id: { $in: docs.map((d) => (d as unknown as { _id: unknown })._id) } } as Filter<SampleDoc>);
        result.samples += docs.length;
      }
      result.expiredSpeedTests = (await samples.deleteMany({ atMs: { $lt: speedTestsBeforeMs }, method: "speed_test" })).deletedCount;
      result.expiredTestRecords = (await tests.deleteMany({ createdAtMs: { $lt: cutoff }, status: { $in: ["done", "failed"] } })).deletedCount;
      await slots.deleteMany({ createdAtMs: { $lt: cutoff } });
      return result;
    },

    async getLineStates(lineIds) {
      const out = new Map<string, LineState>();
      for (let i = 0; i < lineIds.length; i += 1000) {
        for (const d of await lines.find({ _id: { $in: lineIds.slice(i, i + 1000) } }).toArray()) out.set(d._id, toState(d));
      }
      return out;
    },

    async putEvaluations(evaluations, changes) {
      if (changes && changes.raised.length > 0) {
        await alerts.insertMany(changes.raised.map(({ id, detail, ...a }) => ({ _id: id, ...a, detail: JSON.stringify(detail) })), { ordered: false });
      }
      for (const c of changes?.cleared ?? []) await alerts.updateOne({ _id: c.id, clearedAtMs: null }, { $set: { clearedAtMs: c.atMs } });
      for (const e of evaluations) {
        const set = {
          verdict: JSON.stringify(e.verdict), alerts: JSON.stringify(e.alerts),
          primaryDownload: e.verdict.download[0] ?? null, primaryUpload: e.verdict.upload[0] ?? null,
          codesDownload: e.verdict.download, codesUpload: e.verdict.upload,
        };
        const updated = await lines.updateOne({ _id: e.lineId }, { $set: set });
        if (updated.matchedCount === 0) await lines.insertOne({ _id: e.lineId, samples: samplesOf(emptyLineState(e.lineId)), lastDownloadBps: null, lastUploadBps: null, ...set });
      }
    },

    async countVerdicts() {
      const out: Record<LinkDirection, Partial<Record<VerdictCode, number>>> = { download: {}, upload: {} };
      const docs = await lines.find({}, { projection: { primaryDownload: 1, primaryUpload: 1 } }).toArray();
      for (const d of docs) {
        if (d.primaryDownload) out.download[d.primaryDownload as VerdictCode] = (out.download[d.primaryDownload as VerdictCode] ?? 0) + 1;
        if (d.primaryUpload) out.upload[d.primaryUpload as VerdictCode] = (out.upload[d.primaryUpload as VerdictCode] ?? 0) + 1;
      }
      return out;
    },

    async listLinesByVerdict({ direction, code, offset, limit }) {
      checkCount("offset", offset);
      const field = direction === "download" ? "codesDownload" : "codesUpload";
      const filter: Filter<LineDoc> = code === undefined ? { [field]: { $ne: null } } : { [field]: code };
      const total = await lines.countDocuments(filter);
      const docs = await limited(limit, (n) => lines.find(filter).sort({ _id: 1 }).skip(offset ?? 0).limit(n).toArray());
      return { total, items: docs.map(toState) };
    },

    async latestSpeeds(direction) {
      const field = direction === "download" ? "lastDownloadBps" : "lastUploadBps";
      const docs = await lines.find({ [field]: { $ne: null } }, { projection: { [field]: 1 } }).toArray();
      return docs.map((d) => d[field]!);
    },

    async acknowledgeAlert(id, by, atMs) {
      await alerts.updateOne({ _id: id, acknowledgedAtMs: null }, { $set: { acknowledgedAtMs: atMs, acknowledgedBy: by } });
      const d = await alerts.findOne({ _id: id });
      return d ? toAlert(d) : null;
    },

    async getAlert(id) {
      const d = await alerts.findOne({ _id: id });
      return d ? toAlert(d) : null;
    },

    async listAlerts(q) {
      checkCount("offset", q.offset);
      const f: Filter<AlertDoc> = {};
      if (q.open !== undefined) f.clearedAtMs = q.open ? null : { $ne: null };
      if (q.lineId !== undefined) f.lineId = q.lineId;
      if (q.kind !== undefined) f.kind = q.kind;
      const total = await alerts.countDocuments(f);
      const docs = await limited(q.limit, (n) => alerts.find(f).sort({ raisedAtMs: -1, _id: 1 }).skip(q.offset ?? 0).limit(n).toArray());
      return { total, items: docs.map(toAlert) };
    },

    async countOpenAlerts(): Promise<AlertCount[]> {
      const open = await alerts.find({ clearedAtMs: null }, { projection: { kind: 1, acknowledgedAtMs: 1 } }).toArray();
      const by = new Map<AlertKind, AlertCount>();
      for (const a of open) {
        const c = by.get(a.kind) ?? { kind: a.kind, open: 0, unacknowledged: 0 };
        c.open++;
        if (a.acknowledgedAtMs === null) c.unacknowledged++;
        by.set(a.kind, c);
      }
      return [...by.values()].sort((a, b) => a.kind.localeCompare(b.kind));
    },

    async addSpeedTests(list, nowMs) {
      const stored: SpeedTestRecord[] = [];
      for (const t of list) {
        if (t.slot !== null) {
          try {
            await slots.insertOne({ _id: slotId({ ...t, slot: t.slot }), createdAtMs: nowMs });
          } catch (err) {
            if (isDuplicateKey(err)) continue;
            throw err;
          }
        }
        const rec: SpeedTestRecord = { ...t, id: randomUUID(), status: "queued", createdAtMs: nowMs, requestedAtMs: null, doneAtMs: null, bps: null, error: null };
        const { id, ...doc } = rec;
        await tests.insertOne({ _id: id, ...doc });
        stored.push(rec);
      }
      return stored;
    },

    async getSpeedTest(id) {
      const d = await tests.findOne({ _id: id });
      return d ? toTest(d) : null;
    },

    async updateSpeedTest(id, patch) {
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(set).length > 0) await tests.updateOne({ _id: id }, { $set: set });
    },

    async activeSpeedTests(deviceId) {
      return (await tests.find({ deviceId, status: { $in: ["queued", "requested"] } }).sort({ createdAtMs: 1, direction: 1, _id: 1 }).toArray()).map(toTest);
    },

    async countActiveLines() {
      const docs = await tests.find({ status: { $in: ["queued", "requested"] } }, { projection: { lineId: 1 } }).toArray();
      return new Set(docs.map((d) => d.lineId)).size;
    },

    async linesWithSlot(slot, lineIds) {
      const out = new Set<string>();
      for (let i = 0; i < lineIds.length; i += 1000) {
        const byKey = new Map(lineIds.slice(i, i + 1000).flatMap((l) => ["download", "upload"].map((d): [string, string] => [`${l}|${slot}|${d}`, l])));
        for (const d of await slots.find({ _id: { $in: [...byKey.keys()] } }).toArray()) out.add(byKey.get(d._id)!);
      }
      return out;
    },

    async listSpeedTests(q) {
      const f: Filter<TestDoc> = {};
      if (q.lineId !== undefined) f.lineId = q.lineId;
      if (q.status !== undefined) f.status = q.status;
      return (await limited(q.limit, (n) => tests.find(f).sort({ createdAtMs: -1, direction: 1, _id: 1 }).limit(n).toArray())).map(toTest);
    },
  };
}
