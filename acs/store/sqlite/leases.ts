// Named leases coordinating ACS instances that share one database file.
// One upsert statement takes a free or expired lease or renews the caller's own,
// atomically: SQLite serialises writers, so two owners can never both succeed.

import type { Db } from "./sql-util.ts";

export class LeaseTable {
  private readonly take;
  private readonly release;

  constructor(db: Db) {
    this.take = db.prepare<{ name: string; owner: string; expiresAt: number; now: number }, unknown>(
      `INSERT INTO leases (name, owner, expires_at) VALUES (@name, @owner, @expiresAt)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at <= @now`,
    );
    this.release = db.prepare<[string, string], unknown>("DELETE FROM leases WHERE name = ? AND owner = ?");
  }

  acquire(name: string, owner: string, ttlMs: number): boolean {
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new RangeError(`lease ttl must be a positive number of ms, got ${ttlMs}`);
    const now = Date.now();
    return this.take.run({ name, owner, expiresAt: now + ttlMs, now }).changes > 0;
  }

  releaseBy(name: string, owner: string): void {
    this.release.run(name, owner);
  }
}
