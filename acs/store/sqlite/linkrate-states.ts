// Line states and alerts of the SQLite link-rate repository (see linkrate.ts).
// A line state is three columns: the recent samples (folded at ingest), the
// latest verdict and the open alerts, so an evaluation writes its part without
// reading the samples' part back; the verdict codes also sit in columns that
// counts and filters use.

import type Database from "better-sqlite3";
import { emptyLineState, foldSamples, type AlertKind, type LineState, type LinkAlert, type Measurement } from "../../linkrate/measurement.ts";
import type { AlertChanges, AlertCount, AlertQuery, LineEvaluation, LinkrateRepository } from "../../linkrate/measurement-repository.ts";
import type { LinkDirection } from "../../linkrate/policy.ts";
import type { VerdictCode } from "../../linkrate/verdict.ts";
import { prepareCached, sqlLimit, type Transactions } from "./sql-util.ts";
import { checkCount } from "../store-values.ts";

export const STATE_TABLES = `
CREATE TABLE IF NOT EXISTS linkrate_lines (
  line_id TEXT PRIMARY KEY,
  -- recent samples (LineState without verdict and alerts), JSON
  samples TEXT NOT NULL,
  verdict TEXT,
  alerts TEXT NOT NULL DEFAULT '{}',
  -- primary verdict code and ",code,code," lists, for counts and filters
  primary_download TEXT,
  primary_upload TEXT,
  codes_download TEXT,
  codes_upload TEXT,
  last_download_bps REAL,
  last_upload_bps REAL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS linkrate_alerts (
  id TEXT PRIMARY KEY,
  line_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  direction TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  cleared_at INTEGER,
  acked_at INTEGER,
  acked_by TEXT,
  detail TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS linkrate_alerts_open ON linkrate_alerts (cleared_at, raised_at);
CREATE INDEX IF NOT EXISTS linkrate_alerts_line ON linkrate_alerts (line_id, raised_at);
`;

export interface StateRow { line_id: string; samples: string; verdict: string | null; alerts: string }
export interface AlertRow { id: string; line_id: string; kind: string; direction: string; raised_at: number; cleared_at: number | null; acked_at: number | null; acked_by: string | null; detail: string }

/**
 * The samples part as flat [time, value, time, value …] arrays: a fleet-wide
 * evaluation parses 100,000 of them, and number arrays parse about twice as
 * fast as arrays of objects (and take half the bytes).
 */
interface PackedSamples { d: number[]; u: number[]; w: number[]; o: number[] }

const pack = (list: readonly { atMs: number; bps?: number; dbm1000?: number }[]): number[] => list.flatMap((x) => [x.atMs, x.bps ?? x.dbm1000!]);
function unpack<K extends "bps" | "dbm1000">(flat: readonly number[], key: K): ({ atMs: number } & Record<K, number>)[] {
  const out: ({ atMs: number } & Record<K, number>)[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ atMs: flat[i]!, [key]: flat[i + 1]! } as { atMs: number } & Record<K, number>);
  return out;
}
export const packSamples = (s: LineState): string => JSON.stringify({ d: pack(s.download), u: pack(s.upload), w: pack(s.wanRates), o: pack(s.opticalRx) } satisfies PackedSamples);
function unpackSamples(lineId: string, text: string): LineState {
  const p = JSON.parse(text) as PackedSamples;
  return { lineId, download: unpack(p.d, "bps"), upload: unpack(p.u, "bps"), wanRates: unpack(p.w, "bps"), opticalRx: unpack(p.o, "dbm1000"), verdict: null, alerts: {} };
}

const NO_ALERTS = "{}";
export const toState = (r: StateRow): LineState => ({
  ...unpackSamples(r.line_id, r.samples),
  verdict: r.verdict === null ? null : (JSON.parse(r.verdict) as LineState["verdict"]),
  // Most lines have no open alert: skip the parse.
  alerts: r.alerts === NO_ALERTS ? {} : (JSON.parse(r.alerts) as LineState["alerts"]),
});
export const toAlert = (r: AlertRow): LinkAlert => ({
  id: r.id, lineId: r.line_id, kind: r.kind as AlertKind, direction: r.direction === "" ? null : (r.direction as LinkDirection),
  raisedAtMs: r.raised_at, clearedAtMs: r.cleared_at, acknowledgedAtMs: r.acked_at, acknowledgedBy: r.acked_by,
  detail: JSON.parse(r.detail) as LinkAlert["detail"],
});
export const codesColumn = (codes: readonly VerdictCode[]): string => `,${codes.join(",")},`;

