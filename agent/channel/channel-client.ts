// One device's agent channel (acs/channel/protocol.ts): an outbound
// WebSocket to the ACS, through which the ACS wakes the device without
// reaching into its network (NAT, closed connection-request port). On
// "wake" the device opens a normal CWMP session with 6 CONNECTION REQUEST.
//
// Authentication: HTTP Digest on the upgrade request with the device's
// current ManagementServer.Username / Password (read at every connection, so
// credentials the ACS issued are used as soon as the device has them); the
// last challenge is answered preemptively with an increasing nonce count, as
// the CWMP client does; Basic only over wss. A fresh challenge answered and
// refused again means wrong credentials: the client waits (unauthorizedRetryMs,
// or a kick() after the device's next session) instead of hammering the ACS.
//
// Liveness: the ACS pings every heartbeatMs (its hello says how often); 2.5
// periods of silence mean a dead link, which is dropped and reconnected.
// Reconnects back off exponentially with jitter (reconnectDelayMs), so a
// fleet reconnecting after an ACS restart spreads out instead of stampeding.

import WebSocket from "ws";
import { basicAuthorization, buildDigestAuthorization, parseChallenge } from "../../acs/cwmp/digest.ts";
import { CHANNEL_MAX_PAYLOAD, channelUrl, parseAcsMessage } from "../../acs/channel/protocol.ts";
import type { DigestMemo } from "../cwmp-client/acs-connection.ts";

export interface ChannelPeer {
  /** The device id the ACS knows the device by (OUI-ProductClass-SerialNumber). */
  readonly deviceId: string;
  /** ManagementServer.URL: the channel URL derives from it. */
  acsUrl(): string;
  /** The current ManagementServer.Username / Password. */
  credentials(): { username: string; password: string };
  /** Starts a 6 CONNECTION REQUEST session; false when refused (powered off, rate limit). */
  wake(): boolean;
}

export interface ChannelClientOptions {
  /** First reconnect delay and its cap (defaults 1 s and 60 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Wait after the ACS refused the credentials, unless kicked earlier (default 5 min). */
  unauthorizedRetryMs?: number;
  handshakeTimeoutMs?: number;
  random?: () => number;
  onState?: (state: ChannelState) => void;
}

export type ChannelState = "idle" | "connecting" | "open" | "backoff" | "unauthorized" | "stopped";

const DEFAULT_HEARTBEAT_MS = 30_000;

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, "equal jitter" (half fixed, half random). */
export function reconnectDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (cap / 2) * random());
}

export class ChannelClient {
  state: ChannelState = "idle";
  private ws: WebSocket | null = null;
  private readonly memo: DigestMemo = { nc: 0 };
  /** A fresh challenge was answered and not yet accepted. */
  private answeredFresh = false;
  /** Why the last handshake failed: retry now (new challenge), wait (refused), or back off. */
  private refusal: "challenge" | "unauthorized" | null = null;
  private attempt = 0;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  /** The reconnect timer, or the silence watchdog while open. */
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly peer: ChannelPeer, private readonly o: ChannelClientOptions = {}) {}

  /** Connects now unless open or connecting (after a session: the credentials may be new). */
  kick(): void {
    if (this.state === "open" || this.state === "connecting" || this.state === "stopped") return;
    this.clearTimer();
    this.attempt = 0;
    this.connect();
  }

  /** Closes the channel and stays idle until the next kick() (the device is powered off). */
  pause(): void {
    if (this.state === "stopped") return;
    this.clearTimer();
    this.setState("idle");
    this.ws?.terminate();
    this.ws = null;
  }

  stop(): void {
    this.pause();
    this.setState("stopped");
  }

  private setState(s: ChannelState): void {
    if (this.state === s) return;
    this.state = s;
    this.o.onState?.(s);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private connect(): void {
    let url: URL;
    try {
      url = new URL(channelUrl(this.peer.acsUrl(), this.peer.deviceId));
    } catch {
      return this.retryLater();
    }
    const { username, password } = this.peer.credentials();
    const headers: Record<string, string> = {};
    const ch = this.memo.challenge;
    if (username && ch) headers.authorization = buildDigestAuthorization(ch, username, password, "GET", url.pathname + url.search, ++this.memo.nc);
    else if (username && url.protocol === "wss:") headers.authorization = basicAuthorization(username, password);
    const ws = new WebSocket(url, { headers, perMessageDeflate: false, maxPayload: CHANNEL_MAX_PAYLOAD, handshakeTimeout: this.o.handshakeTimeoutMs ?? 10_000, followRedirects: false });
    this.ws = ws;
    this.refusal = null;
    this.setState("connecting");
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      if (res.statusCode === 401) this.onChallenge(res.headers["www-authenticate"], username !== "");
      ws.terminate();
    });
    ws.on("open", () => {
      this.answeredFresh = false;
      this.attempt = 0;
      this.setState("open");
      this.feed();
    });
    ws.on("message", (data, isBinary) => this.onMessage(ws, isBinary ? null : data.toString()));
    ws.on("ping", () => this.feed());
    ws.on("error", () => {}); // "close" follows and decides what is next
    ws.on("close", () => this.onClose(ws));
  }

  private onChallenge(header: string | string[] | undefined, haveCredentials: boolean): void {
    const values = Array.isArray(header) ? header : header ? [header] : [];
    const ch = values.map(parseChallenge).find((c) => c !== null);
    if (!ch || !haveCredentials || (this.answeredFresh && !ch.stale)) {
      this.memo.challenge = undefined;
      this.answeredFresh = false;
      this.refusal = "unauthorized";
      return;
    }
    this.memo.challenge = ch;
    this.memo.nc = 0;
    this.answeredFresh = true;
    this.refusal = "challenge";
  }

  private onMessage(ws: WebSocket, text: string | null): void {
    this.feed();
    const m = text === null ? null : parseAcsMessage(text);
    if (!m) return; // unknown messages are ignored: a newer ACS may send more
    if (m.type === "hello") {
      this.heartbeatMs = m.heartbeatMs;
      this.clearTimer();
      this.feed();
      return;
    }
    ws.send(JSON.stringify({ type: "ack", id: m.id, ok: this.peer.wake() }));
  }

  /** Restarts the silence watchdog. */
  private feed(): void {
    if (this.state !== "open") return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ws?.terminate();
    }, this.heartbeatMs * 2.5);
    this.timer.unref();
  }

  private onClose(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.clearTimer();
    if (this.state === "idle" || this.state === "stopped") return;
    if (this.refusal === "challenge") return this.connect();
    if (this.refusal === "unauthorized") {
      this.setState("unauthorized");
      this.schedule(this.o.unauthorizedRetryMs ?? 300_000);
      return;
    }
    this.retryLater();
  }

  private retryLater(): void {
    this.setState("backoff");
    this.schedule(reconnectDelayMs(this.attempt++, this.o.backoffMinMs ?? 1000, this.o.backoffMaxMs ?? 60_000, this.o.random ?? Math.random));
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, ms);
    this.timer.unref();
  }
}
