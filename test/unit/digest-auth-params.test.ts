import { describe, expect, it } from "vitest";
import { checkNonce, digestResponse, makeNonce, md5, parseAuthParams, parseChallenge, parseDigestAuthorization, verifyDigest } from "../../acs/cwmp/digest.ts";

/** The regex parseAuthParams was before its hand-written scanner: the reference it must keep matching. */
function regexAuthParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
  return out;
}

/** Deterministic PRNG (mulberry32), so a failure is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ["a", "Nc", "uri", "username", "_", "-", "0", "=", "=", "\"", "\"", "\\", ",", ", ", " ", "\t", "\n", "\r", "\u00a0", "\u2028", "\u3000", "é", "x=y", "q=\"v\"", "/"];

describe("parseAuthParams", () => {
  it("reads tokens, quoted strings with escapes, and lowercases keys", () => {
    expect(parseAuthParams(`Realm="Flex \\"ACS\\"", qop="auth,auth-int", nonce=abc , stale=true`))
      .toEqual({ realm: `Flex "ACS"`, qop: "auth,auth-int", nonce: "abc", stale: "true" });
  });

  it("a repeated param: the last one wins", () => {
    expect(parseAuthParams(`nc=00000001, nc=00000002`)).toEqual({ nc: "00000002" });
  });

  it("an unterminated quoted string is read as a token, as before", () => {
    expect(parseAuthParams(`username="abc, realm=x`)).toEqual({ username: `"abc`, realm: "x" });
  });

  it("matches the former regex parser on 20,000 random inputs", () => {
    const next = rng(7616);
    for (let n = 0; n < 20_000; n++) {
      let s = "";
      const len = Math.floor(next() * 24);
      for (let i = 0; i < len; i++) s += PIECES[Math.floor(next() * PIECES.length)];
      expect(parseAuthParams(s), JSON.stringify(s)).toEqual(regexAuthParams(s));
    }
  });
});

describe("parseDigestAuthorization", () => {
  const header = `Digest username="cpe \\"1\\"", realm="FlexACS", nonce="n1", uri="/cwmp?a=1,b", response="0123456789abcdef0123456789ABCDEF", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1", opaque="o", extra=ignored`;

  it("keeps the credential params and nothing else", () => {
    expect(parseDigestAuthorization(header)).toEqual({
      username: `cpe "1"`, realm: "FlexACS", nonce: "n1", uri: "/cwmp?a=1,b", response: "0123456789abcdef0123456789ABCDEF",
      qop: "auth", nc: "00000001", cnonce: "c1", opaque: "o", algorithm: "MD5",
    });
    expect(parseDigestAuthorization(`  DIGEST USERNAME=u, Realm=r, Nonce=n, URI=/, Response=x  `)).toMatchObject({ username: "u", realm: "r", nonce: "n", uri: "/", response: "x" });
  });

  it("refuses another scheme and credentials lacking a required param", () => {
    expect(parseDigestAuthorization(`Basic dTpw`)).toBeNull();
    expect(parseDigestAuthorization(`Digest`)).toBeNull();
    expect(parseDigestAuthorization(`Digest\tusername=u, realm=r, nonce=n, uri=/, response=x`)).toBeNull();
    expect(parseDigestAuthorization(`Digest username="", realm=r, nonce=n, uri=/, response=x`)).toBeNull();
    expect(parseDigestAuthorization(`Digest username=u, nonce=n, uri=/, response=x`)).toBeNull();
    expect(parseDigestAuthorization(`Digest username=u, realm="", nonce=n, uri="", response=x`)).toMatchObject({ realm: "", uri: "" });
  });
});

describe("digest responses and nonces", () => {
  it("computes the RFC 7616 MD5 qop=auth response (RFC 2617 section 3.5 example)", () => {
    const ha1 = md5("Mufasa:testrealm@host.com:Circle Of Life");
    const c = { nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", uri: "/dir/index.html", qop: "auth", nc: "00000001", cnonce: "0a4f113b" };
    expect(digestResponse(ha1, "GET", c)).toBe("6629fae49393a05397450978507c4ef1");
    // Another uri and method right after (HA2 is memoised per method and uri).
    expect(digestResponse(ha1, "POST", c)).not.toBe("6629fae49393a05397450978507c4ef1");
    expect(digestResponse(ha1, "GET", { ...c, uri: "/dir/other.html" })).not.toBe("6629fae49393a05397450978507c4ef1");
    expect(digestResponse(ha1, "GET", c)).toBe("6629fae49393a05397450978507c4ef1");
    const creds = { username: "Mufasa", realm: "testrealm@host.com", opaque: undefined, algorithm: undefined, response: "6629FAE49393A05397450978507C4EF1", ...c };
    expect(verifyDigest(ha1, "GET", creds)).toBe(true);
    expect(verifyDigest(ha1, "GET", { ...creds, response: "6629fae49393a05397450978507c4ef" })).toBe(false);
  });

  it("checkNonce accepts its own nonces and refuses altered or foreign ones", () => {
    const now = Date.now();
    const n = makeNonce("s", now);
    expect(checkNonce("s", n, 60_000, now)).toBe("ok");
    expect(checkNonce("s", n, 60_000, now + 120_000)).toBe("stale");
    expect(checkNonce("other", n, 60_000, now)).toBe("invalid");
    const [t, r, mac] = n.split(".");
    expect(checkNonce("s", `${t}.${r}x.${mac}`, 60_000, now)).toBe("invalid");
    expect(checkNonce("s", `${t}.${r}.${mac}.x`, 60_000, now)).toBe("invalid");
    expect(checkNonce("s", `${t}${r}.${mac}`, 60_000, now)).toBe("invalid");
    expect(checkNonce("s", "", 60_000, now)).toBe("invalid");
  });

  it("parseChallenge still reads a server challenge", () => {
    expect(parseChallenge(`Digest realm="r", qop="auth", nonce="n", algorithm=MD5, stale=true`)).toEqual({ realm: "r", nonce: "n", qop: "auth", opaque: undefined, algorithm: "MD5", stale: true });
  });
});
