// Link-rate measurements and speed tests on SQLite; line states and alerts
// are in linkrate-states.ts.
// Raw samples are points (series id, time, value) keyed by series and time,
// the series (line, device, method, direction) in a dictionary table cached
// in memory; a batch is one transaction of 50-row INSERTs (1.9x the rate of
// row-by-row statements on better-sqlite3, measured): that keeps ingest above
// 50,000 samples/s and a sample near 21 bytes on disk (bench/linkrate-ingest.bench.ts).
// Contract: acs/linkrate/measurement-repository.ts (test/contract/linkrate-contract.ts).

import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { feedsVerdicts, type Measurement, type MeasurementMethod, type NewSpeedTest, type Rollup, type SpeedTestRecord } from "../../linkrate/measurement.ts";
import type { DownsampleResult, LinkrateRepository, SampleQuery, SpeedTestPatch } from "../../linkrate/measurement-repository.ts";
import type { LinkDirection } from "../../linkrate/policy.ts";
import { alignDown, rollUp } from "../../linkrate/rollup.ts";
import { sqliteLinkrateDump } from "./linkrate-dump.ts";
import { STATE_TABLES, sqliteLineStates } from "./linkrate-states.ts";
import { BoundedCache } from "./read-cache.ts";
import { prepareCached, sqlLimit, transactions } from "./sql-util.ts";

const TABLES = `
-- One row per series (line, device, method, direction); points refer to it by
-- an integer, so a raw sample costs a few dozen bytes with its index entry.
CREATE TABLE IF NOT EXISTS linkrate_series (
  id INTEGER PRIMARY KEY,
  line_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  method TEXT NOT NULL,
  -- '' when the reading has no direction
  direction TEXT NOT NULL,
  UNIQUE (line_id, device_id, method, direction)
);

-- Keyed by series and time: one B-tree, about 21 bytes a sample. A second
-- sample of a series at the same millisecond is the same reading: it replaces.
CREATE TABLE IF NOT EXISTS linkrate_points (
  series_id INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  value REAL NOT NULL,
  context TEXT,
  PRIMARY KEY (series_id, at_ms)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS linkrate_rollups (
  series_id INTEGER NOT NULL,
  start_ms INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  min REAL NOT NULL,
  median REAL NOT NULL,
  max REAL NOT NULL,
  PRIMARY KEY (series_id, start_ms)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS linkrate_speed_tests (
  id TEXT PRIMARY KEY,
  line_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  direction TEXT NOT NULL,
  origin TEXT NOT NULL,
  slot TEXT,
  requested_by TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  requested_at INTEGER,
  done_at INTEGER,
  bps REAL,
  error TEXT
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS linkrate_speed_tests_slot ON linkrate_speed_tests (line_id, slot, direction) WHERE slot IS NOT NULL;
CREATE INDEX IF NOT EXISTS linkrate_speed_tests_device ON linkrate_speed_tests (device_id, status, created_at);
CREATE INDEX IF NOT EXISTS linkrate_speed_tests_status ON linkrate_speed_tests (status, line_id);
CREATE INDEX IF NOT EXISTS linkrate_speed_tests_line ON linkrate_speed_tests (line_id, created_at);
`;

interface SeriesRow { id: number; line_id: string; device_id: string; direction: string; method: string }
export interface SampleRow { at_ms: number; line_id: string; device_id: string; direction: string; method: string; value: number; context: string | null }
export interface RollupRow { line_id: string; device_id: string; direction: string; method: string; start_ms: number; interval_ms: number; count: number; min: number; median: number; max: number }
export interface TestRow {
  id: string; line_id: string; device_id: string; direction: string; origin: string; slot: string | null; requested_by: string;
  status: string; created_at: number; requested_at: number | null; done_at: number | null; bps: number | null; error: string | null;
}

