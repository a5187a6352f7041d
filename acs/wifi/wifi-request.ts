// A support Wi-Fi change, pure: the request body as sent, checked field by
// field, then merged into the line's desired Wi-Fi and validated whole by the
// settings catalogue (SSID 1–32 bytes of UTF-8, WPA passphrase 8–63 printable
// ASCII or 64 hex digits, channels allowed in France) and, when the ACS knows
// the router's model, by its firmware profile (its 5 GHz channels, its
// security modes). WEP and open need `confirmInsecure: true`, then the band
// carries insecureOverride and the change is recorded as insecure. Every
// error names the field as the client wrote it ("bands.2.4GHz.ssid").
// Nothing here stores anything: an invalid change queues nothing.

import { isDeepStrictEqual } from "node:util";
import type { Line } from "../lines/line.ts";
import type { Profile } from "../provisioning/profile.ts";
import { BANDS, INSECURE_SECURITY_MODES, type Band, type SecurityMode } from "../provisioning/settings-catalogue.ts";
import { CATALOGUE_DEFAULTS, catalogueEntry, flattenSettings, validateSettings, type FieldError } from "../provisioning/settings-entries.ts";
import { validateSettingsForProfile } from "../provisioning/settings-mapping.ts";
import { maskValue } from "../secrets.ts";
import type { FieldChange } from "./wifi-change.ts";

/** The settings of a band support may change (insecureOverride is set by confirmInsecure, never directly). */
export const BAND_FIELDS = ["enabled", "ssid", "passphrase", "security", "channel", "hidden"] as const;
export type BandField = (typeof BAND_FIELDS)[number];

type LineWifi = Line["wifi"];
type BandSettings = NonNullable<LineWifi[Band]>;

export interface WifiRequest {
  version: number;
  bands: Partial<Record<Band, Partial<Record<BandField, unknown>>>>;
  confirmInsecure: boolean;
}

