// HTTP side of one CWMP session: POSTs to the ACS over the session's own
// connection (http1-connection.ts, within the fleet's socket bound), replays the session's cookies, and
// authenticates: Digest (answering 401 challenges, then reusing the last nonce
// preemptively with an increasing nc, retrying on stale), Basic preemptively
// over https only.

import { randomBytes } from "node:crypto";
import type { ConnectionOptions as TlsOptions } from "node:tls";
import { urlToHttpOptions } from "node:url";
import { Http1Connection, type Http1Target, type SocketPool } from "./http1-connection.ts";
import { basicAuthorization, buildDigestAuthorizationHa1, ha1Of, parseChallenge, type DigestChallenge } from "../../acs/cwmp/digest.ts";

/** Digest state a device keeps between requests and sessions. */
export interface DigestMemo {
  challenge?: DigestChallenge;
  nc: number;
  /** HA1 and the `username:realm:password` it was computed from: one MD5 less per request. */
  ha1?: { of: string; value: string };
  /**
   * cnonce = a random prefix drawn once per device + a counter: unique and
   * unpredictable enough (RFC 7616 §3.4), without a randomBytes call per request.
   */
  cnonce?: { prefix: string; n: number };
}

/** An http(s) URL and what a request takes from it. */
export interface AcsUrl {
  url: URL;
  https: boolean;
  /** Path and query. */
  path: string;
  /** `Authorization` from the URL's user info (as http.request sends it), when there is one. */
  urlAuthorization?: string;
}

let lastParsed: { href: string; parsed: AcsUrl } | undefined;

/**
 * Parses ManagementServer.URL; null unless http(s). The devices of a fleet
 * share one URL: the last one parsed is kept, so a session costs no URL parse.
 */
export function parseAcsUrl(href: string): AcsUrl | null {
  if (lastParsed?.href === href) return lastParsed.parsed;
  if (!URL.canParse(href)) return null;
  const url = new URL(href);
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const { path, auth } = urlToHttpOptions(url);
  const parsed: AcsUrl = { url, https: url.protocol === "https:", path: path ?? "/", ...(auth && { urlAuthorization: `Basic ${Buffer.from(auth).toString("base64")}` }) };
  lastParsed = { href, parsed };
  return parsed;
}

export interface AcsCredentials {
  username: string;
  password: string;
}

export interface AcsReply {
  status: number;
  body: string;
}

export interface ConnectionOptions {
  url: string;
  credentials: AcsCredentials;
  /** Shared by the devices of a fleet: bounds the connections open at once. */
  pool: SocketPool;
  /** TLS settings for an https ACS (CA, client certificate, verification). */
  tls?: TlsOptions;
  memo: DigestMemo;
  timeoutMs?: number;
}

const MAX_REPLY_BYTES = 8 * 1024 * 1024;
/** Status line + headers of a reply: node:http's default cap. */
const MAX_HEADER_BYTES = 16 * 1024;

export class AcsConnection {
  private readonly target: AcsUrl;
  private readonly cookies = new Map<string, string>();
  /** The session's connection, opened by its first request. */
  private http?: Http1Connection;
  private aborted = false;

  constructor(private readonly o: ConnectionOptions) {
    const target = parseAcsUrl(o.url);
    if (!target) throw new TypeError(`not an http(s) URL: ${o.url}`);
    this.target = target;
  }

  /**
   * Power cut: the request in flight fails, and any later one, as with
   * http.request's `signal` option. The device calls this rather than handing
   * over an AbortSignal: a listener per request (or per session) costs more
   * CPU than the rest of the request bookkeeping.
   */
  abort(): void {
    this.aborted = true;
    this.http?.abort(abortError());
  }

