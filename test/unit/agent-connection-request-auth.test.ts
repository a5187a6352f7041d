// Connection Request authentication (Digest only) and the per-device rate limit.

import { describe, expect, it } from "vitest";
import { buildDigestAuthorization, makeNonce, parseChallenge } from "../../acs/cwmp/digest.ts";
import { checkConnectionRequest, CR_NONCE_MAX_AGE_MS, CR_REALM } from "../../agent/connection-request/auth.ts";
import { allowRequest } from "../../agent/connection-request/rate-limit.ts";

const secret = "s3cret";
const base = { method: "GET", url: "/abc123", username: "cpe-1", password: "pw-1", secret };

function answer(challengeHeader: string, opts: { username?: string; password?: string; uri?: string } = {}): string {
  const ch = parseChallenge(challengeHeader);
  if (!ch) throw new Error("no digest challenge");
  return buildDigestAuthorization(ch, opts.username ?? "cpe-1", opts.password ?? "pw-1", "GET", opts.uri ?? "/abc123", 1);
}

describe("connection request digest", () => {
  it("challenges a request without credentials", () => {
    const r = checkConnectionRequest({ ...base, authorization: undefined });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const ch = parseChallenge(r.challenge);
    expect(ch?.realm).toBe(CR_REALM);
    expect(ch?.qop).toBe("auth");
    expect(ch?.stale).toBe(false);
  });
  it("accepts the right answer to its own challenge", () => {
    const first = checkConnectionRequest({ ...base, authorization: undefined });
    if (first.ok) throw new Error("challenge expected");
    expect(checkConnectionRequest({ ...base, authorization: answer(first.challenge) })).toEqual({ ok: true });
  });
  it("refuses a wrong password, a wrong user, another URI, Basic and a foreign nonce", () => {
    const first = checkConnectionRequest({ ...base, authorization: undefined });
    if (first.ok) throw new Error("challenge expected");
    for (const authorization of [
      answer(first.challenge, { password: "nope" }),
      answer(first.challenge, { username: "other" }),
      answer(first.challenge, { uri: "/other-device" }),
      `Basic ${Buffer.from("cpe-1:pw-1").toString("base64")}`,
      answer(`Digest realm="${CR_REALM}", qop="auth", nonce="${makeNonce("another-secret")}"`),
    ]) {
      expect(checkConnectionRequest({ ...base, authorization }).ok).toBe(false);
    }
  });
  it("answers an old nonce with stale=true so the ACS can retry", () => {
    const t = Date.now();
    const old = checkConnectionRequest({ ...base, authorization: undefined, now: t - CR_NONCE_MAX_AGE_MS - 1000 });
    if (old.ok) throw new Error("challenge expected");
    const r = checkConnectionRequest({ ...base, authorization: answer(old.challenge), now: t });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(parseChallenge(r.challenge)?.stale).toBe(true);
  });
});

describe("connection request rate limit", () => {
  it("accepts 50 per 5-second window, then refuses until the window moves", () => {
    const w = { start: 0, count: 0 };
    const t = 1_000_000;
    let accepted = 0;
    for (let i = 0; i < 60; i++) if (allowRequest(w, t + i)) accepted++;
    expect(accepted).toBe(50);
    expect(allowRequest(w, t + 4999)).toBe(false);
    expect(allowRequest(w, t + 5000)).toBe(true);
  });
});
