// Subscriber lines and per-device provisioning state on SQLite. Lines and
// states are kept as JSON documents beside the columns their queries filter
// on; line_serials makes a serial unique across routers and ONTs. Contract:
// acs/lines/line-repository.ts, checked by test/contract/lines-contract.ts.

import type Database from "better-sqlite3";
import { lineSerials, type EquipmentRole, type Line } from "../../lines/line.ts";
import {
  LineConflictError, LineVersionError,
  type LineQuery, type LineRepository, type StateCounts, type StateQuery,
} from "../../lines/line-repository.ts";
import type { ProvisioningState } from "../../provisioning/provisioning-state.ts";
import { commitAlone, prepareCached, sqlLimit, transactions, type GroupCommit } from "./sql-util.ts";
import { checkCount } from "../store-values.ts";
import { BoundedCache, deepFreeze } from "./read-cache.ts";

// lines and provisioning_states keep rowids: their rows are documents of 1-3 KB,
// which a WITHOUT ROWID b-tree stores badly (SQLite advises it for small rows).
const TABLES = `
CREATE TABLE IF NOT EXISTS lines (
  id TEXT PRIMARY KEY,
  subscriber_id TEXT NOT NULL,
  commune TEXT NOT NULL,
  -- lower-case id, subscriber name and address, for the substring search
  search TEXT NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lines_subscriber ON lines (subscriber_id, id);
CREATE INDEX IF NOT EXISTS lines_commune ON lines (commune, id);

-- One row per serial: a serial is on one line only, as router or ONT.
CREATE TABLE IF NOT EXISTS line_serials (
  serial TEXT PRIMARY KEY,
  line_id TEXT NOT NULL,
  role TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS line_serials_line ON line_serials (line_id);

CREATE TABLE IF NOT EXISTS provisioning_states (
  device_id TEXT PRIMARY KEY,
  serial TEXT NOT NULL,
  line_id TEXT,
  standing TEXT NOT NULL,
  status TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS provisioning_states_serial ON provisioning_states (serial);
CREATE INDEX IF NOT EXISTS provisioning_states_line ON provisioning_states (line_id, device_id);
CREATE INDEX IF NOT EXISTS provisioning_states_standing ON provisioning_states (standing, device_id);
CREATE INDEX IF NOT EXISTS provisioning_states_status ON provisioning_states (status, device_id);
`;

