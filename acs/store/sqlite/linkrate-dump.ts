// dump()/restore() of the SQLite link-rate repository (acs/linkrate/measurement-dump.ts):
// each table read in key order a page at a time (keyset paging, so no cursor
// stays open across a yield), written back in one transaction per batch.
// Samples and rollups name their series by (line, device, method, direction):
// the target numbers its series itself (seriesOf of linkrate.ts).

import type Database from "better-sqlite3";
import { LINKRATE_DUMP_KINDS, type LinkrateDumpBatch, type LinkrateDumpItems, type LinkrateDumpKind } from "../../linkrate/measurement-dump.ts";
import type { Measurement } from "../../linkrate/measurement.ts";
import { toRollup, toSample, toTest, type RollupRow, type SampleRow, type TestRow } from "./linkrate.ts";
import { codesColumn, packSamples, toAlert, toState, type AlertRow, type StateRow } from "./linkrate-states.ts";
import type { Transactions } from "./sql-util.ts";

interface Source<K extends LinkrateDumpKind> {
  /** Selects rows after the key given as ?-parameters (none on the first page), in key order, LIMIT ?. */
  select(after: boolean): string;
  key: string[];
  read(row: never): LinkrateDumpItems[K];
}

const SERIES = "s.line_id, s.device_id, s.direction, s.method";
const after = (cols: string, on: boolean, n: number) => (on ? `WHERE (${cols}) > (${Array(n).fill("?").join(", ")})` : "");

const SOURCES: { [K in LinkrateDumpKind]: Source<K> } = {
  "link-rate samples": {
    key: ["series_id", "at_ms"], read: (r: SampleRow) => toSample(r),
    select: (on) => `SELECT p.series_id, p.at_ms, ${SERIES}, p.value, p.context FROM linkrate_points p JOIN linkrate_series s ON s.id = p.series_id
      ${after("p.series_id, p.at_ms", on, 2)} ORDER BY p.series_id, p.at_ms LIMIT ?`,
  },
  "link-rate rollups": {
    key: ["series_id", "start_ms"], read: (r: RollupRow) => toRollup(r),
    select: (on) => `SELECT r.series_id, ${SERIES}, r.start_ms, r.interval_ms, r.count, r.min, r.median, r.max FROM linkrate_rollups r
      JOIN linkrate_series s ON s.id = r.series_id ${after("r.series_id, r.start_ms", on, 2)} ORDER BY r.series_id, r.start_ms LIMIT ?`,
  },
  "link-rate line states": {
    key: ["line_id"], read: (r: StateRow) => toState(r),
    select: (on) => `SELECT line_id, samples, verdict, alerts FROM linkrate_lines ${after("line_id", on, 1)} ORDER BY line_id LIMIT ?`,
  },
  "link-rate alerts": {
    key: ["id"], read: (r: AlertRow) => toAlert(r),
    select: (on) => `SELECT * FROM linkrate_alerts ${after("id", on, 1)} ORDER BY id LIMIT ?`,
  },
  "speed tests": {
    key: ["id"], read: (r: TestRow) => toTest(r),
    select: (on) => `SELECT * FROM linkrate_speed_tests ${after("id", on, 1)} ORDER BY id LIMIT ?`,
  },
};

type SeriesKey = Pick<Measurement, "lineId" | "deviceId" | "method" | "direction">;

/** `seriesOf` numbers a series (creating it); `forgetSeries` drops its cache after a rolled-back write. */
export function sqliteLinkrateDump(db: Database.Database, tx: Transactions, seriesOf: (s: SeriesKey) => number, forgetSeries: () => void) {
  const insertPoint = db.prepare("INSERT INTO linkrate_points (series_id, at_ms, value, context) VALUES (?, ?, ?, ?)");
  const insertRollup = db.prepare("INSERT INTO linkrate_rollups (series_id, start_ms, interval_ms, count, min, median, max) VALUES (?, ?, ?, ?, ?, ?, ?)");
  const insertLine = db.prepare(`INSERT INTO linkrate_lines (line_id, samples, verdict, alerts, primary_download, primary_upload, codes_download, codes_upload,
    last_download_bps, last_upload_bps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAlert = db.prepare("INSERT INTO linkrate_alerts (id, line_id, kind, direction, raised_at, cleared_at, acked_at, acked_by, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const insertTest = db.prepare(`INSERT INTO linkrate_speed_tests (id, line_id, device_id, direction, origin, slot, requested_by, status, created_at,
    requested_at, done_at, bps, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const writers: { [K in LinkrateDumpKind]: (item: LinkrateDumpItems[K]) => void } = {
    "link-rate samples": (m) => insertPoint.run(seriesOf(m), m.atMs, m.value, Object.keys(m.context).length ? JSON.stringify(m.context) : null),
    "link-rate rollups": (r) => insertRollup.run(seriesOf(r), r.startMs, r.intervalMs, r.count, r.min, r.median, r.max),
    "link-rate line states": (s) => insertLine.run(
      s.lineId, packSamples(s), s.verdict === null ? null : JSON.stringify(s.verdict), JSON.stringify(s.alerts),
      s.verdict?.download[0] ?? null, s.verdict?.upload[0] ?? null,
      s.verdict === null ? null : codesColumn(s.verdict.download), s.verdict === null ? null : codesColumn(s.verdict.upload),
      s.download.at(-1)?.bps ?? null, s.upload.at(-1)?.bps ?? null,
    ),
    "link-rate alerts": (a) => insertAlert.run(a.id, a.lineId, a.kind, a.direction ?? "", a.raisedAtMs, a.clearedAtMs, a.acknowledgedAtMs, a.acknowledgedBy, JSON.stringify(a.detail)),
    "speed tests": (t) => insertTest.run(t.id, t.lineId, t.deviceId, t.direction, t.origin, t.slot, t.requestedBy, t.status, t.createdAtMs, t.requestedAtMs, t.doneAtMs, t.bps, t.error),
  };

  async function* dumpKind<K extends LinkrateDumpKind>(kind: K, batchSize: number): AsyncIterable<LinkrateDumpBatch> {
    const s = SOURCES[kind] as Source<K>;
    const first = db.prepare(s.select(false));
    const next = db.prepare(s.select(true));
    for (let last: Record<string, unknown> | null = null; ;) {
      const rows = (last === null ? first.all(batchSize) : next.all(...s.key.map((c) => last![c]), batchSize)) as Record<string, unknown>[];
      if (rows.length > 0) yield { kind, items: rows.map((r) => s.read(r as never)) } as LinkrateDumpBatch;
      if (rows.length < batchSize) return;
      last = rows.at(-1)!;
    }
  }

  return {
    async *dump(batchSize = 500): AsyncIterable<LinkrateDumpBatch> {
      for (const kind of LINKRATE_DUMP_KINDS) yield* dumpKind(kind, batchSize);
    },
    async restore(batch: LinkrateDumpBatch): Promise<void> {
      const write = writers[batch.kind] as (item: LinkrateDumpItems[LinkrateDumpKind]) => void;
      try {
        tx.write(() => batch.items.forEach(write));
      } catch (err) {
        forgetSeries(); // series created by the rolled-back batch are gone
        throw err;
      }
    },
  };
}