const dir = (d: string): LinkDirection | null => (d === "" ? null : (d as LinkDirection));
export const toSample = (r: SampleRow): Measurement => ({
  atMs: r.at_ms, lineId: r.line_id, deviceId: r.device_id, direction: dir(r.direction), method: r.method as MeasurementMethod,
  value: r.value, context: r.context === null ? {} : (JSON.parse(r.context) as Measurement["context"]),
});
export const toRollup = (r: RollupRow): Rollup => ({
  lineId: r.line_id, deviceId: r.device_id, direction: dir(r.direction), method: r.method as MeasurementMethod,
  startMs: r.start_ms, intervalMs: r.interval_ms, count: r.count, min: r.min, median: r.median, max: r.max,
});
export const toTest = (r: TestRow): SpeedTestRecord => ({
  id: r.id, lineId: r.line_id, deviceId: r.device_id, direction: r.direction as LinkDirection, origin: r.origin as SpeedTestRecord["origin"],
  slot: r.slot, requestedBy: r.requested_by, status: r.status as SpeedTestRecord["status"], createdAtMs: r.created_at,
  requestedAtMs: r.requested_at, doneAtMs: r.done_at, bps: r.bps, error: r.error,
});

/** Filters on the series (s) and the time column of points or rollups. */
function sampleWhere(q: SampleQuery, time: string): { sql: string; args: unknown[] } {
  const where = [`${time} >= ?`, `${time} < ?`];
  const args: unknown[] = [q.sinceMs ?? -8.64e15, q.untilMs ?? 8.64e15];
  if (q.lineId !== undefined) (where.push("s.line_id = ?"), args.push(q.lineId));
  if (q.deviceId !== undefined) (where.push("s.device_id = ?"), args.push(q.deviceId));
  if (q.method !== undefined) (where.push("s.method = ?"), args.push(q.method));
  return { sql: where.join(" AND "), args };
}

const SERIES_CACHE_MAX = 200_000;
const ROWS_PER_INSERT = 50;


