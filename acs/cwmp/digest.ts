// HTTP Digest (RFC 7616, MD5, qop=auth) and Basic, as pure functions shared
// by the ACS (CPE authentication, connection requests it sends) and the agent
// (its requests to the ACS, the connection requests it serves).
// Hand-written: the Node ecosystem has no maintained Digest library covering
// both client and server sides, and the scheme is a few hashes.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

export const ha1Of = (username: string, realm: string, password: string): string =>
  md5(`${username}:${realm}:${password}`);

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
  stale?: boolean;
}

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
  algorithm?: string;
}

/** Parses `key=value, key="quoted, value"` lists as found in WWW-Authenticate and Authorization. */
export function parseAuthParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
  }
  return out;
}

/** Splits an Authorization / WWW-Authenticate header into scheme and parameter text. */
export function splitScheme(header: string): { scheme: string; rest: string } {
  const i = header.indexOf(" ");
  return i < 0 ? { scheme: header.toLowerCase(), rest: "" } : { scheme: header.slice(0, i).toLowerCase(), rest: header.slice(i + 1) };
}

export function parseChallenge(header: string): DigestChallenge | null {
  const { scheme, rest } = splitScheme(header.trim());
  if (scheme !== "digest") return null;
  const p = parseAuthParams(rest);
  if (p.realm === undefined || p.nonce === undefined) return null;
  return { realm: p.realm, nonce: p.nonce, qop: p.qop, opaque: p.opaque, algorithm: p.algorithm, stale: p.stale === "true" };
}

export function formatChallenge(c: DigestChallenge): string {
  let h = `Digest realm="${c.realm}", qop="auth", nonce="${c.nonce}", algorithm=MD5`;
  if (c.opaque) h += `, opaque="${c.opaque}"`;
  if (c.stale) h += ", stale=true";
  return h;
}

export function parseDigestAuthorization(header: string): DigestCredentials | null {
  const { scheme, rest } = splitScheme(header.trim());
  if (scheme !== "digest") return null;
  const p = parseAuthParams(rest);
  if (!p.username || p.realm === undefined || !p.nonce || p.uri === undefined || !p.response) return null;
  return {
    username: p.username, realm: p.realm, nonce: p.nonce, uri: p.uri, response: p.response,
    qop: p.qop, nc: p.nc, cnonce: p.cnonce, opaque: p.opaque, algorithm: p.algorithm,
  };
}

/** The expected `response` value for credentials, given HA1. */
export function digestResponse(ha1: string, method: string, c: Pick<DigestCredentials, "nonce" | "uri" | "qop" | "nc" | "cnonce">): string {
  const ha2 = md5(`${method}:${c.uri}`);
  return c.qop === "auth" ? md5(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:auth:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
}

export function verifyDigest(ha1: string, method: string, c: DigestCredentials): boolean {
  if (c.qop !== undefined && c.qop !== "auth") return false;
  if (c.qop === "auth" && (!c.nc || !c.cnonce)) return false;
  return safeEqual(digestResponse(ha1, method, c), c.response.toLowerCase());
}

/** Client side: builds an Authorization header answering a challenge. */
export function buildDigestAuthorization(
  ch: DigestChallenge, username: string, password: string, method: string, uri: string, nc: number,
  cnonce: string = randomBytes(8).toString("hex"),
): string {
  return buildDigestAuthorizationHa1(ch, username, ha1Of(username, ch.realm, password), method, uri, nc, cnonce);
}

/** buildDigestAuthorization with HA1 already known (a client answering many requests in the same realm keeps it). */
export function buildDigestAuthorizationHa1(
  ch: DigestChallenge, username: string, ha1: string, method: string, uri: string, nc: number, cnonce: string,
): string {
  const useQop = ch.qop === undefined ? undefined : "auth";
  const ncHex = nc.toString(16).padStart(8, "0");
  const response = digestResponse(ha1, method, { nonce: ch.nonce, uri, qop: useQop, nc: ncHex, cnonce });
  let h = `Digest username="${username}", realm="${ch.realm}", nonce="${ch.nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
  if (useQop) h += `, qop=auth, nc=${ncHex}, cnonce="${cnonce}"`;
  if (ch.opaque) h += `, opaque="${ch.opaque}"`;
  return h;
}

export function parseBasicAuthorization(header: string): { username: string; password: string } | null {
  const { scheme, rest } = splitScheme(header.trim());
  if (scheme !== "basic") return null;
  const decoded = Buffer.from(rest.trim(), "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i < 0 ? null : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export const basicAuthorization = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Stateless nonces: `<issuedAt>.<random>.<hmac>` signed with a server secret, so
 * any ACS instance sharing the secret can verify them and no nonce table grows.
 */
export function makeNonce(secret: string, now: number = Date.now()): string {
  const body = `${now.toString(36)}.${randomBytes(6).toString("hex")}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("hex").slice(0, 24)}`;
}

export function checkNonce(secret: string, nonce: string, maxAgeMs: number, now: number = Date.now()): "ok" | "stale" | "invalid" {
  const parts = nonce.split(".");
  if (parts.length !== 3) return "invalid";
  const body = `${parts[0]}.${parts[1]}`;
  const mac = createHmac("sha256", secret).update(body).digest("hex").slice(0, 24);
  if (!safeEqual(mac, parts[2]!)) return "invalid";
  return nonceAge(nonce, maxAgeMs, now);
}

/** The age verdict alone, for a nonce whose signature was checked before. */
export function nonceAge(nonce: string, maxAgeMs: number, now: number = Date.now()): "ok" | "stale" {
  const issued = parseInt(nonce.slice(0, nonce.indexOf(".")), 36);
  return Number.isFinite(issued) && now - issued <= maxAgeMs ? "ok" : "stale";
}
