// What the ACS remembers about provisioning one device between sessions:
// which line it belongs to (or why none), what it last applied and confirmed,
// the drift it found, the fault it is backing off from, and the per-device
// management credentials it issued. Persisted by the line repository
// (acs/lines/line-repository.ts); decisions are made in provision-plan.ts.
import type { EquipmentRole } from "../lines/line.ts";
import type { FieldError } from "./settings-entries.ts";

/**
 * Why a device gets what it gets: "line" (its serial is a line's router or
 * ONT); "unknown" (no line, no rented router: quarantined); "no-line" (a
 * rented router not on any line yet); "returned" / "charged" (a rented router
 * marked so that contacts the ACS again). All but "line" get management
 * settings only, never subscriber data.
 */
export const STANDINGS = ["line", "unknown", "no-line", "returned", "charged"] as const;
export type Standing = (typeof STANDINGS)[number];

/** Device tag per standing other than "line" (visible in the device list). */
export const STANDING_TAGS: Readonly<Record<Exclude<Standing, "line">, string>> = {
  unknown: "quarantined",
  "no-line": "no-line",
  returned: "returned",
  charged: "charged",
};

/** Tag of a device whose line asks for WEP or an open network (allowed only by an explicit override). */
export const INSECURE_WIFI_TAG = "insecure-wifi";

/**
 * pending: the desired state is not confirmed on the device yet; provisioned:
 * applied and verified (drift may still be reported); fault: the last attempt
 * failed (see `fault`); unmanaged: no firmware profile covers the device.
 */
export const PROVISIONING_STATUSES = ["pending", "provisioned", "fault", "unmanaged"] as const;
export type ProvisioningStatus = (typeof PROVISIONING_STATUSES)[number];

export type DriftPolicy = "enforce" | "report";

export interface DriftItem {
  /** Catalogue key, e.g. "wifi.2.4GHz.ssid". */
  key: string;
  expected: unknown;
  actual: unknown;
  policy: DriftPolicy;
  detectedAt: number;
  /** True once an enforced drift was set back. */
  corrected: boolean;
}

export interface ProvisioningFault {
  /** "cwmp.9003", "provisioning.verify", "provisioning.unsupported_value", ... */
  code: string;
  message: string;
  detail: unknown;
  at: number;
  /** Failed attempts at this desired state (its ParameterKey). */
  attempts: number;
  /** Next attempt not before this time; null: no retry until the desired state changes or the device bootstraps. */
  notBefore: number | null;
  /** The desired state (ParameterKey) that failed. */
  parameterKey: string;
}

/** Credentials issued to one device, replacing the bootstrap ones. */
export interface ManagedCredentials {
  /** Bumped when the device lost them (factory reset) and new ones are issued. */
  generation: number;
  cpeUsername: string;
  /** CPE → ACS password, kept in clear only until the device confirmed it; the store keeps its HA1. */
  cpePassword: string | null;
  connectionRequestUsername: string;
  /** In clear, as the store keeps it: the ACS computes Digest responses with it. */
  connectionRequestPassword: string;
  confirmed: boolean;
}

export interface ProvisioningState {
  deviceId: string;
  serial: string;
  productClass: string;
  standing: Standing;
  lineId: string | null;
  role: EquipmentRole | null;
  /** Firmware profile file, null when none covers the device. */
  profile: string | null;
  status: ProvisioningStatus;
  /** ParameterKey of the desired state last computed. */
  desiredKey: string | null;
  /** ParameterKey of the last SetParameterValues the device confirmed. */
  appliedKey: string | null;
  /** Per setting key: hash of the value last set and confirmed (or read back equal). */
  applied: Record<string, string>;
  appliedAt: number | null;
  verifiedAt: number | null;
  /** Last drift check (a read of the device's settings). */
  lastCheckAt: number | null;
  /** ParameterKey the device reported in its last Inform: a change means someone else configured it. */
  lastInformKey: string | null;
  /** Deliveries of the current desired state not confirmed yet (a device that drops the session on it). */
  attempts: number;
  drift: DriftItem[];
  /** Line settings this model cannot take (skipped, with the reason). */
  problems: FieldError[];
  /** Line settings this model has no parameter for (not applicable, skipped). */
  unsupported: string[];
  /** Insecure Wi-Fi modes applied by explicit override (the device is tagged INSECURE_WIFI_TAG). */
  warnings: FieldError[];
  fault: ProvisioningFault | null;
  credentials: ManagedCredentials | null;
  firstSeenAt: number;
  /** Last change of this state (a session that changes nothing writes nothing; when and whence a device last informed is on its device record). */
  updatedAt: number;
}

export function newProvisioningState(deviceId: string, serial: string, productClass: string, now: number): ProvisioningState {
  return {
    deviceId, serial, productClass, standing: "unknown", lineId: null, role: null, profile: null, status: "pending",
    desiredKey: null, appliedKey: null, applied: {}, appliedAt: null, verifiedAt: null, lastCheckAt: null, lastInformKey: null,
    attempts: 0, drift: [], problems: [], unsupported: [], warnings: [], fault: null, credentials: null,
    firstSeenAt: now, updatedAt: now,
  };
}

/**
 * Whether two states hold the same content, updatedAt aside (a session that
 * changes nothing writes nothing). A walk, not a comparison of serialisations:
 * it runs in every session, and a session's state shares most of its parts
 * with the one it read, which the walk skips by identity.
 */
export function sameContent(a: ProvisioningState, b: ProvisioningState): boolean {
  return sameFields(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, "updatedAt");
}

/** Equality of JSON values as JSON.stringify sees them (an undefined property is absent), key order aside. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (!Array.isArray(a)) return !Array.isArray(b) && sameFields(a as Record<string, unknown>, b as Record<string, unknown>);
  if (!Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
  return true;
}

/** Plain objects (parsed JSON, literals): for-in sees own properties only. */
function sameFields(a: Record<string, unknown>, b: Record<string, unknown>, skip?: string): boolean {
  let n = 0;
  for (const k in a) {
    if (k === skip || a[k] === undefined) continue;
    if (!sameJson(a[k], b[k])) return false;
    n++;
  }
  for (const k in b) if (k !== skip && b[k] !== undefined) n--;
  return n === 0;
}