  private authorization(): string | undefined {
    const { username, password } = this.o.credentials;
    if (!username) return undefined;
    const memo = this.o.memo;
    const ch = memo.challenge;
    if (ch) {
      const of = `${username}:${ch.realm}:${password}`;
      if (memo.ha1?.of !== of) memo.ha1 = { of, value: ha1Of(username, ch.realm, password) };
      const cn = (memo.cnonce ??= { prefix: randomBytes(8).toString("hex"), n: 0 });
      return buildDigestAuthorizationHa1(ch, username, memo.ha1.value, "POST", this.target.path, ++memo.nc, `${cn.prefix}${(++cn.n).toString(16)}`);
    }
    return this.target.https ? basicAuthorization(username, password) : undefined;
  }

  /** POSTs a SOAP envelope (or an empty body with null). `soapAction` only for CPE requests. */
  async post(body: string | null, soapAction?: string): Promise<AcsReply> {
    let answeredFresh = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      const res = await this.send(body, soapAction, this.authorization());
      if (res.status !== 401 || !this.o.credentials.username) return res;
      const ch = res.challenges.map(parseChallenge).find((c) => c !== null);
      // A fresh challenge answered and still refused (not stale): wrong credentials.
      if (!ch || (answeredFresh && !ch.stale)) {
        this.o.memo.challenge = undefined;
        return res;
      }
      this.o.memo.challenge = ch;
      this.o.memo.nc = 0;
      answeredFresh = true;
    }
    return { status: 401, body: "" };
  }

  private send(body: string | null, soapAction: string | undefined, authorization: string | undefined): Promise<AcsReply & { challenges: string[] }> {
    if (this.aborted) return Promise.reject(abortError());
    const t = this.target;
    // Content-Length counts bytes; the body leaves with the head in one write.
    let head = `POST ${t.path} HTTP/1.1\r\nHost: ${t.url.host}\r\nContent-Length: ${body === null ? 0 : Buffer.byteLength(body, "utf8")}\r\n`;
    // An empty POST carries neither Content-Type nor SOAPAction (TR-069 §3.4.1).
    if (body !== null) head += `Content-Type: text/xml; charset="utf-8"\r\nSOAPAction: ${soapAction ? `"${soapAction}"` : ""}\r\n`;
    const auth = authorization ?? t.urlAuthorization;
    if (auth) head += `Authorization: ${checked(auth)}\r\n`;
    if (this.cookies.size) head += `Cookie: ${checked([...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "))}\r\n`;
    this.http ??= new Http1Connection(this.endpoint(), { maxHeaderBytes: MAX_HEADER_BYTES, maxBodyBytes: MAX_REPLY_BYTES }, this.o.timeoutMs ?? 30_000);
    return this.http.request(head + "\r\n", body).then((res) => {
      this.keepCookies(headerValues(res.headers, "set-cookie"));
      return { status: res.status, body: res.body.toString("utf8"), challenges: res.status === 401 ? headerValues(res.headers, "www-authenticate") : [] };
    });
  }

  /** Host, port, socket pool and, for https, TLS settings of this URL. */
  private endpoint(): Http1Target {
    const { url, https } = this.target;
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port) || (https ? 443 : 80);
    return { host, port, pool: this.o.pool, ...(https && { tls: this.o.tls ?? {} }) };
  }

  /**
   * Closes the session's TCP connection: when the session is over (unless the
   * ACS closed it already), or at a power cut, seen from the ACS.
   */
  dropConnection(): void {
    this.http?.close();
  }

  private keepCookies(setCookies: string[]): void {
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(";");
      const eq = pair!.indexOf("=");
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v] = a.split("=").map((s) => s.trim().toLowerCase());
        return (k === "max-age" && Number(v) <= 0) || (k === "expires" && Date.parse(v ?? "") < Date.now());
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** What http.request rejects with when its signal aborts (same name, code and message). */
function abortError(): Error {
  return Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" });
}

/** Every value of a reply header, one per header line. */
function headerValues(headers: [string, string][], lowerName: string): string[] {
  const out: string[] = [];
  for (const [name, value] of headers) if (name === lowerName) out.push(value);
  return out;
}

/** A header value built from what the ACS or the configuration gave: no line breaks smuggled in. */
function checked(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError("invalid character in an HTTP header value");
  return value;
}
