// The overview's figures: only counts the store answers from its indexes
// (countDevices on last_inform_at, countPendingTasks, faults since an hour
// bounded by FAULT_SCAN_LIMIT) plus this instance's session rate, so it stays
// fast at 100,000 devices (bench/overview.bench.ts). Capabilities that arrive
// later (provisioning state, firmware compliance, alerts, overdue routers)
// add an OverviewSection each instead of editing this file.

import type { Store } from "../store/store.ts";
import type { MinuteCount, SessionRate } from "./session-rate.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Faults read to count the last hour; beyond it the count shows as "at least". */
export const FAULT_SCAN_LIMIT = 5000;
const TOP_FAULT_CODES = 5;

export interface OverviewContext {
  store: Store;
  now: number;
  onlineWindowMs: number;
}

/** A block of the overview that a capability contributes: `compute` must stay cheap (index-backed counts). */
export interface OverviewSection {
  /** Stable key the front end renders by (dashboards/overview/sections.js), e.g. "linkrate.alerts". */
  id: string;
  compute(ctx: OverviewContext): Promise<unknown>;
}

export interface Overview {
  generatedAt: string;
  onlineWindowMs: number;
  devices: { total: number; online: number; offline: number; neverSeen: number };
  contacts: { lastMinute: number; perMinute: MinuteCount[] };
  faults: { lastHour: number; atLeast: boolean; byCode: { code: string; count: number }[] };
  tasks: { pending: number };
  sections: { id: string; data?: unknown; error?: string }[];
}

const int = { type: "integer" } as const;

export const OVERVIEW_SCHEMA = {
  type: "object",
  properties: {
    generatedAt: { type: "string" },
    onlineWindowMs: int,
    devices: { type: "object", properties: { total: int, online: int, offline: int, neverSeen: int } },
    contacts: {
      type: "object",
      properties: {
        lastMinute: int,
        perMinute: { type: "array", items: { type: "object", properties: { t: int, ok: int, failed: int } } },
      },
    },
    faults: {
      type: "object",
      properties: {
        lastHour: int,
        atLeast: { type: "boolean" },
        byCode: { type: "array", items: { type: "object", properties: { code: { type: "string" }, count: int } } },
      },
    },
    tasks: { type: "object", properties: { pending: int } },
    sections: { type: "array", items: { type: "object", properties: { id: { type: "string" }, data: {}, error: { type: "string" } } } },
  },
} as const;

export interface OverviewDeps {
  store: Store;
  onlineWindowMs: number;
  rate: SessionRate;
  sections: readonly OverviewSection[];
  onSectionError(id: string, err: unknown): void;
}

/**
 * Devices online, offline and never seen, by the API's online rule (last
 * Inform at or after now − window). Offline excludes never-seen devices (the
 * store's lastInformBefore contract), so the three add up to total.
 */
export async function countDeviceStates(store: Store, onlineWindowMs: number, now: number): Promise<Overview["devices"]> {
  const cutoff = now - onlineWindowMs;
  const [total, online, offline] = await Promise.all([
    store.countDevices({}),
    store.countDevices({ lastInformAfter: cutoff }),
    store.countDevices({ lastInformBefore: cutoff }),
  ]);
  // Three reads, not one snapshot: a device registering in between must not make a negative count.
  return { total, online, offline, neverSeen: Math.max(0, total - online - offline) };
}

export async function computeOverview(deps: OverviewDeps, now: number = Date.now()): Promise<Overview> {
  const { store, onlineWindowMs } = deps;
  const [devices, lastMinute, recentFaults, pending] = await Promise.all([
    countDeviceStates(store, onlineWindowMs, now),
    store.countDevices({ lastInformAfter: now - MINUTE }),
    store.listFaults({ since: now - HOUR, limit: FAULT_SCAN_LIMIT }),
    store.countPendingTasks(),
  ]);
  const byCode = new Map<string, number>();
  for (const f of recentFaults) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  const ctx: OverviewContext = { store, now, onlineWindowMs };
  const sections = await Promise.all(deps.sections.map(async (s) => {
    try {
      return { id: s.id, data: await s.compute(ctx) };
    } catch (err) {
      deps.onSectionError(s.id, err);
      return { id: s.id, error: "this figure could not be computed (see the ACS log)" };
    }
  }));
  return {
    generatedAt: new Date(now).toISOString(),
    onlineWindowMs,
    devices,
    contacts: { lastMinute, perMinute: deps.rate.series(now) },
    faults: {
      lastHour: recentFaults.length,
      atLeast: recentFaults.length >= FAULT_SCAN_LIMIT,
      byCode: [...byCode].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)).slice(0, TOP_FAULT_CODES),
    },
    tasks: { pending },
    sections,
  };
}
