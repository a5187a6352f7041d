// Per-device management credentials, replacing the shared bootstrap ones on
// first provisioning (and again after a factory reset), and the rule that
// keeps a device from being locked out while they change hands.
//
// Order of writes (provisioning-source.ts):
// 1. before the SetParameterValues carrying them goes out: the device is
//    tagged CREDENTIALS_PENDING_TAG, then the new CPE username + HA1 and
//    connection-request credentials are stored (store.setCredentials);
// 2. once the device confirms the SetParameterValues (status 0): the tag is
//    removed and the clear CPE password forgotten.
// Whatever dies in between, the device authenticates: with the new password
// (stored in step 1) if it applied the change, with the bootstrap credential
// (accepted while the tag is on) if it did not. A factory-reset device comes
// back with the bootstrap credential and a 0 BOOTSTRAP Inform, which is
// accepted too, and gets a new generation of credentials.
import { randomBytes } from "node:crypto";
import type { Inform } from "../cwmp/messages.ts";
import type { Store } from "../store/store.ts";
import type { ManagedCredentials } from "./provisioning-state.ts";

export const CREDENTIALS_PENDING_TAG = "credentials-pending";

const secret = (): string => randomBytes(18).toString("base64url");

/** A new generation of credentials for a device: its id as usernames, random 24-character passwords. */
export function issueCredentials(deviceId: string, generation: number): ManagedCredentials {
  return {
    generation,
    cpeUsername: deviceId,
    cpePassword: secret(),
    connectionRequestUsername: `cr-${deviceId}`,
    connectionRequestPassword: secret(),
    confirmed: false,
  };
}

/**
 * Whether a device that has its own credential may still present the
 * bootstrap one: after a factory reset (its Inform says 0 BOOTSTRAP) or while
 * its new credentials are not confirmed. Read by the CWMP listener only when
 * the device's own credential failed, so a normal Inform costs nothing more.
 * Accepting the bootstrap credential on 0 BOOTSTRAP is what makes a reset
 * router re-provisionable; it is also what a holder of the bootstrap
 * credential could use to pose as a known serial (mitigation: TLS client
 * certificates, not available in this build).
 */
export async function bootstrapCredentialAccepted(store: Pick<Store, "getDevice">, deviceId: string, inform: Inform): Promise<boolean> {
  if (inform.events.some((e) => e.eventCode === "0 BOOTSTRAP")) return true;
  return (await store.getDevice(deviceId))?.tags.includes(CREDENTIALS_PENDING_TAG) ?? false;
}
