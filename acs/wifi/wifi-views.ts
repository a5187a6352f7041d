// What the Wi-Fi API returns: response schemas (a field not listed cannot
// reach a client), the change view (times in ISO 8601; values were masked
// when the change was recorded) and the line's Wi-Fi as support sees it:
// the desired settings (passphrase only as "set or not"), what the router
// last reported, what its model supports, and how it can be reached.

import type { Reachability } from "../channel/reachability.ts";
import type { Line } from "../lines/line.ts";
import type { Profile } from "../provisioning/profile.ts";
import { decodeActual } from "../provisioning/reconcile.ts";
import { BANDS, FRANCE_CHANNELS, SECURITY_MODES, type Band } from "../provisioning/settings-catalogue.ts";
import { CATALOGUE_DEFAULTS, flattenSettings } from "../provisioning/settings-entries.ts";
import { MASK } from "../secrets.ts";
import type { Device, ParamRecord } from "../store/store.ts";
import type { LineRouter } from "./line-router.ts";
import type { WifiChange } from "./wifi-change.ts";

const str = { type: "string" } as const;
const nullableStr = { type: ["string", "null"] } as const;
const int = { type: "integer" } as const;
const nullableInt = { type: ["integer", "null"] } as const;
const bool = { type: "boolean" } as const;
const anyValue = {} as const;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const CHANGE_SCHEMA = {
  type: "object",
  properties: {
    id: str, lineId: str, routerSerial: str, deviceId: nullableStr, by: str, createdAt: str, lineVersion: int,
    changes: { type: "array", items: { type: "object", properties: { field: str, from: anyValue, to: anyValue } } },
    insecure: { type: "array", items: str },
    status: str, statusAt: str, note: str, offlineSince: nullableStr,
    wake: {
      type: ["object", "null"],
      properties: { ok: bool, via: nullableStr, ms: nullableInt, reason: nullableStr, detail: nullableStr, at: str },
    },
    wakes: int, appliedAt: nullableStr, appliedAfterMs: nullableInt,
    failure: { type: ["object", "null"], properties: { kind: str, code: str, message: str, final: bool } },
    supersededBy: nullableStr,
    history: { type: "array", items: { type: "object", properties: { status: str, at: str, note: str } } },
  },
} as const;

export function changeView(c: WifiChange) {
  return {
    id: c.id, lineId: c.lineId, routerSerial: c.routerSerial, deviceId: c.deviceId, by: c.actor, createdAt: iso(c.createdAt), lineVersion: c.lineVersion,
    changes: c.changes, insecure: c.insecure, status: c.status, statusAt: iso(c.statusAt), note: c.note, offlineSince: iso(c.offlineSince),
    wake: c.wake && { ...c.wake, at: iso(c.wake.at) }, wakes: c.wakes,
    appliedAt: iso(c.appliedAt), appliedAfterMs: c.appliedAt === null ? null : c.appliedAt - c.createdAt,
    failure: c.failure, supersededBy: c.supersededBy,
    history: c.history.map((h) => ({ ...h, at: iso(h.at) })),
  };
}

export type ChangeView = ReturnType<typeof changeView>;

const lastWake = { type: ["object", "null"], properties: { ok: bool, reason: str, detail: str, at: str } } as const;

export const REACHABILITY_SCHEMA = {
  type: "object",
  properties: {
    via: str,
    channel: { type: "object", properties: { connected: bool, since: nullableStr } },
    http: { type: "object", properties: { url: nullableStr, usable: bool, why: nullableStr, last: lastWake } },
    udp: { type: "object", properties: { address: nullableStr, usable: bool, why: nullableStr, last: lastWake } },
  },
} as const;

export function reachabilityView(r: Reachability) {
  const last = (l: Reachability["http"]["last"]) => l && { ...l, at: iso(l.at) };
  return {
    via: r.via,
    channel: { connected: r.channel.connected, since: iso(r.channel.since) },
    http: { ...r.http, last: last(r.http.last) },
    udp: { ...r.udp, last: last(r.udp.last) },
  };
}

const bandSchema = {
  type: "object",
  properties: { enabled: bool, ssid: nullableStr, passphrase: nullableStr, security: nullableStr, channel: { type: ["integer", "string", "null"] }, hidden: bool, insecure: bool },
} as const;
const bandsSchema = { type: "object", properties: { "2.4GHz": bandSchema, "5GHz": bandSchema } } as const;
const supportSchema = { type: "object", properties: { security: { type: "array", items: str }, channels: { type: "array", items: int } } } as const;

