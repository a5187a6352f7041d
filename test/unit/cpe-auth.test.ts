import { describe, expect, it } from "vitest";
import { CpeAuthenticator } from "../../acs/cwmp-listener/cpe-auth.ts";
import { basicAuthorization, buildDigestAuthorization, ha1Of, makeNonce, parseChallenge } from "../../acs/cwmp/digest.ts";
import type { DeviceCredentials } from "../../acs/store/store.ts";

const REALM = "FlexACS";
const SECRET = "nonce-secret-for-tests";
const URI = "/cwmp";
const boot = { username: "boot", password: "boot-pass" };

const auth = (over: Partial<ConstructorParameters<typeof CpeAuthenticator>[0]> = {}) =>
  new CpeAuthenticator({ realm: REALM, nonceSecret: SECRET, allowBasic: "tls-only", bootstrapCredential: boot, ...over });

const own = (username: string, password: string): DeviceCredentials => ({
  cpeUsername: username, cpeHa1: ha1Of(username, REALM, password), connectionRequestUsername: null, connectionRequestPassword: null,
});

/** A client's Authorization header answering a fresh challenge of `a`. */
function digest(a: CpeAuthenticator, username: string, password: string, nc = 1, opts: { uri?: string; now?: number } = {}): string {
  const ch = parseChallenge(a.challenges(false, false, opts.now)[0]!)!;
  return buildDigestAuthorization(ch, username, password, "POST", opts.uri ?? URI, nc);
}

const req = (authorization: string | undefined, credentials: DeviceCredentials | null, extra: { tls?: boolean; uri?: string; now?: number } = {}) => ({
  authorization, method: "POST", uri: extra.uri ?? URI, tls: extra.tls ?? false, credentials, ...(extra.now !== undefined && { now: extra.now }),
});

