// Small helpers shared by the SQLite store tables: a prepared-statement cache
// for SQL built at run time, and JSON columns for the interface's free-form fields.

import type Database from "better-sqlite3";

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[], unknown>;

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * Prepared statement for SQL assembled from a finite set of shapes (filters,
 * sort columns, patched fields): preparing costs more than running a simple query.
 */
export function prepareCached(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** `undefined` has no JSON form: stored as SQL NULL and read back as null. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** Same check for every list filter: `limit`/`offset` must be whole numbers >= 0. */
export function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${String(value)}`);
  }
}

/** SQLite LIMIT clause value: -1 means no limit. */
export function sqlLimit(limit: number | undefined): number {
  checkCount("limit", limit);
  return limit ?? -1;
}

export interface Transactions {
  /** BEGIN IMMEDIATE: takes the write lock first, so read-then-write never fails with SQLITE_BUSY mid-way. */
  write<T>(fn: () => T): T;
  /** One snapshot for several reads. */
  read<T>(fn: () => T): T;
}

export function transactions(db: Db): Transactions {
  const run = db.transaction((fn: () => unknown) => fn());
  return {
    write: <T>(fn: () => T): T => run.immediate(fn) as T,
    read: <T>(fn: () => T): T => run.deferred(fn) as T,
  };
}
