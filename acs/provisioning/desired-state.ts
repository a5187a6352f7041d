// The desired state of one device, computed (pure) from its firmware profile,
// its line and the management settings the ACS issues it:
//   catalogue defaults ⊕ profile defaults ⊕ line Wi-Fi and WAN ⊕ management
//   (per-device credentials, jittered periodic inform) ⊕ NTP and time zone.
// The line's desired settings are the "pending changes": editing a line
// changes the desired state, hence its ParameterKey, hence what is applied.
// Only keys the model can write are kept; line settings the model has no
// parameter for are listed as unsupported, values it cannot take as problems
// (both skipped, so one bad setting never blocks the rest).
import { hash } from "node:crypto";
import type { ParameterValue } from "../cwmp/messages.ts";
import type { EquipmentRole, Line } from "../lines/line.ts";
import type { Profile } from "./profile.ts";
import type { ManagedCredentials } from "./provisioning-state.ts";
import { BANDS, type Settings } from "./settings-catalogue.ts";
import { CATALOGUE_DEFAULTS, catalogueEntry, flattenSettings, unflattenSettings, type FieldError } from "./settings-entries.ts";
import { settingsToParameterValues, validateSettingsForProfile } from "./settings-mapping.ts";

/** What a device gets: its line's full configuration (router), the ONT's, or management settings only. */
export type Scope = EquipmentRole | "management";

const SCOPE_PREFIXES: Readonly<Record<Scope, readonly string[]>> = {
  router: ["wifi.", "wan.", "management.", "ntp.", "time."],
  ont: ["management.", "ntp.", "time."],
  management: ["management."],
};

export interface DesiredInput {
  profile: Profile;
  scope: Scope;
  line: Pick<Line, "wifi" | "wan"> | null;
  periodicInformInterval: number;
  credentials: ManagedCredentials;
  /** Hash of the CPE password the device confirmed, once its clear value is gone. */
  confirmedAcsPasswordHash?: string;
  /** Overrides of the profile's NTP servers and of the catalogue's time zone (Europe/Paris). */
  ntpServers?: string[];
  timeZone?: string;
}

export interface DesiredValue {
  value: unknown;
  /** valueHash(value): what is compared with what the device holds. */
  hash: string;
  secret: boolean;
  /** False for a secret known only by its hash (the device has it; it cannot be sent again). */
  sendable: boolean;
}

export interface DesiredState {
  /** Every desired setting known in clear, policy keys included: the encoding context. */
  settings: Settings;
  /** The writable keys this model maps, each with the value to hold. */
  values: Map<string, DesiredValue>;
  /** Identifies this desired state on the device (ManagementServer.ParameterKey, ≤ 32 characters). */
  parameterKey: string;
  unsupported: string[];
  problems: FieldError[];
  /** Insecure Wi-Fi modes the line asks for with an explicit override (applied, and flagged). */
  warnings: FieldError[];
}

// One-shot crypto.hash (no Hash object per call): desired states are computed in every session.
export const valueHash = (value: unknown): string => hash("sha256", JSON.stringify(value), "base64url").slice(0, 16);

/** Each device's place in [0, 1) of the spread below, kept: a SHA-256 per session otherwise. Emptied past a large fleet. */
const spreadOf = new Map<string, number>();
const SPREAD_ENTRIES = 200_000;

/** Deterministic per-device spread of `base` seconds by ±fraction, so devices booted together drift apart. */
export function jitteredInterval(base: number, deviceId: string, fraction: number): number {
  let u = spreadOf.get(deviceId);
  if (u === undefined) {
    if (spreadOf.size >= SPREAD_ENTRIES) spreadOf.clear();
    spreadOf.set(deviceId, (u = hash("sha256", deviceId, "buffer").readUInt32BE(0) / 2 ** 32));
  }
  return Math.min(86_400, Math.max(60, Math.round(base + (2 * u - 1) * fraction * base)));
}

const writableByProfile = new WeakMap<Profile, ReadonlySet<string>>();

/** Keys at least one row of the profile can write (a profile never changes once loaded: computed once). */
export function writableKeys(profile: Profile): ReadonlySet<string> {
  let keys = writableByProfile.get(profile);
  if (!keys) writableByProfile.set(profile, (keys = new Set(profile.mapping.filter((r) => r[2].kind === "value" && r[2].encode).map((r) => r[0]))));
  return keys;
}

