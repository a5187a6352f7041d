// CPE -> ACS authentication: HTTP Digest (RFC 7616, MD5, qop=auth) with
// stateless nonces, Basic only over TLS when allowed.
//
// Which credential is checked: the one of the device named by the Inform's
// DeviceId, read after the body is parsed. A Digest username cannot name a
// device by itself (CPEs ship with arbitrary usernames), so the body decides
// whose credential applies and the username must then match it:
// - a device with its own credential (store cpeUsername + cpeHa1) must use it;
// - a device without one (first contact, or never given one) must use the
//   configured bootstrap credential; with no bootstrap credential configured,
//   only devices with their own credential are admitted.
// So one device's credential never opens a session for another device id.
// HA1 values are bound to the realm: changing the realm invalidates them.
//
// Nonces: makeNonce/checkNonce (acs/cwmp/digest.ts) sign the issue time, so
// any instance sharing the secret accepts them and no nonce table is kept. A
// nonce is reused across requests and sessions with an increasing nc, as CPEs
// do; the last nc per nonce sits in a bounded LRU to refuse replays (an
// evicted or other-instance nonce is only bounded by its max age), and a
// nonce in it was verified before, so only its age is checked again (no HMAC
// per request). An expired nonce with an otherwise valid digest gets a new
// challenge with stale=true.

import {
  checkNonce, formatChallenge, ha1Of, makeNonce, nonceAge, parseBasicAuthorization, parseDigestAuthorization,
  safeEqual, splitScheme, verifyDigest,
} from "../cwmp/digest.ts";
import type { DeviceCredentials } from "../store/store.ts";

export interface CpeAuthOptions {
  realm: string;
  nonceSecret: string;
  allowBasic: "tls-only" | "never";
  bootstrapCredential: { username: string; password: string } | null;
  /** A nonce older than this gets stale=true (default 15 min). */
  nonceMaxAgeMs?: number;
  /** Nonces whose last nc is remembered (default 100,000). */
  nonceCacheSize?: number;
}

export interface AuthRequest {
  authorization: string | undefined;
  method: string;
  /** Request target as received (path and query). */
  uri: string;
  tls: boolean;
  /** The claimed device's stored credentials (null: unknown device). */
  credentials: DeviceCredentials | null;
  now?: number;
}

export type AuthResult =
  | { ok: true; credential: "device" | "bootstrap"; username: string }
  /** `failure`: why credentials were refused (to log and audit); null when the client only needs a (new) challenge. */
  | { ok: false; challenges: string[]; failure: string | null };

interface Expected {
  username: string;
  ha1: string;
  credential: "device" | "bootstrap";
}

/** The digest `uri` names the request target; some CPEs send the absolute URL. */
function sameTarget(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(digestUri)) return false;
  try {
    const u = new URL(digestUri);
    return u.pathname + u.search === requestUri;
  } catch {
    return false;
  }
}

export class CpeAuthenticator {
  private readonly maxAgeMs: number;
  private readonly cacheSize: number;
  private readonly bootstrap: Expected | null;
  /** nonce -> last nc accepted, in least-recently-used order. */
  private readonly lastNc = new Map<string, number>();

  constructor(private readonly opts: CpeAuthOptions) {
    this.maxAgeMs = opts.nonceMaxAgeMs ?? 15 * 60_000;
    this.cacheSize = opts.nonceCacheSize ?? 100_000;
    const b = opts.bootstrapCredential;
    this.bootstrap = b ? { username: b.username, ha1: ha1Of(b.username, opts.realm, b.password), credential: "bootstrap" } : null;
  }

  /** WWW-Authenticate values for a 401: Digest, plus Basic where Basic is accepted. */
  challenges(tls: boolean, stale = false, now = Date.now()): string[] {
    const digest = formatChallenge({ realm: this.opts.realm, nonce: makeNonce(this.opts.nonceSecret, now), stale });
    return this.basicAllowed(tls) ? [digest, `Basic realm="${this.opts.realm}", charset="UTF-8"`] : [digest];
  }

