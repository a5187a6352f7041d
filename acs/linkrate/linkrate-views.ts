// What the link-rate API (and the live channel) return for speed tests and
// alerts: times in ISO 8601 (UTC).

import type { LinkAlert, SpeedTestRecord } from "./measurement.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const testView = (t: SpeedTestRecord) => ({
  id: t.id, lineId: t.lineId, deviceId: t.deviceId, direction: t.direction, origin: t.origin, slot: t.slot, requestedBy: t.requestedBy,
  status: t.status, createdAt: iso(t.createdAtMs), requestedAt: iso(t.requestedAtMs), doneAt: iso(t.doneAtMs), bps: t.bps, error: t.error,
});

export const alertView = (a: LinkAlert) => ({
  id: a.id, lineId: a.lineId, kind: a.kind, direction: a.direction, raisedAt: iso(a.raisedAtMs), clearedAt: iso(a.clearedAtMs),
  acknowledgedAt: iso(a.acknowledgedAtMs), acknowledgedBy: a.acknowledgedBy, detail: a.detail,
});
