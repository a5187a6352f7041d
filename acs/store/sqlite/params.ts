// Parameter tree, one row per node, clustered by (device, path) so a subtree
// is one contiguous key range: "X." .. "X/" ("/" is the byte after ".").
// Contract decisions (checked by the contract suite):
// - a prefix or subtree without a trailing "." names one exact node, as in getParameters;
// - getParameters with an empty prefix list returns nothing; an unknown device has no parameters;
// - updateParameters applies deleteSubtrees before `set`, so a refreshed subtree
//   is replaced in one call; on an unknown device it writes nothing.

import type { ParamRecord } from "../store.ts";
import { transactions, type Db, type Transactions } from "./sql-util.ts";

interface ParamRow {
  path: string;
  value: string;
  type: ParamRecord["type"];
  writable: number;
  ts: number;
}

/** Upper bound of the key range holding every path that starts with `prefix` (which ends in "."). */
function rangeEnd(prefix: string): string {
  return `${prefix.slice(0, -1)}/`;
}

export class ParamTable {
  private readonly tx: Transactions;
  private readonly all;
  private readonly range;
  private readonly exact;
  private readonly upsert;
  private readonly deleteRange;
  private readonly deleteExact;

  constructor(
    db: Db,
    /** Integer key of a device id (see DeviceTable.rid). */
    private readonly rid: (id: string) => number | undefined,
  ) {
    this.tx = transactions(db);
    const columns = "path, value, type, writable, ts";
    this.all = db.prepare<[number], ParamRow>(`SELECT ${columns} FROM params WHERE device_rid = ?`);
    this.range = db.prepare<[number, string, string], ParamRow>(
      `SELECT ${columns} FROM params WHERE device_rid = ? AND path >= ? AND path < ?`,
    );
    this.exact = db.prepare<[number, string], ParamRow>(`SELECT ${columns} FROM params WHERE device_rid = ? AND path = ?`);
    // A node re-reported identically is not rewritten (the WHERE of DO UPDATE).
    this.upsert = db.prepare<[number, string, string, string, number, number], unknown>(
      `INSERT INTO params (device_rid, path, value, type, writable, ts) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_rid, path) DO UPDATE SET
         value = excluded.value, type = excluded.type, writable = excluded.writable, ts = excluded.ts
       WHERE value IS NOT excluded.value OR type IS NOT excluded.type
         OR writable IS NOT excluded.writable OR ts IS NOT excluded.ts`,
    );
    this.deleteRange = db.prepare<[number, string, string], unknown>(
      "DELETE FROM params WHERE device_rid = ? AND path >= ? AND path < ?",
    );
    this.deleteExact = db.prepare<[number, string], unknown>("DELETE FROM params WHERE device_rid = ? AND path = ?");
  }

  get(id: string, prefixes?: readonly string[]): Map<string, ParamRecord> {
    const result = new Map<string, ParamRecord>();
    const add = (row: ParamRow): void => {
      result.set(row.path, { value: row.value, type: row.type, writable: row.writable === 1, ts: row.ts });
    };
    this.tx.read(() => {
      const rid = this.rid(id);
      if (rid === undefined) return;
      if (prefixes === undefined) {
        for (const row of this.all.iterate(rid)) add(row);
        return;
      }
      for (const prefix of prefixes) {
        if (prefix.endsWith(".")) {
          for (const row of this.range.iterate(rid, prefix, rangeEnd(prefix))) add(row);
        } else {
          const row = this.exact.get(rid, prefix);
          if (row) add(row);
        }
      }
    });
    return result;
  }

  update(id: string, set: ReadonlyMap<string, ParamRecord>, deleteSubtrees: readonly string[] = []): void {
    this.tx.write(() => {
      const rid = this.rid(id);
      if (rid === undefined) return;
      for (const subtree of deleteSubtrees) {
        if (subtree.endsWith(".")) this.deleteRange.run(rid, subtree, rangeEnd(subtree));
        else this.deleteExact.run(rid, subtree);
      }
      for (const [path, p] of set) this.upsert.run(rid, path, p.value, p.type, p.writable ? 1 : 0, p.ts);
    });
  }
}
