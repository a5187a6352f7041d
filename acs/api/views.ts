// What the API returns for each record, and the response schemas that
// serialize it: a field not listed here cannot reach a client. Times are ISO
// 8601 (UTC); secrets are masked (acs/secrets.ts); device credentials have no
// view at all.

import type { AuditEvent, Device, FaultRecord, ParamRecord, Task } from "../store/store.ts";
import { isSecretParameterName, maskValue, redactSecrets } from "../secrets.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const str = { type: "string" } as const;
const nullableStr = { type: ["string", "null"] } as const;
const anyJson = {} as const;

export const DEVICE_SUMMARY_SCHEMA = {
  type: "object",
  properties: {
    id: str, manufacturer: str, oui: str, productClass: str, serialNumber: str,
    softwareVersion: str, hardwareVersion: str, dataModel: str,
    registeredAt: str, lastInformAt: nullableStr, lastBootAt: nullableStr, lastRemoteAddress: nullableStr,
    connectionRequestUrl: nullableStr, udpConnectionRequestAddress: nullableStr,
    lastEvents: { type: "array", items: str },
    periodicInformInterval: { type: ["integer", "null"] },
    tags: { type: "array", items: str },
    online: { type: "boolean" },
  },
} as const;

export const DEVICE_DETAIL_SCHEMA = {
  type: "object",
  properties: {
    ...DEVICE_SUMMARY_SCHEMA.properties,
    parameters: {
      type: "object",
      additionalProperties: {
        type: "object",
        properties: { value: str, type: str, writable: { type: "boolean" }, ts: str },
      },
    },
  },
} as const;

const TASK_FAULT_SCHEMA = { type: ["object", "null"], properties: { code: str, message: str, detail: anyJson } } as const;

export const TASK_SCHEMA = {
  type: "object",
  properties: {
    id: str, deviceId: str, name: str, args: { type: "object", additionalProperties: true }, status: str,
    createdAt: str, createdBy: str, attempts: { type: "integer" }, notBefore: str, doneAt: nullableStr,
    fault: TASK_FAULT_SCHEMA, result: anyJson,
  },
} as const;

export const FAULT_SCHEMA = {
  type: "object",
  properties: {
    id: str, deviceId: str, channel: str, code: str, message: str, detail: anyJson, rpc: anyJson,
    retries: { type: "integer" }, timestamp: str,
  },
} as const;

export const AUDIT_SCHEMA = {
  type: "object",
  properties: { id: str, timestamp: str, actor: str, action: str, deviceId: nullableStr, detail: { type: "object", additionalProperties: true } },
} as const;

export const listSchema = <S extends object>(item: S) => ({ type: "object", properties: { items: { type: "array", items: item } } }) as const;

export function isOnline(device: Device, onlineWindowMs: number, now: number): boolean {
  return device.lastInformAt !== null && now - device.lastInformAt <= onlineWindowMs;
}

export function deviceSummary(d: Device, onlineWindowMs: number, now: number = Date.now()) {
  return {
    id: d.id, manufacturer: d.manufacturer, oui: d.oui, productClass: d.productClass, serialNumber: d.serialNumber,
    softwareVersion: d.softwareVersion, hardwareVersion: d.hardwareVersion, dataModel: d.dataModel,
    registeredAt: iso(d.registeredAt), lastInformAt: iso(d.lastInformAt), lastBootAt: iso(d.lastBootAt),
    lastRemoteAddress: d.lastRemoteAddress, connectionRequestUrl: d.connectionRequestUrl,
    udpConnectionRequestAddress: d.udpConnectionRequestAddress, lastEvents: d.lastEvents,
    periodicInformInterval: d.periodicInformInterval, tags: d.tags, online: isOnline(d, onlineWindowMs, now),
  };
}

export function parameterView(params: ReadonlyMap<string, ParamRecord>) {
  const out: Record<string, { value: string; type: string; writable: boolean; ts: string | null }> = {};
  for (const [path, p] of [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = isSecretParameterName(path) ? (maskValue(p.value) as string) : p.value;
    out[path] = { value, type: p.type, writable: p.writable, ts: iso(p.ts) };
  }
  return out;
}

export function taskView(t: Task) {
  return {
    id: t.id, deviceId: t.deviceId, name: t.name, args: redactSecrets(t.args), status: t.status,
    createdAt: iso(t.createdAt), createdBy: t.createdBy, attempts: t.attempts, notBefore: iso(t.notBefore),
    doneAt: iso(t.doneAt), fault: redactSecrets(t.fault), result: redactSecrets(t.result),
  };
}

export function faultView(f: FaultRecord) {
  return { ...redactSecrets({ id: f.id, deviceId: f.deviceId, channel: f.channel, code: f.code, message: f.message, detail: f.detail, rpc: f.rpc }), retries: f.retries, timestamp: iso(f.timestamp) };
}

export function auditView(a: AuditEvent) {
  return { id: a.id, timestamp: iso(a.timestamp), actor: a.actor, action: a.action, deviceId: a.deviceId, detail: redactSecrets(a.detail) };
}