export const LINE_WIFI_SCHEMA = {
  type: "object",
  properties: {
    lineId: str, version: int, subscriber: { type: "object", properties: { id: str, name: str } }, address: str, commune: str,
    router: {
      type: "object",
      properties: {
        serial: nullableStr, customerOwned: bool, deviceId: nullableStr, model: nullableStr, softwareVersion: nullableStr,
        lastInformAt: nullableStr, online: bool, provisioning: nullableStr, fault: { type: ["object", "null"], properties: { code: str, message: str } },
        reachability: { ...REACHABILITY_SCHEMA, type: ["object", "null"] },
      },
    },
    bands: bandsSchema,
    device: bandsSchema,
    supported: { type: "object", properties: { "2.4GHz": supportSchema, "5GHz": supportSchema } },
    modelKnown: bool,
    changes: { type: "array", items: CHANGE_SCHEMA },
  },
} as const;

type BandView = { enabled: boolean; ssid: string | null; passphrase: string | null; security: string | null; channel: number | string | null; hidden: boolean; insecure: boolean };

function bandsOf(flat: ReadonlyMap<string, unknown>, bands: readonly Band[], passphraseKnown: boolean): Partial<Record<Band, BandView>> {
  const out: Partial<Record<Band, BandView>> = {};
  for (const b of bands) {
    const v = (leaf: string) => flat.get(`wifi.${b}.${leaf}`);
    out[b] = {
      enabled: v("enabled") !== false,
      ssid: (v("ssid") as string | undefined) ?? null,
      // The desired passphrase is a secret: only whether the line sets one. Routers never report theirs.
      passphrase: passphraseKnown && v("passphrase") !== undefined ? MASK : null,
      security: (v("security") as string | undefined) ?? null,
      channel: (v("channel") as number | string | undefined) ?? null,
      hidden: v("hidden") === true,
      insecure: v("insecureOverride") === true,
    };
  }
  return out;
}

/** Bands and their allowed values: the model's, or every band with France's channels when the model is unknown. */
export function supportedOf(profile: Profile | undefined): Partial<Record<Band, { security: readonly string[]; channels: readonly number[] }>> {
  if (!profile) return Object.fromEntries(BANDS.map((b) => [b, { security: SECURITY_MODES, channels: FRANCE_CHANNELS[b] }]));
  return Object.fromEntries(BANDS.filter((b) => profile.wifi?.[b]).map((b) => [b, profile.wifi![b]!]));
}

export interface LineWifiInput {
  line: Line;
  router: LineRouter | null;
  device: Device | null;
  /** The router's Wi-Fi parameters as the ACS last learnt them. */
  params: ReadonlyMap<string, ParamRecord>;
  reachability: Reachability | null;
  onlineWindowMs: number;
  changes: WifiChange[];
  now: number;
}

export function lineWifiView(i: LineWifiInput) {
  const { line, router, device } = i;
  const profile = router?.profile;
  const bands = Object.keys(supportedOf(profile)) as Band[];
  const desired = new Map<string, unknown>([
    ...flattenSettings({ wifi: CATALOGUE_DEFAULTS.wifi }),
    ...flattenSettings({ wifi: profile?.defaults.wifi ?? {} }),
    ...flattenSettings({ wifi: line.wifi }),
  ]);
  const reported = profile ? decodeActual(profile, new Map([...i.params].map(([path, p]) => [path, p.value]))) : new Map<string, unknown>();
  const fault = router?.state?.fault ?? null;
  return {
    lineId: line.id, version: line.version, subscriber: line.subscriber, address: line.address, commune: line.commune,
    router: {
      serial: router?.serial ?? null,
      customerOwned: router === null,
      deviceId: router?.deviceId ?? null,
      model: profile ? `${profile.vendor} ${profile.model}` : null,
      softwareVersion: device?.softwareVersion ?? null,
      lastInformAt: iso(device?.lastInformAt ?? null),
      online: device?.lastInformAt != null && i.now - device.lastInformAt <= i.onlineWindowMs,
      provisioning: router?.state?.status ?? null,
      fault: fault && { code: fault.code, message: fault.message },
      reachability: i.reachability && reachabilityView(i.reachability),
    },
    bands: bandsOf(desired, bands, true),
    device: bandsOf(reported, reported.size > 0 ? bands : [], false),
    supported: supportedOf(profile),
    modelKnown: profile !== undefined,
    changes: i.changes.map(changeView),
  };
}
