// What a provisioning session writes besides its own state: the device's
// parameter tree (values set and read), its tags, its credentials, fault
// records, audit events and bus events. Each helper is one concern of the
// store contract, so provisioning-source.ts reads as the protocol flow.
import type { ParameterValue } from "../cwmp/messages.ts";
import { ha1Of } from "../cwmp/digest.ts";
import { redactSecrets, isSecretParameterName } from "../secrets.ts";
import type { SessionContext } from "../sessions/rpc-source.ts";
import type { ParamRecord } from "../store/store.ts";
import { CREDENTIALS_PENDING_TAG } from "./device-credentials.ts";
import type { Profile } from "./profile.ts";
import { INSECURE_WIFI_TAG, STANDING_TAGS, type ManagedCredentials, type Standing } from "./provisioning-state.ts";

/** Faults of delivering the desired state (retried, cleared once it is applied). */
export const FAULT_CHANNEL = "provision";
/** Line settings a model cannot take (kept until the line changes). */
export const SETTINGS_FAULT_CHANNEL = "provision.settings";
const MANAGED_TAGS = new Set<string>([...Object.values(STANDING_TAGS), CREDENTIALS_PENDING_TAG, INSECURE_WIFI_TAG]);

/** What the tags provisioning owns say about a device. */
export interface TagFacts {
  standing: Standing;
  /** The store may hold a credential the device does not have yet: the bootstrap one stays accepted. */
  credentialsPending: boolean;
  insecureWifi: boolean;
}

/** Values set or read, into the device's tree; secrets stay empty, as CPEs read them back. */
export async function recordParameters(ctx: SessionContext, profile: Profile, values: readonly ParameterValue[]): Promise<void> {
  if (values.length === 0) return;
  const ts = Date.now();
  const set = new Map<string, ParamRecord>();
  for (const v of values) {
    const writable = profile.parameters.get(v.name)?.def.w === 1;
    set.set(v.name, { value: isSecretParameterName(v.name) ? "" : v.value, type: v.type, writable, ts });
  }
  await ctx.store.updateParameters(ctx.deviceId, set);
}

/**
 * The tags `current` becomes under `facts` (the tags provisioning owns follow
 * them, other tags are left alone), or null when it already is that.
 */
export function retagged(current: readonly string[], facts: TagFacts): string[] | null {
  const wanted: string[] = [];
  if (facts.standing !== "line") wanted.push(STANDING_TAGS[facts.standing]);
  if (facts.credentialsPending) wanted.push(CREDENTIALS_PENDING_TAG);
  if (facts.insecureWifi) wanted.push(INSECURE_WIFI_TAG);
  // Unchanged (as many managed tags as wanted, each wanted one there): no filtered copy to build and compare, as every
  // session of an unchanged device did.
  let managed = 0;
  for (const t of current) if (MANAGED_TAGS.has(t)) managed++;
  if (managed === wanted.length && wanted.every((t) => current.includes(t))) return null;
  const next = current.filter((t) => !MANAGED_TAGS.has(t));
  next.push(...wanted);
  return next;
}

/** Keeps the tags provisioning owns in line with `facts` (see retagged). Returns the tags now stored. */
export async function syncTags(ctx: SessionContext, current: readonly string[], facts: TagFacts): Promise<readonly string[]> {
  const next = retagged(current, facts);
  if (next === null) return current;
  await ctx.store.updateDevice(ctx.deviceId, { tags: next });
  return next;
}

/**
 * The device's new credentials, stored before it receives them (see
 * device-credentials.ts): the CPE one as its HA1, the connection-request one
 * in clear (the ACS computes Digest responses with it).
 */
export async function storeCredentials(ctx: SessionContext, realm: string, c: ManagedCredentials): Promise<void> {
  if (c.cpePassword === null) return;
  await ctx.store.setCredentials(ctx.deviceId, {
    cpeUsername: c.cpeUsername,
    cpeHa1: ha1Of(c.cpeUsername, realm, c.cpePassword),
    connectionRequestUsername: c.connectionRequestUsername,
    connectionRequestPassword: c.connectionRequestPassword,
  });
}

export async function recordFault(
  ctx: SessionContext,
  f: { code: string; message: string; detail: unknown; retries: number },
  rpc: unknown,
  channel: string = FAULT_CHANNEL,
): Promise<void> {
  const fault = await ctx.store.addFault({
    deviceId: ctx.deviceId, channel, code: f.code, message: f.message,
    detail: redactSecrets(f.detail), rpc: redactSecrets(rpc), retries: f.retries, timestamp: Date.now(),
  });
  ctx.bus.emit("fault.recorded", { fault });
  ctx.logger.debug({ deviceId: ctx.deviceId, code: f.code }, "provisioning fault");
}

/** Faults of earlier attempts describe a problem that is now solved. */
export async function clearFaults(ctx: SessionContext): Promise<void> {
  for (const f of await ctx.store.listFaults({ deviceId: ctx.deviceId })) {
    if (f.channel === FAULT_CHANNEL) await ctx.store.deleteFault(f.id);
  }
}

export function audit(ctx: SessionContext, action: string, detail: Record<string, unknown>): Promise<void> {
  return ctx.store.addAudit({ timestamp: Date.now(), actor: "acs", action, deviceId: ctx.deviceId, detail: redactSecrets(detail) });
}