const searchText = (l: Line): string => `${l.id}\n${l.subscriber.name}\n${l.address}`.toLowerCase();
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Creates the capability's tables if missing and returns its repository over `db`. */
/** `group`: the store's group commit, for the provisioning state sessions write; without one (a repository alone), each write commits by itself. */
export function createSqliteLineRepository(db: Database.Database, group?: GroupCommit): LineRepository {
  db.transaction(() => db.exec(TABLES)).immediate();
  const tx = transactions(db);
  const sessionWrite = group?.write ?? commitAlone;

  const getDoc = db.prepare<[string], { doc: string; version: number }>("SELECT doc, version FROM lines WHERE id = ?");
  const insertLine = db.prepare<[string, string, string, string, number, string]>(
    "INSERT INTO lines (id, subscriber_id, commune, search, version, doc) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const updateLine = db.prepare<[string, string, string, number, string, string]>(
    "UPDATE lines SET subscriber_id = ?, commune = ?, search = ?, version = ?, doc = ? WHERE id = ?",
  );
  const ownerOf = db.prepare<[string], { line_id: string; role: EquipmentRole }>("SELECT line_id, role FROM line_serials WHERE serial = ?");
  const insertSerial = db.prepare<[string, string, string]>("INSERT INTO line_serials (serial, line_id, role) VALUES (?, ?, ?)");
  const deleteSerials = db.prepare<[string]>("DELETE FROM line_serials WHERE line_id = ?");
  const getState = db.prepare<[string], { doc: string }>("SELECT doc FROM provisioning_states WHERE device_id = ?");
  // An upsert, not INSERT OR REPLACE: only the index entries of changed columns are rewritten.
  const putState = db.prepare<[string, string, string | null, string, string, string]>(
    `INSERT INTO provisioning_states (device_id, serial, line_id, standing, status, doc) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET serial = excluded.serial, line_id = excluded.line_id,
       standing = excluded.standing, status = excluded.status, doc = excluded.doc`,
  );
  const byStatus = db.prepare<[], { k: string; n: number }>("SELECT status AS k, count(*) AS n FROM provisioning_states GROUP BY status");
  const byStanding = db.prepare<[], { k: string; n: number }>("SELECT standing AS k, count(*) AS n FROM provisioning_states GROUP BY standing");

  // Read in every session (read-cache.ts): each device's state as last written (its JSON until read again), and the
  // line of each serial, dropped whole on any line write (rare: the API, CSV imports): one write can move serials.
  const states = new BoundedCache<string, ProvisioningState | string | null>();
  const bySerial = new BoundedCache<string, { line: Line; role: EquipmentRole } | null>();

  const toLine = (row: { doc: string; version: number }): Line => ({ ...(JSON.parse(row.doc) as Line), version: row.version });

  /** Throws LineConflictError when a serial of `line` is on another line. */
  function claimSerials(line: Line): void {
    for (const { serial, role } of lineSerials(line)) {
      const owner = ownerOf.get(serial);
      if (owner && owner.line_id !== line.id) throw new LineConflictError(role === "router" ? "router.serial" : "ontSerial", serial, owner.line_id);
    }
    deleteSerials.run(line.id);
    for (const { serial, role } of lineSerials(line)) insertSerial.run(serial, line.id, role);
  }

  return {
    async getLine(id) {
      const row = getDoc.get(id);
      return row ? toLine(row) : null;
    },

    async listLines(q: LineQuery) {
      checkCount("offset", q.offset);
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.subscriberId !== undefined) (where.push("subscriber_id = ?"), args.push(q.subscriberId));
      if (q.commune !== undefined) (where.push("commune = ?"), args.push(q.commune));
      if (q.serial !== undefined) (where.push("id = (SELECT line_id FROM line_serials WHERE serial = ?)"), args.push(q.serial));
      if (q.search !== undefined) (where.push("search LIKE ? ESCAPE '\\'"), args.push(`%${likeEscape(q.search.toLowerCase())}%`));
      const clause = where.length ? ` WHERE ${where.join(" AND ")}` : "";
      return tx.read(() => {
        const { n } = prepareCached(db, `SELECT count(*) AS n FROM lines${clause}`).get(...args) as { n: number };
        const rows = prepareCached(db, `SELECT doc, version FROM lines${clause} ORDER BY id LIMIT ? OFFSET ?`)
          .all(...args, sqlLimit(q.limit), q.offset ?? 0) as { doc: string; version: number }[];
        return { total: n, items: rows.map(toLine) };
      });
    },

    async addLines(lines) {
      bySerial.clear();
      tx.write(() => {
        for (const line of lines) {
          const existing = getDoc.get(line.id);
          if (existing) throw new LineConflictError("id", line.id, line.id);
          insertLine.run(line.id, line.subscriber.id, line.commune, searchText(line), line.version, JSON.stringify(line));
          claimSerials(line);
        }
      });
    },

    async replaceLine(line, expectedVersion) {
      bySerial.clear();
      return tx.write(() => {
        const row = getDoc.get(line.id);
        if (!row) return null;
        if (row.version !== expectedVersion) throw new LineVersionError(line.id, expectedVersion, row.version);
        const stored: Line = { ...line, version: expectedVersion + 1 };
        claimSerials(stored);
        updateLine.run(stored.subscriber.id, stored.commune, searchText(stored), stored.version, JSON.stringify(stored), stored.id);
        return stored;
      });
    },

    async existingLineIds(ids) {
      const rows = prepareCached(db, "SELECT id FROM lines WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id").all(JSON.stringify(ids)) as { id: string }[];
      return rows.map((r) => r.id);
    },

    async serialOwners(serials) {
      const rows = prepareCached(db, "SELECT serial, line_id, role FROM line_serials WHERE serial IN (SELECT value FROM json_each(?))")
        .all(JSON.stringify(serials)) as { serial: string; line_id: string; role: EquipmentRole }[];
      return new Map(rows.map((r) => [r.serial, { lineId: r.line_id, role: r.role }]));
    },

    async lineBySerial(serial) {
      const cached = bySerial.get(serial);
      if (cached !== undefined) return cached;
      const found = tx.read(() => {
        const owner = ownerOf.get(serial);
        const row = owner ? getDoc.get(owner.line_id) : undefined;
        return owner && row ? deepFreeze({ line: toLine(row), role: owner.role }) : null;
      });
      bySerial.set(serial, found);
      return found;
    },

    async getState(deviceId) {
      let s = states.get(deviceId);
      if (s === undefined) s = getState.get(deviceId)?.doc ?? null;
      else if (typeof s !== "string") return s;
      if (typeof s === "string") s = deepFreeze(JSON.parse(s) as ProvisioningState);
      states.set(deviceId, s);
      return s;
    },

    async putState(s) {
      const doc = JSON.stringify(s);
      try {
        await sessionWrite(() => putState.run(s.deviceId, s.serial, s.lineId, s.standing, s.status, doc));
      } catch (err) {
        states.delete(s.deviceId);
        throw err;
      }
      // Parsed at the next read: the caller goes on changing the object it wrote.
      states.set(s.deviceId, doc);
    },

    async listStates(q: StateQuery) {
      checkCount("offset", q.offset);
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.standing !== undefined) {
        const list = typeof q.standing === "string" ? [q.standing] : q.standing;
        where.push("standing IN (SELECT value FROM json_each(?))");
        args.push(JSON.stringify(list));
      }
      if (q.status !== undefined) (where.push("status = ?"), args.push(q.status));
      if (q.lineId !== undefined) (where.push("line_id = ?"), args.push(q.lineId));
      if (q.serial !== undefined) (where.push("serial = ?"), args.push(q.serial));
      const clause = where.length ? ` WHERE ${where.join(" AND ")}` : "";
      return tx.read(() => {
        const { n } = prepareCached(db, `SELECT count(*) AS n FROM provisioning_states${clause}`).get(...args) as { n: number };
        const rows = prepareCached(db, `SELECT doc FROM provisioning_states${clause} ORDER BY device_id LIMIT ? OFFSET ?`)
          .all(...args, sqlLimit(q.limit), q.offset ?? 0) as { doc: string }[];
        return { total: n, items: rows.map((r) => JSON.parse(r.doc) as ProvisioningState) };
      });
    },

    async countStates() {
      return tx.read((): StateCounts => ({
        status: Object.fromEntries(byStatus.all().map((r) => [r.k, r.n])),
        standing: Object.fromEntries(byStanding.all().map((r) => [r.k, r.n])),
      }));
    },
  };
}