const defaultsByProfile = new WeakMap<Profile, Map<Scope, ReadonlyArray<[string, unknown]>>>();

/** The catalogue's then the profile's defaults this profile can write in `scope`, computed once per profile and scope. */
function scopeDefaults(profile: Profile, scope: Scope): ReadonlyArray<[string, unknown]> {
  let byScope = defaultsByProfile.get(profile);
  if (!byScope) defaultsByProfile.set(profile, (byScope = new Map()));
  let defaults = byScope.get(scope);
  if (!defaults) {
    const prefixes = SCOPE_PREFIXES[scope];
    const writable = writableKeys(profile);
    const flat = new Map<string, unknown>();
    for (const source of [CATALOGUE_DEFAULTS, profile.defaults])
      for (const [key, value] of flattenSettings(source)) if (prefixes.some((p) => key.startsWith(p)) && writable.has(key)) flat.set(key, value);
    byScope.set(scope, (defaults = [...flat]));
  }
  return defaults;
}

/** The key an error field points at ("wifi.5GHz.channel"), or every desired key under a prefix ("wifi.5GHz"). */
const keysOfField = (flat: ReadonlyMap<string, unknown>, field: string): string[] =>
  flat.has(field) ? [field] : [...flat.keys()].filter((k) => k.startsWith(`${field}.`));

/**
 * The line's Wi-Fi and WAN settings this model can take: bands and keys it
 * has no parameter for are unsupported; values it refuses are problems.
 * Also used by the lines API to refuse such values before storing them.
 */
export function lineSettingsFor(profile: Profile, line: Pick<Line, "wifi" | "wan">, context: ReadonlyMap<string, unknown> = new Map()): {
  flat: Map<string, unknown>;
  unsupported: string[];
  problems: FieldError[];
  warnings: FieldError[];
} {
  const writable = writableKeys(profile);
  const unsupported = new Set<string>();
  const flat = new Map<string, unknown>();
  for (const [key, value] of flattenSettings({ wifi: line.wifi, wan: line.wan })) {
    const band = key.startsWith("wifi.") ? BANDS.find((b) => key.startsWith(`wifi.${b}.`)) : undefined;
    if (band && !profile.wifi?.[band]) unsupported.add(`wifi.${band}`);
    else if (catalogueEntry(key)?.meta.access === "policy" || writable.has(key)) flat.set(key, value);
    else unsupported.add(key);
  }
  const problems: FieldError[] = [];
  let warnings: FieldError[] = [];
  // Drop what the model refuses, then check again: a dropped key can change another's context.
  for (let round = 0; round < 4; round++) {
    const check = validateSettingsForProfile(profile, unflattenSettings(new Map([...context, ...flat])));
    if (check.ok) {
      warnings = check.warnings;
      break;
    }
    for (const e of check.errors) {
      const keys = keysOfField(flat, e.field);
      if (keys.length === 0) continue;
      problems.push(e);
      for (const k of keys) flat.delete(k);
    }
  }
  return { flat, unsupported: [...unsupported].sort(), problems, warnings };
}