export interface WifiPlan {
  /** The line's new desired Wi-Fi. */
  wifi: LineWifi;
  changes: FieldChange[];
  /** Catalogue keys whose value changes ("wifi.2.4GHz.ssid"). */
  keys: string[];
  insecure: Band[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The body's shape: version, known bands, known fields. Values are the catalogue's business (planWifiChange). */
export function parseWifiRequest(body: unknown): Checked<WifiRequest> {
  if (!isObject(body)) return { ok: false, errors: [{ field: "(body)", message: "must be a JSON object" }] };
  const errors: FieldError[] = [];
  for (const k of Object.keys(body)) {
    if (!["version", "bands", "confirmInsecure"].includes(k)) errors.push({ field: k, message: "is not a field of a Wi-Fi change (version, bands, confirmInsecure)" });
  }
  const { version, bands, confirmInsecure } = body;
  if (version === undefined) errors.push({ field: "version", message: "is required: the line version the change is based on" });
  else if (!Number.isSafeInteger(version) || (version as number) < 1) errors.push({ field: "version", message: "must be a whole number from 1" });
  if (confirmInsecure !== undefined && typeof confirmInsecure !== "boolean") errors.push({ field: "confirmInsecure", message: "must be true or false" });
  const out: WifiRequest["bands"] = {};
  if (!isObject(bands) || Object.keys(bands).length === 0) {
    errors.push({ field: "bands", message: `must be an object with at least one band (${BANDS.join(", ")})` });
  } else {
    for (const [band, fields] of Object.entries(bands)) {
      if (!BANDS.includes(band as Band)) {
        errors.push({ field: `bands.${band}`, message: `is not a band (${BANDS.join(", ")})` });
        continue;
      }
      if (!isObject(fields) || Object.keys(fields).length === 0) {
        errors.push({ field: `bands.${band}`, message: `must be an object with at least one of ${BAND_FIELDS.join(", ")}` });
        continue;
      }
      for (const [f, v] of Object.entries(fields)) {
        const field = `bands.${band}.${f}`;
        if (!BAND_FIELDS.includes(f as BandField)) errors.push({ field, message: `is not a Wi-Fi setting (${BAND_FIELDS.join(", ")})` });
        else if ((f === "enabled" || f === "hidden") && typeof v !== "boolean") errors.push({ field, message: "must be true or false" });
        else if ((f === "ssid" || f === "passphrase" || f === "security") && typeof v !== "string") errors.push({ field, message: "must be a string" });
      }
      out[band as Band] = fields as Partial<Record<BandField, unknown>>;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { version: version as number, bands: out, confirmInsecure: confirmInsecure === true } };
}

/** "wifi.2.4GHz.ssid" → "bands.2.4GHz.ssid"; the band's own key and the whole Wi-Fi likewise. */
const apiField = (field: string): string => (field === "wifi" ? "bands" : field.startsWith("wifi.") ? `bands.${field.slice(5)}` : field);

/** Keys an error may be reported for: the ones sent, with their band, and security ↔ passphrase (one decides the other's rules). */
function reportable(touched: ReadonlySet<string>): (field: string) => boolean {
  const keys = new Set(touched);
  for (const k of touched) {
    const m = /^(wifi\.[^.]+GHz)\.(security|passphrase)$/.exec(k);
    if (m) (keys.add(`${m[1]}.security`), keys.add(`${m[1]}.passphrase`));
  }
  const bands = new Set([...touched].map((k) => k.slice(0, k.lastIndexOf("."))));
  return (field) => keys.has(field) || bands.has(field) || field === "wifi";
}

/**
 * The line's Wi-Fi after the change, what changed, and the errors of the
 * fields sent. `profile`: the router's model when the ACS has met it; without
 * it only the catalogue's rules apply (the model's are checked at its first contact).
 */
export function planWifiChange(line: Pick<Line, "wifi">, req: WifiRequest, profile: Profile | undefined): Checked<WifiPlan> {
  const wifi: LineWifi = structuredClone(line.wifi);
  const touched = new Set<string>();
  const errors: FieldError[] = [];
  const insecure: Band[] = [];
  for (const band of BANDS) {
    const patch = req.bands[band];
    if (!patch) continue;
    const merged: Record<string, unknown> = { ...(wifi[band] ?? {}) };
    for (const [field, value] of Object.entries(patch)) {
      merged[field] = value;
      touched.add(`wifi.${band}.${field}`);
    }
    if (patch.security !== undefined) {
      if (INSECURE_SECURITY_MODES.includes(patch.security as SecurityMode)) {
        if (req.confirmInsecure) {
          merged.insecureOverride = true;
          insecure.push(band);
        } else {
          errors.push({ field: `bands.${band}.security`, message: `${String(patch.security)} is insecure: send confirmInsecure: true to use it anyway` });
        }
      } else {
        delete merged.insecureOverride;
      }
    }
    wifi[band] = merged as BandSettings;
  }
  const check = profile ? validateSettingsForProfile(profile, { wifi }) : validateSettings({ wifi });
  const inScope = reportable(touched);
  if (!check.ok) for (const e of check.errors) if (inScope(e.field)) errors.push({ field: apiField(e.field), message: e.message });
  // One message per field (the insecure-mode rule in the words above); a band's key follows its mode,
  // so a refused mode hides what it says about the key.
  const unique = errors.filter((e, i) => errors.findIndex((x) => x.field === e.field) === i)
    .filter((e, _i, all) => !(e.field.endsWith(".passphrase") && all.some((x) => x.field === e.field.replace(/passphrase$/, "security"))));
  if (unique.length > 0) return { ok: false, errors: unique };

  // Compared as the router gets them: what the line leaves unset, the model's and the catalogue's defaults fill.
  const defaults = new Map<string, unknown>([...flattenSettings({ wifi: CATALOGUE_DEFAULTS.wifi }), ...flattenSettings({ wifi: profile?.defaults.wifi ?? {} })]);
  const before = new Map<string, unknown>([...defaults, ...flattenSettings({ wifi: line.wifi })]);
  const after = new Map<string, unknown>([...defaults, ...flattenSettings({ wifi })]);
  const changes: FieldChange[] = [];
  const keys: string[] = [];
  for (const key of touched) {
    const from = before.get(key);
    const to = after.get(key);
    if (isDeepStrictEqual(from, to)) continue;
    const secret = catalogueEntry(key)?.meta.secret === true;
    keys.push(key);
    changes.push({ field: apiField(key), from: secret ? (maskValue(from) ?? null) : (from ?? null), to: secret ? (maskValue(to) ?? null) : (to ?? null) });
  }
  if (keys.length === 0) return { ok: false, errors: [{ field: "bands", message: "changes nothing: every value sent is already the line's" }] };
  return { ok: true, value: { wifi, changes, keys: keys.sort(), insecure } };
}
