// HTTP side of one CWMP session: POSTs to the ACS through a shared keep-alive
// agent, replays the session's cookies, and authenticates: Digest (answering
// 401 challenges, then reusing the last nonce preemptively with an increasing
// nc, retrying on stale), Basic preemptively over https only.

import { request as httpRequest, type Agent, type IncomingMessage } from "node:http";
import { request as httpsRequest, type Agent as HttpsAgent } from "node:https";
import type { Socket } from "node:net";
import { basicAuthorization, buildDigestAuthorization, parseChallenge, type DigestChallenge } from "../../acs/cwmp/digest.ts";

/** Digest state a device keeps between requests and sessions. */
export interface DigestMemo {
  challenge?: DigestChallenge;
  nc: number;
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
  signal: AbortSignal;
  timeoutMs?: number;
}

const MAX_REPLY_BYTES = 8 * 1024 * 1024;

export class AcsConnection {
  private readonly url: URL;
  private readonly cookies = new Map<string, string>();
  private lastSocket?: Socket;

  constructor(private readonly o: ConnectionOptions) {
    this.url = new URL(o.url);
  }

  private get uri(): string {
    return this.url.pathname + this.url.search;
  }

  private authorization(): string | undefined {
    const { username, password } = this.o.credentials;
    if (!username) return undefined;
    const ch = this.o.memo.challenge;
    if (ch) return buildDigestAuthorization(ch, username, password, "POST", this.uri, ++this.o.memo.nc);
    return this.url.protocol === "https:" ? basicAuthorization(username, password) : undefined;
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
    const headers: Record<string, string> = {};
    const payload = body === null ? undefined : Buffer.from(body, "utf8");
    headers["content-length"] = String(payload?.length ?? 0);
    if (payload) {
      // An empty POST carries neither Content-Type nor SOAPAction (TR-069 §3.4.1).
      headers["content-type"] = 'text/xml; charset="utf-8"';
      headers.soapaction = soapAction ? `"${soapAction}"` : "";
    }
    if (authorization) headers.authorization = authorization;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const https = this.url.protocol === "https:";
    const request = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        { method: "POST", headers, agent: https ? this.o.httpsAgent : this.o.agent, signal: this.o.signal, timeout: this.o.timeoutMs ?? 30_000 },
        (res: IncomingMessage) => {
          this.lastSocket = res.socket;
          this.keepCookies(res.headersDistinct["set-cookie"] ?? []);
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_REPLY_BYTES) req.destroy(new Error("ACS reply too large"));
            else chunks.push(c);
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), challenges: res.headersDistinct["www-authenticate"] ?? [] }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("ACS did not answer in time")));
      req.on("error", reject);
      req.end(payload);
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