export function computeDesired(input: DesiredInput): DesiredState {
  const { profile, scope, credentials: c } = input;
  const prefixes = SCOPE_PREFIXES[scope];
  const inScope = (key: string) => prefixes.some((p) => key.startsWith(p));
  const writable = writableKeys(profile);
  const flat = new Map<string, unknown>(scopeDefaults(profile, scope));

  if (input.ntpServers && inScope("ntp.servers") && writable.has("ntp.servers")) flat.set("ntp.servers", input.ntpServers);
  if (input.timeZone && inScope("time.zone") && writable.has("time.zone")) flat.set("time.zone", input.timeZone);
  const management: [string, unknown][] = [
    ["management.periodicInformInterval", input.periodicInformInterval],
    ["management.acsUsername", c.cpeUsername],
    ["management.connectionRequestUsername", c.connectionRequestUsername],
    ["management.connectionRequestPassword", c.connectionRequestPassword],
  ];
  if (c.cpePassword !== null) management.push(["management.acsPassword", c.cpePassword]);
  for (const [key, value] of management) if (writable.has(key)) flat.set(key, value);

  let unsupported: string[] = [];
  let problems: FieldError[] = [];
  let warnings: FieldError[] = [];
  if (scope === "router" && input.line) {
    const fromLine = lineSettingsFor(profile, input.line, flat);
    for (const [key, value] of fromLine.flat) flat.set(key, value);
    ({ unsupported, problems, warnings } = fromLine);
  }

  const values = new Map<string, DesiredValue>();
  for (const [key, value] of flat) {
    const meta = catalogueEntry(key)!.meta;
    if (meta.access !== "rw") continue;
    values.set(key, { value, hash: valueHash(value), secret: meta.secret === true, sendable: true });
  }
  if (c.cpePassword === null && input.confirmedAcsPasswordHash && writable.has("management.acsPassword"))
    values.set("management.acsPassword", { value: undefined, hash: input.confirmedAcsPasswordHash, secret: true, sendable: false });
  return { settings: unflattenSettings(flat), values, parameterKey: parameterKeyOf(values), unsupported, problems, warnings };
}

const lastDesired = new WeakMap<ManagedCredentials, { input: DesiredInput; desired: DesiredState }>();

/**
 * computeDesired, remembered per device (its credentials object): inputs
 * identical by reference give the DesiredState computed last, shared and not
 * to be changed. A store that keeps an unchanged line and state as the same
 * objects (the SQLite one) makes an unchanged device cost a lookup.
 */
export function desiredFor(input: DesiredInput): DesiredState {
  const last = lastDesired.get(input.credentials);
  if (last && sameInput(last.input, input)) return last.desired;
  const desired = computeDesired(input);
  lastDesired.set(input.credentials, { input, desired });
  return desired;
}

/** Same properties, identical values (a walk: Object.keys made two arrays per session). */
function sameInput(a: DesiredInput, b: DesiredInput): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k as keyof DesiredInput] !== b[k as keyof DesiredInput]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** "fx" + 30 characters of a digest over every key and value hash: the same desired state always gives the same key. */
export function parameterKeyOf(values: ReadonlyMap<string, DesiredValue>): string {
  const lines = [...values].map(([k, v]) => `${k}=${v.hash}`).sort();
  return `fx${hash("sha256", lines.join("\n"), "base64url").slice(0, 30)}`;
}

/** Keys that travel together: a band's key goes to the parameter its security mode selects. */
function withCoupled(keys: Iterable<string>): Set<string> {
  const out = new Set(keys);
  for (const k of out) {
    const m = /^(wifi\.[^.]+GHz)\.(security|passphrase)$/.exec(k);
    if (m) (out.add(`${m[1]}.security`), out.add(`${m[1]}.passphrase`));
  }
  return out;
}

/** Mapped parameter path → setting key. */
export const pathKeys = (profile: Profile): Map<string, string> => new Map(profile.mapping.map((r) => [r[1], r[0]]));

/**
 * The SetParameterValues list for `keys` (with their coupled keys, minus
 * `exclude` and its coupled keys), encoded in the context of the whole
 * desired state. Returns the keys really sent.
 */
export function encodeKeys(
  profile: Profile, desired: DesiredState, keys: Iterable<string>, exclude: Iterable<string> = [],
): { keys: string[]; values: ParameterValue[] } {
  const excluded = withCoupled(exclude);
  const wanted = new Set([...withCoupled(keys)].filter((k) => desired.values.get(k)?.sendable && !excluded.has(k)));
  const byPath = pathKeys(profile);
  const values = settingsToParameterValues(profile, desired.settings).filter((pv) => wanted.has(byPath.get(pv.name)!));
  return { keys: [...wanted].sort(), values };
}

/** The parameters to read to learn the current value of `keys` (secrets excluded: they read back empty). */
export function readPaths(profile: Profile, desired: DesiredState, keys: Iterable<string>): string[] {
  const wanted = new Set([...keys].filter((k) => desired.values.has(k) && !desired.values.get(k)!.secret));
  return profile.mapping.filter((r) => wanted.has(r[0]) && r[2].kind === "value" && r[2].decode).map((r) => r[1]);
}
