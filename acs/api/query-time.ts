// Time filters in query strings (lastInformAfter, since): ISO 8601 or epoch
// milliseconds, the two forms a script is likely to send.

import { badRequest } from "./errors.ts";

export const TIME_QUERY_SCHEMA = { type: "string", maxLength: 64 } as const;

export function parseTime(field: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw badRequest(`${field} must be an ISO 8601 date or epoch milliseconds (got "${raw}")`);
  return ms;
}
