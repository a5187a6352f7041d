// Who may open a device's agent channel: the device itself, proven with its
// own CWMP credential (the per-device ManagementServer.Username / Password the
// ACS issued, kept in the store as username + HA1).
//
// Scheme: HTTP Digest (RFC 7616, MD5, qop=auth) on the WebSocket upgrade
// request, exactly as on the CWMP listener (acs/cwmp-listener/cpe-auth.ts:
// stateless signed nonces, nonce-count replay check, stale=true renewal), so
// the store's HA1 is usable as is and no password crosses the wire. Basic is
// accepted only over TLS (wss), when the listener allows it. The upgrade
// names the device (`?device=<id>`); only that device's credential is
// checked, so one device's credential never opens another's channel. The
// shared bootstrap credential never opens a channel: it cannot tell devices
// apart. A device not provisioned yet falls back to HTTP connection requests.

import { CpeAuthenticator, type AuthResult } from "../cwmp-listener/cpe-auth.ts";
import type { DeviceCredentials } from "../store/store.ts";
import { CHANNEL_PATH } from "./protocol.ts";

export interface ChannelAuthOptions {
  realm: string;
  nonceSecret: string;
  allowBasic: "tls-only" | "never";
  nonceMaxAgeMs?: number;
}

export type UpgradeTarget = { ok: true; deviceId: string } | { ok: false; status: 400 | 404; reason: string };

/** The device an upgrade request names, or why the request is not a channel request. */
export function upgradeTarget(url: string | undefined): UpgradeTarget {
  let u: URL;
  try {
    u = new URL(url ?? "", "http://channel.invalid");
  } catch {
    return { ok: false, status: 400, reason: "bad request target" };
  }
  if (u.pathname !== CHANNEL_PATH) return { ok: false, status: 404, reason: `no WebSocket endpoint at ${u.pathname}` };
  const deviceId = u.searchParams.get("device") ?? "";
  if (deviceId === "" || deviceId.length > 256) return { ok: false, status: 400, reason: "the device query parameter is required (at most 256 characters)" };
  return { ok: true, deviceId };
}

export class ChannelAuthenticator {
  private readonly auth: CpeAuthenticator;

  constructor(opts: ChannelAuthOptions) {
    this.auth = new CpeAuthenticator({ ...opts, bootstrapCredential: null });
  }

  check(req: { authorization: string | undefined; uri: string; tls: boolean; credentials: DeviceCredentials | null }): AuthResult {
    // Only the device's own credential counts: without one, the authenticator would have nothing to check against.
    const own = req.credentials?.cpeUsername && req.credentials.cpeHa1 ? req.credentials : null;
    return this.auth.check({ authorization: req.authorization, method: "GET", uri: req.uri, tls: req.tls, credentials: own });
  }
}