describe("CPE Digest authentication", () => {
  it("no Authorization: a Digest challenge (qop=auth, MD5), not a failure", () => {
    const r = auth().check(req(undefined, null));
    expect(r).toMatchObject({ ok: false, failure: null });
    const ch = parseChallenge((r as { challenges: string[] }).challenges[0]!);
    expect(ch).toMatchObject({ realm: REALM, qop: "auth", algorithm: "MD5", stale: false });
  });

  it("a device without its own credential uses the bootstrap credential", () => {
    const a = auth();
    expect(a.check(req(digest(a, "boot", "boot-pass"), null))).toEqual({ ok: true, credential: "bootstrap", username: "boot" });
  });

  it("a device with its own credential must use it; the bootstrap credential is refused", () => {
    const a = auth();
    const creds = own("dev-1", "s3cret");
    expect(a.check(req(digest(a, "dev-1", "s3cret"), creds))).toMatchObject({ ok: true, credential: "device" });
    expect(a.check(req(digest(a, "boot", "boot-pass"), creds))).toMatchObject({ ok: false, failure: "wrong username or password" });
  });

  it("one device's credential does not open another device's session", () => {
    const a = auth();
    // The Inform names device B (own credential "dev-b"); the client presents device A's credential.
    expect(a.check(req(digest(a, "dev-a", "pa"), own("dev-b", "pb")))).toMatchObject({ ok: false, failure: "wrong username or password" });
  });

  it("wrong password: refused with a new challenge and a failure to audit", () => {
    const a = auth();
    const r = a.check(req(digest(a, "boot", "nope"), null));
    expect(r).toMatchObject({ ok: false, failure: "wrong username or password" });
    expect((r as { challenges: string[] }).challenges[0]).toMatch(/^Digest /);
  });

  it("no bootstrap credential configured: unknown devices are refused", () => {
    const a = auth({ bootstrapCredential: null });
    expect(a.check(req(digest(a, "boot", "boot-pass"), null))).toMatchObject({ ok: false, failure: "no credential admits this device" });
  });

  it("nonce reuse with an increasing nc is accepted; a replayed nc is refused", () => {
    const a = auth();
    const ch = parseChallenge(a.challenges(false)[0]!)!;
    const h = (nc: number) => buildDigestAuthorization(ch, "boot", "boot-pass", "POST", URI, nc);
    expect(a.check(req(h(1), null)).ok).toBe(true);
    expect(a.check(req(h(2), null)).ok).toBe(true);
    expect(a.check(req(h(5), null)).ok).toBe(true);
    expect(a.check(req(h(5), null))).toMatchObject({ ok: false, failure: "replayed nonce count" });
    expect(a.check(req(h(3), null))).toMatchObject({ ok: false, failure: "replayed nonce count" });
  });

  it("an expired nonce with a valid digest gets stale=true, not a failure", () => {
    const a = auth({ nonceMaxAgeMs: 60_000 });
    const issued = Date.now() - 120_000;
    const r = a.check(req(digest(a, "boot", "boot-pass", 1, { now: issued }), null));
    expect(r).toMatchObject({ ok: false, failure: null });
    expect(parseChallenge((r as { challenges: string[] }).challenges[0]!)?.stale).toBe(true);
  });

  it("a nonce accepted before still expires: once past its age it gets stale=true", () => {
    const a = auth({ nonceMaxAgeMs: 60_000 });
    const ch = parseChallenge(a.challenges(false)[0]!)!;
    const h = (nc: number) => buildDigestAuthorization(ch, "boot", "boot-pass", "POST", URI, nc);
    expect(a.check(req(h(1), null)).ok).toBe(true);
    const r = a.check({ ...req(h(2), null), now: Date.now() + 120_000 });
    expect(r).toMatchObject({ ok: false, failure: null });
    expect(parseChallenge((r as { challenges: string[] }).challenges[0]!)?.stale).toBe(true);
  });

  it("a nonce not issued with our secret only earns a new challenge", () => {
    const a = auth();
    const ch = { realm: REALM, nonce: makeNonce("another-secret"), qop: "auth" };
    expect(a.check(req(buildDigestAuthorization(ch, "boot", "boot-pass", "POST", URI, 1), null))).toMatchObject({ ok: false, failure: null });
  });

  it("the digest uri must name the request; an absolute URL form is accepted", () => {
    const a = auth();
    expect(a.check(req(digest(a, "boot", "boot-pass", 1, { uri: "/other" }), null))).toMatchObject({ ok: false, failure: "Digest uri does not match the request" });
    expect(a.check(req(digest(a, "boot", "boot-pass", 1, { uri: "http://acs.example:7547/cwmp" }), null)).ok).toBe(true);
  });

  it("malformed Digest credentials and unknown schemes are refused with a challenge", () => {
    const a = auth();
    const malformed = a.check(req(`Digest username="boot", realm="${REALM}"`, null));
    expect(malformed).toMatchObject({ ok: false, failure: "malformed Digest credentials" });
    expect((malformed as { challenges: string[] }).challenges[0]).toMatch(/^Digest /);
    expect(a.check(req("Bearer abc.def", null))).toMatchObject({ ok: false, failure: "unsupported authentication scheme bearer" });
  });

  it("Digest scheme and param names are case-insensitive, quoted or not", () => {
    const a = auth();
    const h = digest(a, "boot", "boot-pass").replace(/^Digest /, "DIGEST ").replace("qop=auth", "QOP=\"auth\"").replace("username=", "UserName=");
    expect(a.check(req(h, null))).toEqual({ ok: true, credential: "bootstrap", username: "boot" });
  });

  it("a tampered response is refused", () => {
    const a = auth();
    const h = digest(a, "boot", "boot-pass").replace(/response="([0-9a-f])/, (_, c: string) => `response="${c === "0" ? "1" : "0"}`);
    expect(a.check(req(h, null))).toMatchObject({ ok: false, failure: "wrong username or password" });
  });

  it("Digest without qop=auth is refused", () => {
    const a = auth();
    const ch = { ...parseChallenge(a.challenges(false)[0]!)!, qop: undefined };
    expect(a.check(req(buildDigestAuthorization(ch, "boot", "boot-pass", "POST", URI, 1), null))).toMatchObject({ ok: false, failure: "Digest without qop=auth" });
  });
});

describe("CPE Basic authentication", () => {
  it("refused over plain HTTP even with the right password", () => {
    expect(auth().check(req(basicAuthorization("boot", "boot-pass"), null))).toMatchObject({ ok: false, failure: "Basic authentication over plain HTTP refused" });
  });

  it("accepted over TLS when allowed, and offered in the challenge", () => {
    const a = auth();
    expect(a.check(req(basicAuthorization("boot", "boot-pass"), null, { tls: true }))).toMatchObject({ ok: true, credential: "bootstrap" });
    expect(a.check(req(basicAuthorization("boot", "wrong"), null, { tls: true }))).toMatchObject({ ok: false, failure: "wrong username or password" });
    expect(a.challenges(true).some((c) => c.startsWith("Basic "))).toBe(true);
    expect(a.challenges(false).some((c) => c.startsWith("Basic "))).toBe(false);
  });

  it("refused over TLS when allowBasic is never", () => {
    const a = auth({ allowBasic: "never" });
    expect(a.check(req(basicAuthorization("boot", "boot-pass"), null, { tls: true }))).toMatchObject({ ok: false, failure: "Basic authentication disabled" });
    expect(a.challenges(true)).toHaveLength(1);
  });
});
