// Wi-Fi change records on SQLite: the record as a JSON document beside the
// columns its queries use (line, time, open). Contract:
// acs/wifi/change-repository.ts, checked by test/contract/wifi-changes-contract.ts.

import type Database from "better-sqlite3";
import type { WifiChangeRepository } from "../../wifi/change-repository.ts";
import { isOpen, type WifiChange } from "../../wifi/wifi-change.ts";

const TABLES = `
CREATE TABLE IF NOT EXISTS wifi_changes (
  id TEXT PRIMARY KEY,
  line_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  open INTEGER NOT NULL,
  doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS wifi_changes_line ON wifi_changes (line_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS wifi_changes_open ON wifi_changes (created_at, id) WHERE open = 1;
`;

/** Creates the table if missing and returns the repository over `db`. */
export function createSqliteWifiChangeRepository(db: Database.Database): WifiChangeRepository {
  db.transaction(() => db.exec(TABLES)).immediate();
  const put = db.prepare<[string, string, number, number, string]>(
    "INSERT OR REPLACE INTO wifi_changes (id, line_id, created_at, open, doc) VALUES (?, ?, ?, ?, ?)",
  );
  const get = db.prepare<[string], { doc: string }>("SELECT doc FROM wifi_changes WHERE id = ?");
  const byLine = db.prepare<[string, number], { doc: string }>("SELECT doc FROM wifi_changes WHERE line_id = ? ORDER BY created_at DESC, id DESC LIMIT ?");
  const open = db.prepare<[], { doc: string }>("SELECT doc FROM wifi_changes WHERE open = 1 ORDER BY created_at, id");
  const page = db.prepare<[number, string, number], { doc: string; created_at: number; id: string }>(
    "SELECT doc, created_at, id FROM wifi_changes WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?",
  );
  const parse = (row: { doc: string }): WifiChange => JSON.parse(row.doc) as WifiChange;
  return {
    async put(c) {
      put.run(c.id, c.lineId, c.createdAt, isOpen(c) ? 1 : 0, JSON.stringify(c));
    },
    async get(id) {
      const row = get.get(id);
      return row ? parse(row) : null;
    },
    async listByLine(lineId, limit) {
      return byLine.all(lineId, limit).map(parse);
    },
    async listOpen() {
      return open.all().map(parse);
    },
    async *dump(batchSize = 500) {
      for (let after = { at: -Infinity, id: "" }; ;) {
        const rows = page.all(after.at, after.id, batchSize);
        if (rows.length === 0) return;
        yield rows.map(parse);
        const last = rows[rows.length - 1]!;
        after = { at: last.created_at, id: last.id };
      }
    },
  };
}
