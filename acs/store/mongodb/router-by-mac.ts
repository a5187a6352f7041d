// The rented-router inventory's serial for a MAC address, for the support
// search (acs/wifi/line-search.ts). Reads the rentals capability's collection
// (acs/store/mongodb/rentals-records.ts: _id = serial, unique mac) until its
// repository offers this lookup itself.

import type { Db } from "mongodb";
import type { MacLookup } from "../../wifi/line-search.ts";

export function createMongoMacLookup(db: Db): MacLookup {
  const routers = db.collection<{ _id: string; mac: string }>("rental_routers");
  return async (mac) => (await routers.findOne({ mac }, { projection: { _id: 1 } }))?._id ?? null;
}
