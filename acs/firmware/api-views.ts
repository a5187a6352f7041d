// What the firmware API returns, and the schemas of its bodies and answers
// (a field not listed here cannot reach a client). Times are ISO 8601 UTC,
// as in the rest of the API; the campaign window is Paris wall-clock time.

import { judgeWave, waveDone } from "./campaign-rules.ts";
import { DEVICE_STATES, emptyCounts, type Campaign, type CampaignDevice, type WaveCounts } from "./campaign-types.ts";
import type { FirmwareFile } from "./firmware-repository.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const str = { type: "string" } as const;
const nullableStr = { type: ["string", "null"] } as const;
const int = { type: "integer" } as const;
const num = { type: "number" } as const;
const COUNTS_SCHEMA = { type: "object", properties: Object.fromEntries(DEVICE_STATES.map((s) => [s, int])) } as const;
const VERSION = { type: "string", minLength: 1, maxLength: 64 } as const;

export const FILE_SCHEMA = {
  type: "object",
  properties: { name: str, version: str, size: int, sha256: str, profile: nullableStr, uploadedAt: str, uploadedBy: str },
} as const;

export const fileView = (f: FirmwareFile) => ({ ...f, uploadedAt: iso(f.uploadedAt) });

export const UPLOAD_QUERY = {
  type: "object",
  additionalProperties: false,
  required: ["name", "sha256"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 128 },
    version: VERSION,
    sha256: { type: "string", minLength: 64, maxLength: 64 },
    profile: { type: "string", minLength: 1, maxLength: 256 },
  },
} as const;

const WAVE_SPEC = {
  type: "object",
  additionalProperties: false,
  required: ["size", "concurrency"],
  properties: { size: { type: "integer", minimum: 1, maximum: 1_000_000 }, concurrency: { type: "integer", minimum: 1, maximum: 100_000 } },
} as const;

export const NEW_CAMPAIGN_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["name", "firmware", "target", "waves", "failureThreshold"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200 },
    firmware: { type: "string", minLength: 1, maxLength: 128 },
    target: {
      type: "object",
      additionalProperties: false,
      properties: {
        profile: { type: "string", minLength: 1, maxLength: 256 },
        oui: { type: "string", pattern: "^[0-9A-Fa-f]{6}$" },
        productClass: { type: "string", minLength: 1, maxLength: 64 },
        hardwareVersions: { type: "array", minItems: 1, maxItems: 100, items: { type: "string", minLength: 1, maxLength: 64 } },
        versions: { type: "object", additionalProperties: false, properties: { min: VERSION, max: VERSION } },
      },
    },
    waves: { type: "array", minItems: 1, maxItems: 100, items: WAVE_SPEC },
    window: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["start", "end"],
      properties: { start: { type: "string", pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$" }, end: { type: "string", pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$" } },
    },
    failureThreshold: { type: "number", minimum: 0, maximum: 1 },
    minSample: { type: "integer", minimum: 1, maximum: 100_000 },
    timeoutMinutes: { type: "integer", minimum: 1, maximum: 10_080 },
  },
} as const;

export const RESUME_BODY = {
  type: ["object", "null"],
  additionalProperties: false,
  properties: { failureThreshold: { type: "number", minimum: 0, maximum: 1 } },
} as const;

export const DEVICES_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    state: { type: "string", enum: [...DEVICE_STATES] },
    wave: { type: "integer", minimum: 0 },
    offset: { type: "integer", minimum: 0, default: 0 },
    limit: { type: "integer", minimum: 0, maximum: 10_000, default: 1000 },
  },
} as const;

const PAUSE_SCHEMA = {
  type: ["object", "null"],
  properties: { reason: str, at: str, by: str, wave: int, failed: int, finished: int, failureRate: num },
} as const;

export const CAMPAIGN_SCHEMA = {
  type: "object",
  properties: {
    id: str, name: str, status: str,
    firmware: { type: "object", properties: { name: str, version: str, size: int, sha256: str } },
    target: {
      type: "object",
      properties: {
        profile: nullableStr, oui: nullableStr, productClass: str,
        hardwareVersions: { type: ["array", "null"], items: str },
        versions: { type: "object", properties: { min: str, max: str } },
      },
    },
    window: { type: ["object", "null"], properties: { start: str, end: str, timeZone: str } },
    failureThreshold: num, minSample: int, timeoutMinutes: int, currentWave: int,
    pause: PAUSE_SCHEMA,
    deviceCount: int,
    counts: COUNTS_SCHEMA,
    createdAt: str, createdBy: str, updatedAt: str, endedAt: nullableStr,
  },
} as const;

const WAVE_SCHEMA = {
  type: "object",
  properties: {
    index: int, size: int, concurrency: int, status: str, startedAt: nullableStr, finishedAt: nullableStr,
    counts: COUNTS_SCHEMA, finished: int, failed: int, failureRate: num, judged: { type: "boolean" },
  },
} as const;

const DEVICE_SCHEMA = {
  type: "object",
  properties: {
    deviceId: str, wave: int, state: str, stateAt: str, commandKey: str, fromVersion: str, version: nullableStr, attempts: int,
    fault: { type: ["object", "null"], properties: { code: str, message: str } },
    history: { type: "array", items: { type: "object", properties: { state: str, at: str } } },
  },
} as const;

export const CAMPAIGN_DETAIL_SCHEMA = {
  type: "object",
  properties: {
    ...CAMPAIGN_SCHEMA.properties,
    waves: { type: "array", items: WAVE_SCHEMA },
    devices: { type: "object", properties: { total: int, items: { type: "array", items: DEVICE_SCHEMA } } },
  },
} as const;

export function totals(byWave: readonly WaveCounts[]): WaveCounts {
  const all = emptyCounts();
  for (const wc of byWave) for (const s of DEVICE_STATES) all[s] += wc[s];
  return all;
}

export function campaignView(c: Campaign, byWave: readonly WaveCounts[]) {
  const counts = totals(byWave);
  return {
    id: c.id, name: c.name, status: c.status, firmware: c.firmware, target: c.target,
    window: c.window && { ...c.window, timeZone: "Europe/Paris" },
    failureThreshold: c.failureThreshold, minSample: c.minSample, timeoutMinutes: Math.round(c.timeoutMs / 60_000), currentWave: c.currentWave,
    pause: c.pause && { ...c.pause, at: iso(c.pause.at) },
    deviceCount: DEVICE_STATES.reduce((n, s) => n + counts[s], 0), counts,
    createdAt: iso(c.createdAt), createdBy: c.createdBy, updatedAt: iso(c.updatedAt), endedAt: iso(c.endedAt),
  };
}

export function waveViews(c: Campaign, byWave: readonly WaveCounts[]) {
  return c.waves.map((w, index) => {
    const counts = byWave[index] ?? emptyCounts();
    const status = w.finishedAt !== null || (index < c.currentWave && waveDone(counts)) ? "done" : index === c.currentWave ? "current" : "waiting";
    const { finished, failed, failureRate, judged } = judgeWave(w, counts, c.failureThreshold, c.minSample);
    return {
      index, size: w.size, concurrency: w.concurrency, status, startedAt: iso(w.startedAt), finishedAt: iso(w.finishedAt),
      counts, finished, failed, failureRate, judged,
    };
  });
}

export const deviceView = (d: CampaignDevice) => ({
  deviceId: d.deviceId, wave: d.wave, state: d.state, stateAt: iso(d.stateAt), commandKey: d.commandKey,
  fromVersion: d.fromVersion, version: d.version, attempts: d.attempts, fault: d.fault,
  history: d.history.map((h) => ({ state: h.state, at: iso(h.at) })),
});
