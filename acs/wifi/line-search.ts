// Finding a subscriber's line the way a support call starts: by line id,
// subscriber name, router serial or the MAC printed on the router. A MAC
// goes through the rented-router inventory (MAC → serial); the rest through
// the line repository's own queries (exact id, serial, then substring of
// id, subscriber name or address).

import type { Line } from "../lines/line.ts";
import { rentedRouterSerial } from "../lines/line.ts";
import type { LineRepository } from "../lines/line-repository.ts";

/** The serial of the router with this MAC ("aa:bb:cc:dd:ee:ff"), or null. */
export type MacLookup = (mac: string) => Promise<string | null>;

export type MatchedBy = "line id" | "router serial" | "MAC" | "name or address";

export interface LineMatch {
  lineId: string;
  subscriberName: string;
  address: string;
  routerSerial: string | null;
  matchedBy: MatchedBy;
}

/** A MAC in any common spelling ("A4-B1-…", "a4:b1:…", "a4b1.c200.1234", bare hex) as "aa:bb:cc:dd:ee:ff", or null. */
export function normalizeMac(q: string): string | null {
  const hex = q.trim().replace(/[:.-]/g, "");
  return /^[0-9a-f]{12}$/i.test(hex) ? hex.toLowerCase().match(/../g)!.join(":") : null;
}

export async function searchLines(
  q: string,
  deps: { lines: Pick<LineRepository, "getLine" | "listLines">; macLookup?: MacLookup },
  limit = 20,
): Promise<LineMatch[]> {
  const query = q.trim();
  const out = new Map<string, LineMatch>();
  const add = (line: Line, matchedBy: MatchedBy): void => {
    if (out.has(line.id) || out.size >= limit) return;
    out.set(line.id, { lineId: line.id, subscriberName: line.subscriber.name, address: line.address, routerSerial: rentedRouterSerial(line), matchedBy });
  };
  if (query === "") return [];
  const mac = normalizeMac(query);
  if (mac && deps.macLookup) {
    const serial = await deps.macLookup(mac);
    if (serial) for (const line of (await deps.lines.listLines({ serial, limit: 1 })).items) add(line, "MAC");
  }
  const exact = await deps.lines.getLine(query);
  if (exact) add(exact, "line id");
  for (const line of (await deps.lines.listLines({ serial: query, limit: 1 })).items) add(line, "router serial");
  for (const line of (await deps.lines.listLines({ search: query, limit })).items) add(line, "name or address");
  return [...out.values()];
}
