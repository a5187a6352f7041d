// Small helpers shared by the SQLite store tables: a prepared-statement cache,
// list limits, transactions and the group commit of session writes.

import type Database from "better-sqlite3";
import { checkCount } from "../store-values.ts";

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

/** A write committed by itself: for a repository used without its store's group commit. */
export const commitAlone = async <T>(fn: () => T): Promise<T> => fn();

export interface GroupCommit {
  /** Runs `fn` in the next group transaction; settles after its COMMIT. */
  write<T>(fn: () => T): Promise<T>;
  /** Commits what is queued now (before the database closes). */
  flush(): void;
}

/**
 * Group commit for the writes every CWMP session makes (device record,
 * Inform parameters, provisioning state): writes queued in one event-loop
 * turn run in ONE transaction, and every promise settles after the COMMIT,
 * so a resolved write is as durable as before. A commit costs far more than
 * a small write (it appends every touched page to the WAL): with dozens of
 * sessions in flight, one commit now serves many.
 *
 * Each write must be atomic by itself, so that a failing one rolls back alone
 * and rejects alone: one statement (SQLite undoes a failed statement, not the
 * transaction), or a better-sqlite3 transaction function (it nests as a
 * savepoint), as the Transactions of every table are.
 */
export function groupCommit(db: Db): GroupCommit {
  type Item = { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };
  type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
  let queue: Item[] = [];
  const all = db.transaction((items: Item[]): Outcome[] =>
    items.map((item): Outcome => {
      try {
        return { ok: true, value: item.fn() };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = (): void => {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = all.immediate(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  };
  return {
    write: <T>(fn: () => T): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (queue.length === 1) setImmediate(flush);
      }),
    flush,
  };
}