  check(req: AuthRequest): AuthResult {
    const now = req.now ?? Date.now();
    if (req.authorization === undefined) return this.refuse(req.tls, now, null);
    const expected = this.expected(req.credentials);
    const c = parseDigestAuthorization(req.authorization);
    if (!c) return this.checkOther(req, req.authorization, now, expected);
    if (c.algorithm !== undefined && c.algorithm.toUpperCase() !== "MD5") return this.refuse(req.tls, now, `unsupported algorithm ${c.algorithm}`);
    if (c.qop !== "auth" || !c.nc || !c.cnonce) return this.refuse(req.tls, now, "Digest without qop=auth");
    const last = this.lastNc.get(c.nonce);
    const nonceState = last !== undefined ? nonceAge(c.nonce, this.maxAgeMs, now) : checkNonce(this.opts.nonceSecret, c.nonce, this.maxAgeMs, now);
    // Not ours (another secret, or garbage): the client just needs a nonce we issued.
    if (nonceState === "invalid") return this.refuse(req.tls, now, null);
    if (!expected) return this.refuse(req.tls, now, "no credential admits this device");
    if (c.realm !== this.opts.realm || c.username !== expected.username || !verifyDigest(expected.ha1, req.method, c)) {
      return this.refuse(req.tls, now, "wrong username or password");
    }
    if (!sameTarget(c.uri, req.uri)) return this.refuse(req.tls, now, "Digest uri does not match the request");
    if (nonceState === "stale") return this.refuse(req.tls, now, null, true);
    const nc = /^[0-9a-f]{1,8}$/i.test(c.nc) ? parseInt(c.nc, 16) : NaN;
    if (!(nc > 0)) return this.refuse(req.tls, now, "invalid nonce count");
    if (last !== undefined && nc <= last) return this.refuse(req.tls, now, "replayed nonce count", true);
    this.remember(c.nonce, nc);
    return { ok: true, credential: expected.credential, username: c.username };
  }

  /** Anything but well-formed Digest credentials: Basic, another scheme, or malformed Digest. */
  private checkOther(req: AuthRequest, authorization: string, now: number, expected: Expected | null): AuthResult {
    const { scheme } = splitScheme(authorization.trim());
    if (scheme === "digest") return this.refuse(req.tls, now, "malformed Digest credentials");
    if (scheme !== "basic") return this.refuse(req.tls, now, `unsupported authentication scheme ${scheme}`);
    if (!this.basicAllowed(req.tls)) return this.refuse(req.tls, now, req.tls ? "Basic authentication disabled" : "Basic authentication over plain HTTP refused");
    const b = parseBasicAuthorization(authorization);
    if (!b) return this.refuse(req.tls, now, "malformed Basic credentials");
    if (!expected) return this.refuse(req.tls, now, "no credential admits this device");
    if (b.username !== expected.username || !safeEqual(ha1Of(b.username, this.opts.realm, b.password), expected.ha1)) return this.refuse(req.tls, now, "wrong username or password");
    return { ok: true, credential: expected.credential, username: b.username };
  }

  /** `failure` null: the client only needs a (new) challenge. A method, not a closure per request (no allocation, no esbuild __name call). */
  private refuse(tls: boolean, now: number, failure: string | null, stale = false): AuthResult {
    return { ok: false, challenges: this.challenges(tls, stale, now), failure };
  }

  private basicAllowed(tls: boolean): boolean {
    return tls && this.opts.allowBasic === "tls-only";
  }

  private expected(creds: DeviceCredentials | null): Expected | null {
    if (creds?.cpeUsername && creds.cpeHa1) return { username: creds.cpeUsername, ha1: creds.cpeHa1.toLowerCase(), credential: "device" };
    return this.bootstrap;
  }

  private remember(nonce: string, nc: number): void {
    this.lastNc.delete(nonce);
    this.lastNc.set(nonce, nc);
    if (this.lastNc.size > this.cacheSize) this.lastNc.delete(this.lastNc.keys().next().value!);
  }
}
