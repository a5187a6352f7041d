// Parameter tree, one row per node, clustered by (device, path) so a subtree
// is one contiguous key range: "X." .. "X/" ("/" is the byte after ".").
// Contract decisions (checked by the contract suite):
// - a prefix or subtree without a trailing "." names one exact node, as in getParameters;
// - getParameters with an empty prefix list returns nothing; an unknown device has no parameters;
// - updateParameters applies deleteSubtrees before `set`, so a refreshed subtree
//   is replaced in one call; on an unknown device it writes nothing.

import type { ParamRecord } from "../store.ts";
import { transactions, type Db, type Transactions } from "./sql-util.ts";
import { BoundedCache, StringPool } from "./read-cache.ts";

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

/** A tracked exact path: its record, or null when the device has no such node. */
type ExactEntries = Map<string, Readonly<ParamRecord> | null>;

/** Exact paths tracked per device: an Inform carries ~10; reads of more (API, tasks) go on to the database. */
const MAX_TRACKED_PATHS = 64;

/** Paths and types of cached records, shared: measured ~2.8 KB of heap per device with their own copies, ~1.7 KB so. */
const strings = new StringPool();

const cachedRecord = (value: string, type: ParamRecord["type"], writable: boolean, ts: number): Readonly<ParamRecord> =>
  Object.freeze({ value, type: strings.intern(type) as ParamRecord["type"], writable, ts });

export class ParamTable {
  private readonly tx: Transactions;
  /**
   * Per device, the records of the exact paths read by getParameters: every
   * periodic Inform reads the ~10 paths it carries to find which changed, then
   * writes the few that did (see read-cache.ts for why an in-process cache is
   * coherent). Filled by exact reads, updated by every write of a tracked path
   * after it succeeds, dropped per device on deleteSubtrees and device delete,
   * and dropped whole when a group commit rolls back (dropAll). Measured on
   * 10,000 devices, store CPU per periodic session's calls (in-process,
   * medians): 116 µs without this cache, 63 µs with it; ~1.7 KB of heap per device.
   */
  private readonly exactCache = new BoundedCache<string, ExactEntries>();
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
    if (prefixes !== undefined && this.fromCache(id, prefixes, result)) return result;
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
      let tracked = this.exactCache.get(id);
      for (const prefix of prefixes) {
        if (prefix.endsWith(".")) {
          for (const row of this.range.iterate(rid, prefix, rangeEnd(prefix))) add(row);
          continue;
        }
        const cached = tracked?.get(prefix);
        if (cached !== undefined) {
          if (cached !== null) result.set(prefix, cached);
          continue;
        }
        const row = this.exact.get(rid, prefix);
        const record = row ? cachedRecord(row.value, row.type, row.writable === 1, row.ts) : null;
        if (!tracked) this.exactCache.set(id, (tracked = new Map()));
        if (tracked.size < MAX_TRACKED_PATHS) tracked.set(strings.intern(prefix), record);
        if (record) result.set(prefix, record);
      }
    });
    return result;
  }

  /** Answers from the cache alone when every prefix is a tracked exact path. */
  private fromCache(id: string, prefixes: readonly string[], result: Map<string, ParamRecord>): boolean {
    const tracked = this.exactCache.get(id);
    if (!tracked) return false;
    for (const prefix of prefixes) if (!tracked.has(prefix)) return false;
    for (const prefix of prefixes) {
      const record = tracked.get(prefix);
      if (record) result.set(prefix, record);
    }
    return true;
  }

  update(id: string, set: ReadonlyMap<string, ParamRecord>, deleteSubtrees: readonly string[] = []): void {
    if (deleteSubtrees.length > 0) this.exactCache.delete(id);
    this.tx.write(() => {
      const rid = this.rid(id);
      if (rid === undefined) return;
      for (const subtree of deleteSubtrees) {
        if (subtree.endsWith(".")) this.deleteRange.run(rid, subtree, rangeEnd(subtree));
        else this.deleteExact.run(rid, subtree);
      }
      for (const [path, p] of set) this.upsert.run(rid, path, p.value, p.type, p.writable ? 1 : 0, p.ts);
    });
    // After the writes succeeded (a failed one throws before): the row now holds exactly `p`.
    const tracked = this.exactCache.get(id);
    if (!tracked) return;
    for (const [path, p] of set) {
      if (tracked.has(path)) tracked.set(path, cachedRecord(p.value, p.type, Boolean(p.writable), p.ts));
    }
  }

  /** The device is gone (its rows with it): a device registering again under its id starts empty. */
  forgetDevice(id: string): void {
    this.exactCache.delete(id);
  }

  /** A transaction holding writes already applied to the cache rolled back. */
  dropAll(): void {
    this.exactCache.clear();
  }
}
