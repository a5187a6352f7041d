// Desired state against what the ACS knows (pure). Per setting key:
// - "applied" holds the hash of the value the ACS last set and the device
//   confirmed (or that a read found already right);
// - a key whose desired hash differs from it is pending: set it;
// - a read value that differs from an applied, unchanged key is drift: the
//   device was changed behind the ACS's back. Drift is reported, and set back
//   when the key's policy is "enforce".
// Secrets read back empty, so they are never compared: a secret is pending
// until a SetParameterValues carrying it succeeded.
import type { Profile } from "./profile.ts";
import { valueHash, type DesiredState } from "./desired-state.ts";
import type { DriftItem, DriftPolicy } from "./provisioning-state.ts";
import { flattenSettings } from "./settings-entries.ts";
import { parameterValuesToSettings } from "./settings-mapping.ts";

/** Policy per catalogue key or key prefix; the longest matching prefix wins ("" matches every key). */
export type DriftPolicies = Readonly<Record<string, DriftPolicy>>;

/** Wi-Fi is the subscriber's to change locally (reported); everything else the ISP manages is enforced. */
export const DEFAULT_DRIFT_POLICIES: DriftPolicies = { "": "enforce", wifi: "report" };

export function policyFor(key: string, policies: DriftPolicies): DriftPolicy {
  let best: string | undefined;
  for (const prefix of Object.keys(policies)) {
    const matches = prefix === "" || key === prefix || key.startsWith(`${prefix}.`);
    if (matches && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? "enforce" : policies[best]!;
}

/** Setting key → value decoded from parameters read from the device. */
export function decodeActual(profile: Profile, params: ReadonlyMap<string, string>): Map<string, unknown> {
  return flattenSettings(parameterValuesToSettings(profile, params));
}

export interface Reconciliation {
  /** Keys to set now. */
  set: string[];
  /** `applied` updated with every key found right by the read. */
  applied: Record<string, string>;
  /** Applied keys the device no longer holds. */
  drift: DriftItem[];
}

/**
 * `actual`: values read this session for `readKeys` (null when nothing was
 * read: only pending keys are set).
 */
export function reconcile(
  desired: DesiredState,
  applied: Readonly<Record<string, string>>,
  actual: { values: ReadonlyMap<string, unknown>; readKeys: ReadonlySet<string> } | null,
  policies: DriftPolicies,
  now: number,
): Reconciliation {
  const set: string[] = [];
  const out: Record<string, string> = { ...applied };
  const drift: DriftItem[] = [];
  for (const [key, d] of desired.values) {
    const pending = applied[key] !== d.hash;
    if (actual && actual.readKeys.has(key) && !d.secret) {
      const a = actual.values.get(key);
      if (a !== undefined && valueHash(a) === d.hash) {
        out[key] = d.hash;
        continue;
      }
      if (!pending) {
        const policy = policyFor(key, policies);
        drift.push({ key, expected: d.value, actual: a ?? null, policy, detectedAt: now, corrected: false });
        if (policy === "report") continue;
      }
      set.push(key);
    } else if (pending && d.sendable) {
      set.push(key);
    }
  }
  return { set, applied: out, drift };
}

/** Keys whose read-back value differs from the desired one (after a set: the device did not apply them). */
export function unverified(desired: DesiredState, keys: Iterable<string>, actual: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const d = desired.values.get(key);
    if (!d || d.secret) continue;
    const a = actual.get(key);
    if (a === undefined || valueHash(a) !== d.hash) out.push(key);
  }
  return out;
}
