// HTTP side of one CWMP session: POSTs to the ACS through a shared keep-alive
// agent, replays the session's cookies, and authenticates: Digest (answering
// 401 challenges, then reusing the last nonce preemptively with an increasing
// nc, retrying on stale), Basic preemptively over https only.

import { randomBytes } from "node:crypto";
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type Agent as HttpsAgent } from "node:https";
import type { Socket } from "node:net";
import { urlToHttpOptions } from "node:url";
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

/** An http(s) URL and the request options derived from it. */
export interface AcsUrl {
  url: URL;
  https: boolean;
  /** What http.request takes from the URL. */
  options: Pick<ReturnType<typeof urlToHttpOptions>, "protocol" | "hostname" | "port" | "path" | "auth">;
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
  const { protocol, hostname, port, path, auth } = urlToHttpOptions(url);
  const parsed = { url, https: protocol === "https:", options: { protocol, hostname, port, path, auth } };
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
  /** Shared by the fleet: keep-alive, bounded socket pool. */
  agent: Agent;
  httpsAgent?: HttpsAgent;
  memo: DigestMemo;
  timeoutMs?: number;
}

const MAX_REPLY_BYTES = 8 * 1024 * 1024;

export class AcsConnection {
  private readonly target: AcsUrl;
  private readonly cookies = new Map<string, string>();
  private lastSocket?: Socket;
  /** The request in flight (a session posts one at a time). */
  private current?: ClientRequest;
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
    this.current?.destroy(abortError());
  }

  private get uri(): string {
    return this.target.url.pathname + this.target.url.search;
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
      return buildDigestAuthorizationHa1(ch, username, memo.ha1.value, "POST", this.uri, ++memo.nc, `${cn.prefix}${(++cn.n).toString(16)}`);
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
    const headers: Record<string, string> = {};
    // The body goes out as a string: http writes it with the headers in one go, no Buffer copy.
    headers["content-length"] = body === null ? "0" : String(Buffer.byteLength(body, "utf8"));
    if (body !== null) {
      // An empty POST carries neither Content-Type nor SOAPAction (TR-069 §3.4.1).
      headers["content-type"] = 'text/xml; charset="utf-8"';
      headers.soapaction = soapAction ? `"${soapAction}"` : "";
    }
    if (authorization) headers.authorization = authorization;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const { https, options } = this.target;
    const request = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      // A fresh options object: http.request writes into the one it is given.
      const req = request(
        { ...options, method: "POST", headers, agent: https ? this.o.httpsAgent : this.o.agent, timeout: this.o.timeoutMs ?? 30_000 },
        (res: IncomingMessage) => {
          this.lastSocket = res.socket;
          this.keepCookies(headerValues(res, "set-cookie"));
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_REPLY_BYTES) req.destroy(new Error("ACS reply too large"));
            else chunks.push(c);
          });
          res.on("end", () => {
            this.current = undefined;
            const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode ?? 0, body: text, challenges: res.statusCode === 401 ? headerValues(res, "www-authenticate") : [] });
          });
          res.on("error", reject);
        },
      );
      this.current = req;
      req.on("timeout", () => req.destroy(new Error("ACS did not answer in time")));
      req.on("error", (err) => {
        this.current = undefined;
        reject(err);
      });
      if (body === null) req.end();
      else req.end(body, "utf8");
    });
  }

  /** Resets the TCP connection of the last exchange (a power cut, seen from the ACS). */
  dropConnection(): void {
    this.lastSocket?.destroy();
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

/**
 * Every value of a response header, one per header line (as headersDistinct
 * gives them), read from rawHeaders: no header object is built per response.
 */
function headerValues(res: IncomingMessage, lowerName: string): string[] {
  const raw = res.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) out.push(raw[i + 1]!);
  }
  return out;
}
