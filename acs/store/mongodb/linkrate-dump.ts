// dump()/restore() of the MongoDB link-rate repository (acs/linkrate/measurement-dump.ts):
// each collection streamed in _id order a batch at a time, and inserted back
// with ordered insertMany (a duplicate _id stops the batch with the driver's
// error), documents shaped as linkrate.ts writes them. A speed test with a
// scheduler slot gets its slot document back too.

import type { Db, Document } from "mongodb";
import { LINKRATE_DUMP_KINDS, type LinkrateDumpBatch, type LinkrateDumpItems, type LinkrateDumpKind } from "../../linkrate/measurement-dump.ts";
import {
  rollupId, samplesOf, slotId, toAlert, toRollup, toSample, toSampleDoc, toState, toTest,
  type AlertDoc, type LineDoc, type RollupDoc, type SampleDoc, type TestDoc,
} from "./linkrate.ts";

interface Collection<K extends LinkrateDumpKind> {
  name: string;
  read(doc: Document): LinkrateDumpItems[K];
  write(item: LinkrateDumpItems[K]): Document;
}

const COLLECTIONS: { [K in LinkrateDumpKind]: Collection<K> } = {
  "link-rate samples": { name: "linkrate_samples", read: (d) => toSample(d as SampleDoc), write: (m) => toSampleDoc(m) },
  "link-rate rollups": { name: "linkrate_rollups", read: (d) => toRollup(d as RollupDoc), write: (r) => ({ _id: rollupId(r), ...r }) },
  "link-rate line states": {
    name: "linkrate_lines", read: (d) => toState(d as LineDoc),
    write: (s): LineDoc => ({
      _id: s.lineId, samples: samplesOf(s), verdict: s.verdict === null ? null : JSON.stringify(s.verdict), alerts: JSON.stringify(s.alerts),
      primaryDownload: s.verdict?.download[0] ?? null, primaryUpload: s.verdict?.upload[0] ?? null,
      codesDownload: s.verdict?.download ?? null, codesUpload: s.verdict?.upload ?? null,
      lastDownloadBps: s.download.at(-1)?.bps ?? null, lastUploadBps: s.upload.at(-1)?.bps ?? null,
    }),
  },
  "link-rate alerts": { name: "linkrate_alerts", read: (d) => toAlert(d as AlertDoc), write: ({ id, detail, ...a }) => ({ _id: id, ...a, detail: JSON.stringify(detail) }) },
  "speed tests": { name: "linkrate_speed_tests", read: (d) => toTest(d as TestDoc), write: ({ id, ...t }) => ({ _id: id, ...t }) },
};

export function mongoLinkrateDump(db: Db) {
  async function* dumpKind<K extends LinkrateDumpKind>(kind: K, batchSize: number): AsyncIterable<LinkrateDumpBatch> {
    const c = COLLECTIONS[kind] as Collection<K>;
    let items: LinkrateDumpItems[K][] = [];
    for await (const doc of db.collection(c.name).find({}).sort({ _id: 1 }).batchSize(batchSize)) {
      items.push(c.read(doc));
      if (items.length === batchSize) {
        yield { kind, items } as LinkrateDumpBatch;
        items = [];
      }
    }
    if (items.length > 0) yield { kind, items } as LinkrateDumpBatch;
  }
  return {
    async *dump(batchSize = 500): AsyncIterable<LinkrateDumpBatch> {
      for (const kind of LINKRATE_DUMP_KINDS) yield* dumpKind(kind, batchSize);
    },
    async restore(batch: LinkrateDumpBatch): Promise<void> {
      if (batch.items.length === 0) return;
      const c = COLLECTIONS[batch.kind] as Collection<LinkrateDumpKind>;
      await db.collection(c.name).insertMany(batch.items.map((i) => c.write(i)));
      if (batch.kind === "speed tests") {
        const slots = batch.items.flatMap((t) => (t.slot === null ? [] : [{ _id: slotId({ ...t, slot: t.slot }), createdAtMs: t.createdAtMs }]));
        if (slots.length > 0) await db.collection<{ _id: string; createdAtMs: number }>("linkrate_speed_test_slots").insertMany(slots);
      }
    },
  };
}
