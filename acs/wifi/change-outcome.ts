// What a router's provisioning state says about a Wi-Fi change (pure).
//
// Applied: provisioning keeps, per setting key, the hash of the value the
// router confirmed with a successful SetParameterValues carrying the desired
// state's ParameterKey (acs/provisioning/reconcile.ts). A change is applied
// when every key it set holds the hash of the line's current value for that
// key (a later change of the same key takes the key over, so the line's value
// is this change's value for every key it still tracks). Nothing is read
// back for this: secrets read back empty, so a passphrase is confirmed by the
// SetParameterValues status alone, never by comparing values.
//
// Failed: the current desired state is held by a fault (the router refused a
// value, the session faulted, the read-back disagreed), or no profile covers
// the router.

import type { Line } from "../lines/line.ts";
import { valueHash } from "../provisioning/desired-state.ts";
import type { ProvisioningState } from "../provisioning/provisioning-state.ts";
import { flattenSettings } from "../provisioning/settings-entries.ts";
import type { ChangeFailure, WifiChange } from "./wifi-change.ts";

/** Whether the router confirmed every key the change still tracks. */
export function isApplied(change: Pick<WifiChange, "keys" | "lineId">, line: Pick<Line, "id" | "wifi"> | null, state: ProvisioningState | null): boolean {
  if (!line || !state || state.lineId !== change.lineId || state.role !== "router") return false;
  const desired = flattenSettings({ wifi: line.wifi });
  return change.keys.every((k) => {
    const value = desired.get(k as never);
    return value !== undefined && state.applied[k] === valueHash(value);
  });
}

interface Refused {
  key: string | null;
  parameter: string;
  code: number;
  message: string;
}

const refusedOf = (detail: unknown): Refused[] => {
  const list = (detail as { refused?: unknown } | null)?.refused;
  return Array.isArray(list) ? (list as Refused[]) : [];
};

const keysOf = (detail: unknown): string[] => {
  const list = (detail as { keys?: unknown } | null)?.keys;
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === "string") : [];
};

/** Why the change cannot be applied now, from the router's provisioning state; null when nothing holds it back. */
export function failureOf(change: Pick<WifiChange, "keys">, state: ProvisioningState | null): ChangeFailure | null {
  if (!state) return null;
  if (state.status === "unmanaged") {
    return { kind: "fault", code: "provisioning.no_profile", message: "no firmware profile covers this router: the ACS cannot configure it", final: true };
  }
  const f = state.fault;
  if (!f || f.parameterKey !== state.desiredKey) return null;
  const final = f.notBefore === null;
  const refused = refusedOf(f.detail).filter((r) => r.key !== null && change.keys.includes(r.key));
  if (refused.length > 0) {
    const message = `the router rejected the value: ${refused.map((r) => `${r.key} (${r.parameter}): ${r.code} ${r.message}`.trim()).join("; ")}`;
    return { kind: "rejected", code: `cwmp.${refused[0]!.code}`, message, final };
  }
  // A refusal of other keys only: the rest (this change included) went on without them.
  if (refusedOf(f.detail).length > 0) return null;
  if (f.code === "provisioning.verify") {
    const unverified = keysOf(f.detail).filter((k) => change.keys.includes(k));
    if (unverified.length === 0) return null;
    return { kind: "rejected", code: f.code, message: `the router accepted but does not hold ${unverified.join(", ")}`, final };
  }
  return { kind: "fault", code: f.code, message: f.message, final };
}
