// Small helpers shared by the MongoDB store collections.

import { checkCount } from "../store-values.ts";
import { MongoServerError, ObjectId, type Db, type IndexDescription } from "mongodb";

/**
 * Record ids (tasks, faults, audit): ObjectId hex strings. They sort by creation
 * second, then by a per-process counter, so sorting by id breaks timestamp ties
 * in insertion order (as the SQLite store's `seq`).
 */
export function newId(): string {
  return new ObjectId().toHexString();
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/** Runs `find` with a checked limit; Mongo's limit(0) means "no limit", ours means "none". */
export async function limited<T>(limit: number | undefined, find: (limit: number) => Promise<T[]>): Promise<T[]> {
  checkCount("limit", limit);
  if (limit === 0) return [];
  return find(limit ?? 0);
}

/** An index named as MongoDB would name it, so an existing one is recognised by name. */
export const indexOf = (key: Record<string, 1 | -1>): IndexDescription => ({ key, name: Object.entries(key).map(([f, d]) => `${f}_${d}`).join("_") });

/**
 * Creates the missing indexes only: FerretDB 1.24 drops the connection on a
 * createIndexes whose indexes all exist (indexes.ts, lines.ts and
 * rentals-records.ts each carry the same loop; they can move to this one).
 */
export async function ensureMissingIndexes(db: Db, specs: Record<string, IndexDescription[]>): Promise<void> {
  await Promise.all(Object.entries(specs).map(async ([name, wanted]) => {
    let existing = new Set<string>();
    try {
      existing = new Set((await db.collection(name).listIndexes().toArray()).map((i) => String(i.name)));
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === 26)) throw err; // NamespaceNotFound: a new collection
    }
    const missing = wanted.filter((s) => !existing.has(s.name!));
    if (missing.length > 0) await db.collection(name).createIndexes(missing);
  }));
}
