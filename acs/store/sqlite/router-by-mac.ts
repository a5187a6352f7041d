// The rented-router inventory's serial for a MAC address, for the support
// search (acs/wifi/line-search.ts). Reads the rentals capability's table
// (acs/store/sqlite/rentals-schema.ts, UNIQUE mac) until its repository
// offers this lookup itself; an ACS without the inventory finds nothing.

import type Database from "better-sqlite3";
import type { MacLookup } from "../../wifi/line-search.ts";

export function createSqliteMacLookup(db: Database.Database): MacLookup {
  let stmt: Database.Statement<[string], { serial: string }> | null = null;
  return async (mac) => {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rental_routers'").get();
    if (!exists) return null;
    stmt ??= db.prepare<[string], { serial: string }>("SELECT serial FROM rental_routers WHERE mac = ?");
    return stmt.get(mac)?.serial ?? null;
  };
}
