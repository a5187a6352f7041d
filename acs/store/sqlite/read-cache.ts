// In-process caches of documents a SQLite repository reads in every CWMP
// session (a device's provisioning state, its line, its firmware campaign
// records). Coherent because one process owns the database (owner-lock.ts)
// and every write goes through the repository that owns the cache, which
// invalidates it. Cached values are deep-frozen and shared between readers:
// one that mutated them would throw rather than corrupt the cache.

/** Entries kept per cache: a 10,000-device fleet fits whole; beyond, the oldest entries go first. */
export const READ_CACHE_ENTRIES = 20_000;

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A Map that drops its oldest insertion beyond `max` entries. */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max = READ_CACHE_ENTRIES) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    // Re-inserted, so that a written entry counts as the newest.
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * One shared copy of equal strings held by cache entries (parameter paths and
 * types: the same few dozen in every device's entry, each arriving as a fresh
 * string of its Inform). Bounded: beyond `max` distinct strings the oldest
 * leave the pool, and the entries holding them keep their own copies.
 */
export class StringPool {
  private readonly pool: BoundedCache<string, string>;
  constructor(max = 4096) {
    this.pool = new BoundedCache(max);
  }

  intern(s: string): string {
    const shared = this.pool.get(s);
    if (shared !== undefined) return shared;
    this.pool.set(s, s);
    return s;
  }
}