/** Creates the capability's tables if missing and returns its repository over `db`. */
export function createSqliteLinkrateRepository(db: Database.Database): LinkrateRepository {
  // Each series appends at its own place in the points B-tree: keep those pages in memory
  // (64 MiB on this connection instead of SQLite's 2 MiB default), or ingest falls to disk speed.
  db.pragma("cache_size = -65536");
  db.transaction(() => db.exec(TABLES + STATE_TABLES)).immediate();
  const tx = transactions(db);
  const states = sqliteLineStates(db, tx);

  const insertPoint = db.prepare("INSERT OR REPLACE INTO linkrate_points (series_id, at_ms, value, context) VALUES (?, ?, ?, ?)");
  const insertPoints = db.prepare(`INSERT OR REPLACE INTO linkrate_points (series_id, at_ms, value, context) VALUES ${Array(ROWS_PER_INSERT).fill("(?, ?, ?, ?)").join(", ")}`);
  const insertSeries = db.prepare("INSERT OR IGNORE INTO linkrate_series (line_id, device_id, method, direction) VALUES (?, ?, ?, ?)");
  const findSeries = db.prepare<[string, string, string, string], { id: number }>(
    "SELECT id FROM linkrate_series WHERE line_id = ? AND device_id = ? AND method = ? AND direction = ?");
  /** Series ids by key, oldest first. */
  const seriesIds = new Map<string, number>();
  const seriesOf = (m: Pick<Measurement, "lineId" | "deviceId" | "method" | "direction">): number => {
    const direction = m.direction ?? "";
    const key = `${m.lineId}\u0000${m.deviceId}\u0000${m.method}\u0000${direction}`;
    let id = seriesIds.get(key);
    if (id === undefined) {
      insertSeries.run(m.lineId, m.deviceId, m.method, direction);
      id = findSeries.get(m.lineId, m.deviceId, m.method, direction)!.id;
      if (seriesIds.size >= SERIES_CACHE_MAX) seriesIds.delete(seriesIds.keys().next().value!); // oldest first
      seriesIds.set(key, id);
    }
    return id;
  };
  const insertRollup = db.prepare(`INSERT INTO linkrate_rollups (series_id, start_ms, interval_ms, count, min, median, max) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET count = excluded.count, min = excluded.min, median = excluded.median, max = excluded.max`);
  const getTestRow = db.prepare<[string], TestRow>("SELECT * FROM linkrate_speed_tests WHERE id = ?");
  const insertTest = db.prepare(`INSERT OR IGNORE INTO linkrate_speed_tests (id, line_id, device_id, direction, origin, slot, requested_by, status, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)`);
  const deviceOfTest = db.prepare<[string], { device_id: string }>("SELECT device_id FROM linkrate_speed_tests WHERE id = ?");
  const activeTests = db.prepare<[string], TestRow>(
    "SELECT * FROM linkrate_speed_tests WHERE device_id = ? AND status IN ('queued', 'requested') ORDER BY created_at, direction, id");
  // activeSpeedTests runs in every session of a device and finds none for almost all (read-cache.ts): the devices
  // found without an active test. Dropped for its device by every insert or update of a test, whole by a restore;
  // downsample deletes only finished tests, which leaves a device without an active test as it was. Measured with
  // the router cache of rentals.ts (10,000 devices): see there; about 1.2 MB of heap.
  const noActiveTest = new BoundedCache<string, true>();
  const dump = sqliteLinkrateDump(db, tx, seriesOf, () => seriesIds.clear());

  const append = (samples: readonly Measurement[]): void => {
    const folded = new Map<string, Measurement[]>();
    const args: unknown[] = [];
    for (const m of samples) {
      let context: string | null = null;
      for (const _ in m.context) {
        context = JSON.stringify(m.context);
        break;
      }
      args.push(seriesOf(m), m.atMs, m.value, context);
      if (args.length === ROWS_PER_INSERT * 4) {
        insertPoints.run(args);
        args.length = 0;
      }
      if (feedsVerdicts(m)) {
        const list = folded.get(m.lineId);
        if (list) list.push(m);
        else folded.set(m.lineId, [m]);
      }
    }
    for (let i = 0; i < args.length; i += 4) insertPoint.run(args[i], args[i + 1], args[i + 2], args[i + 3]);
    states.fold(folded);
  };

  return {
    ...states,
    dump: dump.dump,
    restore: async (batch) => {
      if (batch.kind === "speed tests") noActiveTest.clear();
      return dump.restore(batch);
    },

    async appendSamples(samples) {
      for (const m of samples) {
        if (!Number.isFinite(m.atMs) || !Number.isFinite(m.value)) throw new RangeError(`sample of ${m.lineId}: time and value must be finite numbers`);
      }
      try {
        tx.write(() => append(samples));
      } catch (err) {
        seriesIds.clear(); // series created by the rolled-back batch are gone
        throw err;
      }
    },

    async listSamples(q) {
      const w = sampleWhere(q, "p.at_ms");
      const sql = `SELECT p.at_ms, s.line_id, s.device_id, s.direction, s.method, p.value, p.context
        FROM linkrate_points p JOIN linkrate_series s ON s.id = p.series_id WHERE ${w.sql} ORDER BY p.at_ms, p.series_id LIMIT ?`;
      return (prepareCached(db, sql).all(...w.args, sqlLimit(q.limit)) as SampleRow[]).map(toSample);
    },

    async listRollups(q) {
      const w = sampleWhere(q, "r.start_ms");
      const sql = `SELECT s.line_id, s.device_id, s.direction, s.method, r.start_ms, r.interval_ms, r.count, r.min, r.median, r.max
        FROM linkrate_rollups r JOIN linkrate_series s ON s.id = r.series_id WHERE ${w.sql} ORDER BY r.start_ms, s.method, s.direction LIMIT ?`;
      return (prepareCached(db, sql).all(...w.args, sqlLimit(q.limit)) as RollupRow[]).map(toRollup);
    },

    async downsample({ beforeMs, intervalMs, speedTestsBeforeMs }): Promise<DownsampleResult> {
      if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0)) throw new RangeError("intervalMs must be a whole number > 0");
      const cutoff = alignDown(beforeMs, intervalMs);
      const result: DownsampleResult = { samples: 0, rollups: 0, expiredSpeedTests: 0, expiredTestRecords: 0 };
      const seriesPage = db.prepare<[number], SeriesRow>("SELECT * FROM linkrate_series WHERE id > ? ORDER BY id LIMIT 500");
      const oldPoints = db.prepare<[number, number], { at_ms: number; value: number }>("SELECT at_ms, value FROM linkrate_points WHERE series_id = ? AND at_ms < ?");
      const deleteOld = db.prepare("DELETE FROM linkrate_points WHERE series_id = ? AND at_ms < ?");
      // One transaction per 500 series: bounded memory, and writers wait milliseconds, not minutes.
      for (let after = 0; ;) {
        const page = seriesPage.all(after);
        if (page.length === 0) break;
        after = page.at(-1)!.id;
        tx.write(() => {
          for (const series of page) {
            if (series.method === "speed_test") {
              result.expiredSpeedTests += deleteOld.run(series.id, speedTestsBeforeMs).changes;
              continue;
            }
            const points = oldPoints.all(series.id, cutoff);
            if (points.length === 0) continue;
            const base = toSample({ ...series, at_ms: 0, value: 0, context: null });
            for (const r of rollUp(points.map((p) => ({ ...base, atMs: p.at_ms, value: p.value })), intervalMs)) {
              insertRollup.run(series.id, r.startMs, r.intervalMs, r.count, r.min, r.median, r.max);
              result.rollups++;
            }
            result.samples += deleteOld.run(series.id, cutoff).changes;
          }
        });
      }
      result.expiredTestRecords = tx.write(() =>
        prepareCached(db, "DELETE FROM linkrate_speed_tests WHERE created_at < ? AND status IN ('done', 'failed')").run(cutoff).changes);
      return result;
    },

    async addSpeedTests(tests: readonly NewSpeedTest[], nowMs) {
      for (const t of tests) noActiveTest.delete(t.deviceId);
      return tx.write(() => {
        const stored: SpeedTestRecord[] = [];
        for (const t of tests) {
          const id = randomUUID();
          if (insertTest.run(id, t.lineId, t.deviceId, t.direction, t.origin, t.slot, t.requestedBy, nowMs).changes === 1) stored.push(toTest(getTestRow.get(id)!));
        }
        return stored;
      });
    },

    async getSpeedTest(id) {
      const row = getTestRow.get(id);
      return row ? toTest(row) : null;
    },

    async updateSpeedTest(id, patch: SpeedTestPatch) {
      const cols: Record<keyof SpeedTestPatch, string> = { status: "status", requestedAtMs: "requested_at", doneAtMs: "done_at", bps: "bps", error: "error" };
      const keys = (Object.keys(patch) as (keyof SpeedTestPatch)[]).filter((k) => patch[k] !== undefined);
      if (keys.length === 0) return;
      const test = deviceOfTest.get(id);
      if (test) noActiveTest.delete(test.device_id);
      prepareCached(db, `UPDATE linkrate_speed_tests SET ${keys.map((k) => `${cols[k]} = ?`).join(", ")} WHERE id = ?`).run(...keys.map((k) => patch[k]), id);
    },

    async activeSpeedTests(deviceId) {
      if (noActiveTest.has(deviceId)) return [];
      const rows = activeTests.all(deviceId);
      if (rows.length === 0) noActiveTest.set(deviceId, true);
      return rows.map(toTest);
    },

    async countActiveLines() {
      return prepareCached(db, "SELECT COUNT(DISTINCT line_id) FROM linkrate_speed_tests WHERE status IN ('queued', 'requested')").pluck().get() as number;
    },

    async linesWithSlot(slot, lineIds) {
      const stmt = prepareCached(db, "SELECT 1 AS n FROM linkrate_speed_tests WHERE line_id = ? AND slot = ? LIMIT 1");
      return tx.read(() => new Set(lineIds.filter((id) => stmt.get(id, slot) !== undefined)));
    },

    async listSpeedTests(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.lineId !== undefined) (where.push("line_id = ?"), args.push(q.lineId));
      if (q.status !== undefined) (where.push("status = ?"), args.push(q.status));
      const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const rows = prepareCached(db, `SELECT * FROM linkrate_speed_tests ${w} ORDER BY created_at DESC, direction, id LIMIT ?`).all(...args, sqlLimit(q.limit)) as TestRow[];
      return rows.map(toTest);
    },
  };
}
