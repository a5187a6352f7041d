// The ACS end of the agent channel (protocol.ts), on the CPE-facing listener:
// authenticated WebSocket upgrades (channel-auth.ts), one live connection per
// device (a newer one replaces the older), heartbeats, presence (which
// devices are reachable right now) and wake(): "open a session now", answered
// by the agent's ack.
//
// `ws` with noServer on the listener's own HTTP server: the upgrade is
// authenticated before any WebSocket state exists, and the CWMP routes are
// untouched. One interval pings every connection (not a timer per device);
// a connection that did not answer the previous ping is terminated.
//
// Presence is per ACS process: with several instances a device's channel
// lands on one of them, and a wake from another falls through to HTTP.

import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { WakeResult } from "../connreq/requester.ts";
import { normalizeAddress } from "../sessions/inform-record.ts";
import type { Store } from "../store/store.ts";
import { ChannelAuthenticator, upgradeTarget, type ChannelAuthOptions } from "./channel-auth.ts";
import { CHANNEL_MAX_PAYLOAD, parseAgentMessage, type AcsMessage } from "./protocol.ts";

export interface AgentChannelOptions extends ChannelAuthOptions {
  /** Ping period; a connection silent for one period after a ping is dropped (default 30 s). */
  heartbeatMs?: number;
}

export interface AgentChannelDeps {
  store: Pick<Store, "getCredentials" | "addAudit">;
  logger: Logger;
  options: AgentChannelOptions;
}

export interface AgentChannel {
  /** When the device's channel opened, or null when it has none on this instance. */
  connectedSince(deviceId: string): number | null;
  /** Open channels on this instance. */
  readonly size: number;
  /** Asks the device to open a session; fails with reason "no_url" when it has no channel here (the strategy does not apply). */
  wake(deviceId: string, timeoutMs: number): Promise<WakeResult>;
  close(): void;
}

interface Connection {
  deviceId: string;
  ws: WebSocket;
  since: number;
  alive: boolean;
  waiting: Map<string, (r: WakeResult) => void>;
}

/** One warning and audit record per device and source per window: a misconfigured fleet must not flood the log. */
const AUTH_FAILURE_WINDOW_MS = 60_000;

function refuseUpgrade(socket: Duplex, status: number, text: string, headers: [string, string][] = []): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, "Connection: close", "Content-Length: 0", ...headers.map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join("\r\n")}\r\n\r\n`);
}

/**
 * Mounts the channel on the CWMP listener. Call it after buildCwmpServer()
 * and before listen(): it adds a preClose hook that closes every channel.
 */
export function registerAgentChannel(cwmp: FastifyInstance, deps: AgentChannelDeps): AgentChannel {
  const { store, logger, options } = deps;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const auth = new ChannelAuthenticator(options);
  const wss = new WebSocketServer({ noServer: true, maxPayload: CHANNEL_MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });
  const connections = new Map<string, Connection>();
  const lastFailure = new Map<string, number>();
  let closed = false;

  async function authFailure(deviceId: string, remoteAddress: string, reason: string): Promise<void> {
    const key = `${remoteAddress} ${deviceId}`;
    const now = Date.now();
    const last = lastFailure.get(key);
    if (last !== undefined && now - last < AUTH_FAILURE_WINDOW_MS) return;
    lastFailure.set(key, now);
    if (lastFailure.size > 10_000) lastFailure.delete(lastFailure.keys().next().value!);
    logger.warn({ deviceId, remoteAddress, reason }, "agent channel authentication failed");
    await store.addAudit({ timestamp: now, actor: `device:${deviceId}`, action: "channel.auth_failure", deviceId, detail: { remoteAddress, reason } })
      .catch((err: unknown) => logger.error({ err }, "cannot record channel auth failure"));
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const target = upgradeTarget(req.url);
    if (!target.ok) return refuseUpgrade(socket, target.status, target.status === 404 ? "Not Found" : "Bad Request");
    if (closed) return refuseUpgrade(socket, 503, "Service Unavailable");
    const tls = (req.socket as TLSSocket).encrypted === true;
    const credentials = await store.getCredentials(target.deviceId);
    const result = auth.check({ authorization: req.headers.authorization, uri: req.url ?? "", tls, credentials });
    if (!result.ok) {
      if (result.failure !== null) await authFailure(target.deviceId, normalizeAddress(req.socket.remoteAddress ?? ""), result.failure);
      return refuseUpgrade(socket, 401, "Unauthorized", result.challenges.map((c) => ["WWW-Authenticate", c]));
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => attach(target.deviceId, ws));
  }

  function send(ws: WebSocket, message: AcsMessage): void {
    ws.send(JSON.stringify(message));
  }

  function attach(deviceId: string, ws: WebSocket): void {
    if (closed) return void ws.terminate();
    const previous = connections.get(deviceId);
    const conn: Connection = { deviceId, ws, since: Date.now(), alive: true, waiting: new Map() };
    connections.set(deviceId, conn);
    if (previous) previous.ws.close(4000, "replaced by a newer channel");
    ws.on("pong", () => {
      conn.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      conn.alive = true;
      const m = isBinary ? null : parseAgentMessage(data.toString());
      if (!m) return void ws.close(1008, "unexpected message");
      conn.waiting.get(m.id)?.(m.ok ? { ok: true, via: "channel", ms: 0 } : { ok: false, reason: "busy", detail: "the device refused the wake (rate limit)" });
    });
    ws.on("close", () => {
      if (connections.get(deviceId) === conn) connections.delete(deviceId);
      for (const settle of conn.waiting.values()) settle({ ok: false, reason: "offline", detail: "the agent channel closed" });
    });
    ws.on("error", (err) => logger.debug({ err, deviceId }, "agent channel error"));
    send(ws, { type: "hello", heartbeatMs });
    logger.debug({ deviceId }, "agent channel open");
  }

  const onUpgradeEvent = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    onUpgrade(req, socket, head).catch((err: unknown) => {
      logger.error({ err }, "agent channel upgrade failed");
      if (!socket.destroyed) refuseUpgrade(socket, 500, "Internal Server Error");
    });
  };
  cwmp.server.on("upgrade", onUpgradeEvent);

  const heartbeat = setInterval(() => {
    for (const c of connections.values()) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    cwmp.server.off("upgrade", onUpgradeEvent);
    for (const c of connections.values()) c.ws.terminate();
    connections.clear();
  }
  // preClose: upgraded sockets keep the HTTP server's close() waiting, so they go first.
  cwmp.addHook("preClose", async () => close());

  return {
    connectedSince: (deviceId) => connections.get(deviceId)?.since ?? null,
    get size() {
      return connections.size;
    },
    wake(deviceId, timeoutMs) {
      const conn = connections.get(deviceId);
      if (!conn || conn.ws.readyState !== conn.ws.OPEN) return Promise.resolve({ ok: false, reason: "no_url", detail: "the device has no agent channel open" });
      const id = randomBytes(6).toString("base64url");
      const started = Date.now();
      return new Promise<WakeResult>((resolve) => {
        const timer = setTimeout(() => settle({ ok: false, reason: "timeout", detail: `no answer on the agent channel within ${timeoutMs} ms` }), timeoutMs);
        const settle = (r: WakeResult): void => {
          clearTimeout(timer);
          conn.waiting.delete(id);
          resolve(r.ok ? { ...r, ms: Date.now() - started } : r);
        };
        conn.waiting.set(id, settle);
        send(conn.ws, { type: "wake", id });
      });
    },
    close,
  };
}
