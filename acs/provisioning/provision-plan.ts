// Pure decisions of a provisioning session: when to read the device (drift
// check), when a fault still holds provisioning back, what a failed
// SetParameterValues says (settings refused, object instances missing) and
// how long to back off.
import type { CwmpFault, Inform } from "../cwmp/messages.ts";
import { afterFailure, isPermanentFault, type RetryPolicy } from "../tasks/retry-policy.ts";
import type { ProvisioningFault, ProvisioningState } from "./provisioning-state.ts";

export interface SessionFacts {
  /** 0 BOOTSTRAP: first contact after manufacture or a factory reset (the device holds factory values). */
  bootstrap: boolean;
  /** 1 BOOT: a drift check always follows a reboot. */
  boot: boolean;
  /** ManagementServer.ParameterKey as the Inform reports it. */
  informKey: string | null;
  now: number;
}

export function sessionFacts(inform: Inform, now: number): SessionFacts {
  let bootstrap = false;
  let boot = false;
  for (const e of inform.events) {
    if (e.eventCode === "0 BOOTSTRAP") bootstrap = true;
    else if (e.eventCode === "1 BOOT") boot = true;
  }
  const key = inform.parameterList.find((p) => p.name.endsWith(".ManagementServer.ParameterKey"));
  return { bootstrap, boot, informKey: key?.value ?? null, now };
}

/**
 * A read is due after a reboot, on the configured interval, when the ACS
 * never applied anything to the device (so it sets only what differs), and
 * when the device's ParameterKey changed since its last Inform without the
 * ACS changing it (someone else configured the device). Never on 0
 * BOOTSTRAP: the device holds factory values, everything is set at once.
 */
export function checkDue(state: ProvisioningState, facts: SessionFacts, intervalMs: number): boolean {
  if (facts.bootstrap) return false;
  if (facts.boot || state.appliedKey === null || state.lastCheckAt === null) return true;
  if (facts.now - state.lastCheckAt >= intervalMs) return true;
  return facts.informKey !== null && state.lastInformKey !== null && facts.informKey !== state.lastInformKey;
}

/** Whether a fault on this very desired state still holds provisioning back (a bootstrap always goes ahead). */
export function heldByFault(fault: ProvisioningFault | null, parameterKey: string, facts: SessionFacts): boolean {
  if (facts.bootstrap || !fault || fault.parameterKey !== parameterKey) return false;
  return fault.notBefore === null || facts.now < fault.notBefore;
}

/** The fault record after one more failure of `parameterKey`: retried with backoff, or given up until the desired state changes. */
export function nextFault(
  previous: ProvisioningFault | null,
  f: { code: string; message: string; detail: unknown; permanent: boolean },
  parameterKey: string,
  now: number,
  policy: RetryPolicy,
): ProvisioningFault {
  const attempts = previous?.parameterKey === parameterKey ? previous.attempts + 1 : 1;
  const next = f.permanent ? ({ retry: false } as const) : afterFailure(attempts, now, policy);
  return { code: f.code, message: f.message, detail: f.detail, at: now, attempts, notBefore: next.retry ? next.notBefore : null, parameterKey };
}

export interface RefusedParameter {
  parameter: string;
  /** The setting key the parameter belongs to (null for a parameter the profile does not map). */
  key: string | null;
  code: number;
  message: string;
}

export interface SpvFaultAnalysis {
  refused: RefusedParameter[];
  /** Object instances the device reported as nonexistent (9005 under "Table.{n}."). */
  missing: { table: string; instance: number }[];
  permanent: boolean;
  message: string;
}

/** Innermost "Table.{n}." of a parameter path. */
const INSTANCE = /^(.*\.)(\d+)\.(?!.*\.\d+\.)/;

export function analyseSpvFault(fault: CwmpFault, keyOfPath: ReadonlyMap<string, string>): SpvFaultAnalysis {
  const refused = fault.setParameterValuesFaults.map((f) => ({
    parameter: f.parameterName,
    key: keyOfPath.get(f.parameterName) ?? null,
    code: f.faultCode,
    message: f.faultString,
  }));
  const missing = new Map<string, { table: string; instance: number }>();
  for (const r of refused) {
    const m = r.code === 9005 ? INSTANCE.exec(r.parameter) : null;
    if (m) missing.set(m[1]!, { table: m[1]!, instance: Number(m[2]) });
  }
  // With per-parameter faults the top-level code is the generic 9003: the parameters' codes decide.
  const permanent = refused.length > 0 ? refused.every((r) => isPermanentFault(r.code)) : isPermanentFault(fault.code);
  const named = refused.map((r) => `${r.key ?? "(unmapped)"} (${r.parameter}): ${r.code} ${r.message}`.trim());
  const message = named.length > 0 ? `device refused ${named.join("; ")}` : `${fault.code} ${fault.message || fault.faultString}`.trim();
  return { refused, missing: [...missing.values()], permanent, message };
}
