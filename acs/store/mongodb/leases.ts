// Named leases coordinating ACS instances that share one database.
//
// Built on insert only, not on a conditional findOneAndUpdate/upsert: FerretDB
// 1.24 runs an update as "read the document, change it in Go, write it back"
// with no isolation, so two owners racing for an expired lease both see it
// expired and both "win" (measured: 19 races of 20 had several winners; 200
// concurrent $inc on one document kept 6). A unique _id is the one atomic
// check both MongoDB and FerretDB give.
//
// So a lease is a chain of generations, one document each:
// { _id: "<name>#<gen>", name, gen, owner, expiresAt }. The newest generation
// says who holds the lease. Taking or renewing it inserts generation gen+1;
// of several racers for the same gen+1 exactly one insert succeeds, the others
// get a duplicate key and look again. Older generations are then pruned (their
// _id is never reused, so a late delete cannot hit a newer holder).
// Expiry is compared with this instance's clock: instances must be NTP-synced,
// with lease TTLs far above their skew.

import type { Collection, Db } from "mongodb";
import { isDuplicateKey } from "./mongo-util.ts";

interface LeaseDoc {
  _id: string;
  name: string;
  gen: number;
  /** null once released. */
  owner: string | null;
  expiresAt: number;
}

export class LeaseCollection {
  private readonly leases: Collection<LeaseDoc>;

  constructor(db: Db) {
    this.leases = db.collection<LeaseDoc>("leases");
  }

  private latest(name: string): Promise<LeaseDoc | null> {
    return this.leases.findOne({ name }, { sort: { gen: -1 } });
  }

  /** Inserts generation `gen`; false when a racer inserted it first. */
  private async append(name: string, gen: number, owner: string | null, expiresAt: number): Promise<boolean> {
    try {
      await this.leases.insertOne({ _id: `${name}#${gen}`, name, gen, owner, expiresAt });
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
    await this.leases.deleteMany({ name, gen: { $lt: gen } });
    return true;
  }

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new RangeError(`lease ttl must be a positive number of ms, got ${ttlMs}`);
    // Each lost race means another insert landed: either another owner now holds
    // the lease (false on the next look) or this owner renewed it concurrently.
    for (;;) {
      const current = await this.latest(name);
      const now = Date.now();
      if (current && current.owner !== owner && current.expiresAt > now) return false;
      if (await this.append(name, current ? current.gen + 1 : 0, owner, now + ttlMs)) return true;
    }
  }

  async release(name: string, owner: string): Promise<void> {
    const current = await this.latest(name);
    // A lost race means someone else moved the lease on: nothing left to release.
    if (current?.owner === owner) await this.append(name, current.gen + 1, null, 0);
  }
}
