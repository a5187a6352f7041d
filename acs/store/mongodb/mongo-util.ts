// Small helpers shared by the MongoDB store collections.

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

/**
 * Free-form fields (task args/result/fault, fault detail/rpc, audit detail) are
 * stored as JSON text, not as sub-documents: FerretDB 1.24 rejects keys with "."
 * or a leading "$" ("invalid key"), and a getParameterValues result is keyed by
 * parameter paths. JSON also gives both stores the same round trip (undefined
 * dropped, numbers as JSON numbers). `undefined` is stored as null.
 */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson(text: string | null | undefined): unknown {
  return text === null || text === undefined ? null : JSON.parse(text);
}

/** Same check as every list filter of the store: whole numbers >= 0. */
export function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${String(value)}`);
  }
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