type StatesPart = Pick<LinkrateRepository,
  "getLineStates" | "putEvaluations" | "countVerdicts" | "listLinesByVerdict" | "latestSpeeds" | "acknowledgeAlert" | "getAlert" | "listAlerts" | "countOpenAlerts">;

export function sqliteLineStates(db: Database.Database, tx: Transactions): StatesPart & {
  /** Folds verdict-feeding samples into their lines' states; call inside the append transaction. */
  fold(byLine: ReadonlyMap<string, Measurement[]>): void;
} {
  const getSamples = db.prepare<[string], { samples: string }>("SELECT samples FROM linkrate_lines WHERE line_id = ?");
  const putSamples = db.prepare(`INSERT INTO linkrate_lines (line_id, samples, last_download_bps, last_upload_bps) VALUES (?, ?, ?, ?)
    ON CONFLICT (line_id) DO UPDATE SET samples = excluded.samples, last_download_bps = excluded.last_download_bps, last_upload_bps = excluded.last_upload_bps`);
  const putVerdict = db.prepare(`INSERT INTO linkrate_lines (line_id, samples, verdict, alerts, primary_download, primary_upload, codes_download, codes_upload)
    VALUES (@lineId, @empty, @verdict, @alerts, @pd, @pu, @cd, @cu)
    ON CONFLICT (line_id) DO UPDATE SET verdict = excluded.verdict, alerts = excluded.alerts, primary_download = excluded.primary_download,
      primary_upload = excluded.primary_upload, codes_download = excluded.codes_download, codes_upload = excluded.codes_upload`);
  const statesBetween = db.prepare<[string, string], StateRow>("SELECT line_id, samples, verdict, alerts FROM linkrate_lines WHERE line_id BETWEEN ? AND ?");
  const statesIn = db.prepare<[string], StateRow>("SELECT line_id, samples, verdict, alerts FROM linkrate_lines WHERE line_id IN (SELECT value FROM json_each(?))");
  const insertAlert = db.prepare("INSERT INTO linkrate_alerts (id, line_id, kind, direction, raised_at, cleared_at, acked_at, acked_by, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const clearAlert = db.prepare("UPDATE linkrate_alerts SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL");
  const getAlertRow = db.prepare<[string], AlertRow>("SELECT * FROM linkrate_alerts WHERE id = ?");

  return {
    fold(byLine) {
      for (const [lineId, list] of byLine) {
        const row = getSamples.get(lineId);
        const s = foldSamples(row ? unpackSamples(lineId, row.samples) : emptyLineState(lineId), list);
        putSamples.run(lineId, packSamples(s), s.download.at(-1)?.bps ?? null, s.upload.at(-1)?.bps ?? null);
      }
    },

    async getLineStates(lineIds) {
      const out = new Map<string, LineState>();
      if (lineIds.length === 0) return out;
      tx.read(() => {
        if (lineIds.length < 100) {
          for (const row of statesIn.all(JSON.stringify(lineIds))) out.set(row.line_id, toState(row));
          return;
        }
        // Many ids (a page of lines, by id): one range scan, keeping the ids asked for.
        const wanted = new Set(lineIds);
        let min = lineIds[0]!;
        let max = min;
        for (const id of lineIds) {
          if (id < min) min = id;
          if (id > max) max = id;
        }
        for (const row of statesBetween.all(min, max)) if (wanted.has(row.line_id)) out.set(row.line_id, toState(row));
      });
      return out;
    },

    async putEvaluations(evaluations: readonly LineEvaluation[], changes?: AlertChanges) {
      tx.write(() => {
        for (const a of changes?.raised ?? []) {
          insertAlert.run(a.id, a.lineId, a.kind, a.direction ?? "", a.raisedAtMs, a.clearedAtMs, a.acknowledgedAtMs, a.acknowledgedBy, JSON.stringify(a.detail));
        }
        for (const c of changes?.cleared ?? []) clearAlert.run(c.atMs, c.id);
        for (const e of evaluations) {
          putVerdict.run({
            lineId: e.lineId, empty: packSamples(emptyLineState(e.lineId)), verdict: JSON.stringify(e.verdict), alerts: JSON.stringify(e.alerts),
            pd: e.verdict.download[0] ?? null, pu: e.verdict.upload[0] ?? null, cd: codesColumn(e.verdict.download), cu: codesColumn(e.verdict.upload),
          });
        }
      });
    },

    async countVerdicts() {
      const out: Record<LinkDirection, Partial<Record<VerdictCode, number>>> = { download: {}, upload: {} };
      for (const d of ["download", "upload"] as const) {
        const rows = prepareCached(db,
          `SELECT primary_${d} AS code, COUNT(*) AS n FROM linkrate_lines WHERE primary_${d} IS NOT NULL GROUP BY primary_${d}`).all() as { code: string; n: number }[];
        for (const r of rows) out[d][r.code as VerdictCode] = r.n;
      }
      return out;
    },

    async listLinesByVerdict({ direction, code, offset, limit }) {
      checkCount("offset", offset);
      const col = direction === "download" ? "codes_download" : "codes_upload";
      const where = code === undefined ? `${col} IS NOT NULL` : `${col} LIKE ?`;
      const args = code === undefined ? [] : [`%,${code},%`];
      return tx.read(() => {
        const total = (prepareCached(db, `SELECT COUNT(*) AS n FROM linkrate_lines WHERE ${where}`).get(...args) as { n: number }).n;
        const rows = prepareCached(db, `SELECT line_id, samples, verdict, alerts FROM linkrate_lines WHERE ${where} ORDER BY line_id LIMIT ? OFFSET ?`)
          .all(...args, sqlLimit(limit), offset ?? 0) as StateRow[];
        return { total, items: rows.map(toState) };
      });
    },

    async latestSpeeds(direction) {
      const col = direction === "download" ? "last_download_bps" : "last_upload_bps";
      return prepareCached(db, `SELECT ${col} AS v FROM linkrate_lines WHERE ${col} IS NOT NULL`).pluck().all() as number[];
    },

    async acknowledgeAlert(id, by, atMs) {
      return tx.write(() => {
        prepareCached(db, "UPDATE linkrate_alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL").run(atMs, by, id);
        const row = getAlertRow.get(id);
        return row ? toAlert(row) : null;
      });
    },

    async getAlert(id) {
      const row = getAlertRow.get(id);
      return row ? toAlert(row) : null;
    },

    async listAlerts(q: AlertQuery) {
      checkCount("offset", q.offset);
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.open !== undefined) where.push(q.open ? "cleared_at IS NULL" : "cleared_at IS NOT NULL");
      if (q.lineId !== undefined) (where.push("line_id = ?"), args.push(q.lineId));
      if (q.kind !== undefined) (where.push("kind = ?"), args.push(q.kind));
      const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
      return tx.read(() => {
        const total = (prepareCached(db, `SELECT COUNT(*) AS n FROM linkrate_alerts ${w}`).get(...args) as { n: number }).n;
        const rows = prepareCached(db, `SELECT * FROM linkrate_alerts ${w} ORDER BY raised_at DESC, id LIMIT ? OFFSET ?`)
          .all(...args, sqlLimit(q.limit), q.offset ?? 0) as AlertRow[];
        return { total, items: rows.map(toAlert) };
      });
    },

    async countOpenAlerts(): Promise<AlertCount[]> {
      const rows = db.prepare<[], { kind: string; open: number; unacked: number }>(
        "SELECT kind, COUNT(*) AS open, SUM(acked_at IS NULL) AS unacked FROM linkrate_alerts WHERE cleared_at IS NULL GROUP BY kind ORDER BY kind").all();
      return rows.map((r) => ({ kind: r.kind as AlertKind, open: r.open, unacknowledged: r.unacked }));
    },
  };
}
