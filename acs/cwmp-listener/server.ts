// The CPE-facing HTTP(S) listener: one POST endpoint (any path, so whatever
// ManagementServer.URL a CPE was given works), CPE authentication on the
// Inform, sessions bound by cookie or, for CPEs that drop cookies, by the TCP
// connection. Protocol decisions live in the session engine and the pure
// state machine; this file only maps HTTP to them.
//
// Hot path (a periodic Inform): no info-level logging, no fastify request
// logger (it builds a child logger per request), bodies read as one Buffer
// and handed straight to the codec.
// Faults from the ACS travel with HTTP 200: CPE stacks such as icwmp treat any
// other status as a transport error and would never read the fault.
// SOAPAction is never relied on (CPEs send it quoted, empty, or not at all):
// the body says what a message is. Responses carry no SOAPAction.

import { readFile } from "node:fs/promises";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { CwmpParseError, parseEnvelope, serializeEnvelope } from "../cwmp/codec.ts";
import type { Envelope } from "../cwmp/messages.ts";
import type { SessionEvent } from "../cwmp/session-state.ts";
import type { EventBus } from "../events.ts";
import { bootstrapCredentialAccepted } from "../provisioning/device-credentials.ts";
import { deviceIdOf } from "../sessions/device-id.ts";
import { Session, SessionEngine, sessionlessReply, type SessionReply } from "../sessions/engine.ts";
import { normalizeAddress } from "../sessions/inform-record.ts";
import type { RpcSource } from "../sessions/rpc-source.ts";
import { defaultRpcSources } from "../sessions/rpc-sources.ts";
import type { Store } from "../store/store.ts";
import { CpeAuthenticator } from "./cpe-auth.ts";
import { decodeBody } from "./request-body.ts";

export interface CwmpServerOptions {
  /** Largest request body, before and after decompression (default 4 MiB). */
  bodyLimitBytes?: number;
  /** A session idle this long is dropped, losing nothing (default 30 s). */
  sessionIdleTimeoutMs?: number;
  realm: string;
  /** Credential for devices without their own; null admits only devices with one. */
  bootstrapCredential: { username: string; password: string } | null;
  nonceSecret: string;
  allowBasic: "tls-only" | "never";
  tls?: { certFile: string; keyFile: string } | null;
  /** This ACS instance's name in store leases. */
  instanceId: string;
  /** Digest nonces older than this are answered stale=true (default 15 min). */
  nonceMaxAgeMs?: number;
  /** Ask CPEs to hold their requests until the ACS is done (default false). */
  holdRequests?: boolean;
  maxRpcsPerSession?: number;
}

export interface CwmpServerDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  options: CwmpServerOptions;
  /** Defaults to defaultRpcSources() (tasks). */
  sources?: RpcSource[];
}

const XML_TYPE = 'text/xml; charset="utf-8"';
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
const MAX_DEPTH = 32;
/** Accepts ";" and "," separators: some CPEs join cookies with commas. */
const SESSION_COOKIE = /(?:^|[;,]\s*)session=([A-Za-z0-9_-]+)/;
/** A Host header: name or [IPv6], optional port; nothing that could bend a URL built on it. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** One auth-failure log line and audit record per source and device per window. */
const AUTH_FAILURE_WINDOW_MS = 10_000;

export async function buildCwmpServer(deps: CwmpServerDeps): Promise<FastifyInstance> {
  const { store, bus, logger, options } = deps;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const https = options.tls
    ? { key: await readFile(options.tls.keyFile), cert: await readFile(options.tls.certFile) }
    : null;
  const app = Fastify({
    logger: false,
    bodyLimit,
    forceCloseConnections: true,
    ...(https && { https }),
  }) as unknown as FastifyInstance;

  const engine = new SessionEngine({
    store, bus, logger,
    sources: deps.sources ?? defaultRpcSources(),
    options: {
      instanceId: options.instanceId,
      idleTimeoutMs: options.sessionIdleTimeoutMs,
      holdRequests: options.holdRequests,
      maxRpcsPerSession: options.maxRpcsPerSession,
    },
  });
  const auth = new CpeAuthenticator({
    realm: options.realm,
    nonceSecret: options.nonceSecret,
    allowBasic: options.allowBasic,
    bootstrapCredential: options.bootstrapCredential,
    nonceMaxAgeMs: options.nonceMaxAgeMs,
  });
  /** Session of a connection, for CPEs that do not replay the cookie. */
  const bySocket = new WeakMap<Socket, Session>();
  /** Content-Type as sent, taken off the request so fastify never refuses one (see the onRequest hook). */
  const contentTypes = new WeakMap<FastifyRequest["raw"], string>();
  const lastAuthFailure = new Map<string, number>();

  const isTls = (req: FastifyRequest): boolean => (req.raw.socket as TLSSocket).encrypted === true;
  const remoteOf = (req: FastifyRequest): string => normalizeAddress(req.raw.socket.remoteAddress ?? "");

  function sessionOfCookie(req: FastifyRequest): Session | undefined {
    const id = req.headers.cookie === undefined ? undefined : SESSION_COOKIE.exec(req.headers.cookie)?.[1];
    return id === undefined ? undefined : engine.get(id);
  }

  function findSession(req: FastifyRequest): Session | undefined {
    if (req.headers.cookie !== undefined && SESSION_COOKIE.test(req.headers.cookie)) return sessionOfCookie(req);
    // No session cookie at all: a CPE that drops cookies keeps its session on its connection. A request
    // with a cookie never falls back, so one device can never reach another's session on a pooled connection.
    const s = bySocket.get(req.raw.socket);
    return s && !s.finished ? s : undefined;
  }

  function send(reply: FastifyReply, r: SessionReply): FastifyReply {
    switch (r.kind) {
      case "envelope":
        return reply.code(200).header("content-type", XML_TYPE).send(serializeEnvelope(r.envelope));
      case "empty":
        if (r.close) reply.header("connection", "close");
        return reply.code(204).send();
      case "error":
        return reply.code(r.status).header("content-type", "text/plain; charset=utf-8").send(`${r.text}\n`);
    }
  }

  /** Rejects a request that cannot be read; the session it belonged to (if any) is dropped. */
  function refuse(reply: FastifyReply, req: FastifyRequest, session: Session | undefined, status: number, reason: string): FastifyReply {
    logger.warn({ remoteAddress: remoteOf(req), status, reason, deviceId: session?.deviceId }, "CWMP request refused");
    if (session) void engine.abort(session, "bad_request");
    return send(reply, { kind: "error", status, text: reason });
  }

  async function authFailure(req: FastifyRequest, deviceId: string, reason: string): Promise<void> {
    const remoteAddress = remoteOf(req);
    const key = `${remoteAddress} ${deviceId}`;
    const now = Date.now();
    const last = lastAuthFailure.get(key);
    if (last !== undefined && now - last < AUTH_FAILURE_WINDOW_MS) return;
    lastAuthFailure.delete(key);
    lastAuthFailure.set(key, now);
    if (lastAuthFailure.size > 10_000) lastAuthFailure.delete(lastAuthFailure.keys().next().value!);
    logger.warn({ remoteAddress, deviceId, reason }, "CPE authentication failed");
    try {
      await store.addAudit({ timestamp: now, actor: `device:${deviceId}`, action: "auth.failure", deviceId, detail: { remoteAddress, reason } });
    } catch (err) {
      logger.error({ err }, "cannot record auth failure");
    }
  }

  async function startSession(req: FastifyRequest, reply: FastifyReply, envelope: Envelope, current: Session | undefined): Promise<FastifyReply> {
    if (envelope.body.kind !== "Inform") throw new Error("startSession needs an Inform");
    const deviceId = deviceIdOf(envelope.body.deviceId);
    if (deviceId === null) return refuse(reply, req, undefined, 400, "Inform DeviceId lacks OUI or SerialNumber");
    const tls = isTls(req);
    const authRequest = {
      authorization: req.headers.authorization, method: req.method, uri: req.url, tls,
      credentials: await store.getCredentials(deviceId),
    };
    let result = auth.check(authRequest);
    // A device whose own credential failed may still hold the bootstrap one (factory reset, credentials being replaced).
    if (!result.ok && result.failure !== null && authRequest.credentials?.cpeHa1 && (await bootstrapCredentialAccepted(store, deviceId, envelope.body))) {
      result = auth.check({ ...authRequest, credentials: null });
    }
    if (!result.ok) {
      if (result.failure !== null) await authFailure(req, deviceId, result.failure);
      return reply.code(401).header("www-authenticate", result.challenges).header("content-type", "text/plain; charset=utf-8").send("authentication required\n");
    }
    // A new Inform on this cookie ends what it was doing (the engine preempts the same device by itself). Another
    // device's Inform on a connection a session last used (a proxy or a simulated fleet pooling connections) does not.
    if (current && current.deviceId !== deviceId && current === sessionOfCookie(req)) void engine.abort(current, "replaced");
    const host = req.headers.host;
    const acsOrigin = host !== undefined && HOST.test(host) ? `${tls ? "https" : "http"}://${host}` : null;
    const { session, reply: r } = await engine.start(deviceId, envelope, remoteOf(req), acsOrigin);
    if (session) {
      bySocket.set(req.raw.socket, session);
      reply.header("set-cookie", `session=${session.id}; Path=/; HttpOnly${tls ? "; Secure" : ""}`);
    } else {
      bySocket.delete(req.raw.socket);
    }
    return send(reply, r);
  }

  async function onPost(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = req.body as Buffer | undefined;
    const session = findSession(req);
    const hasBody = raw !== undefined && raw.length > 0;
    // First contact: challenge before spending anything on the body.
    if (!session && hasBody && req.headers.authorization === undefined) {
      return reply.code(401).header("www-authenticate", auth.challenges(isTls(req))).header("content-type", "text/plain; charset=utf-8").send("authentication required\n");
    }

    let event: SessionEvent;
    if (!hasBody) {
      event = { type: "message", envelope: null };
    } else {
      const decoded = decodeBody(raw, req.headers["content-encoding"], contentTypes.get(req.raw), bodyLimit);
      if (!decoded.ok) return refuse(reply, req, session, decoded.status, decoded.reason);
      try {
        const envelope = parseEnvelope(decoded.input, { maxBytes: bodyLimit, maxDepth: MAX_DEPTH });
        if (envelope?.body.kind === "Inform") return await startSession(req, reply, envelope, session);
        event = { type: "message", envelope };
      } catch (err) {
        if (!(err instanceof CwmpParseError)) throw err;
        if ((err.reason === "unknown_method" || err.reason === "invalid") && err.method !== undefined) {
          event = { type: "unreadable", reason: err.reason, method: err.method, ...(err.id !== undefined && { id: err.id }), ...(err.namespace && { namespace: err.namespace }) };
        } else {
          return refuse(reply, req, session, err.reason === "too_large" ? 413 : 400, `${err.reason}: ${err.message}`);
        }
      }
    }

    const r = session ? await engine.handle(session, event) : sessionlessReply(event);
    if (!session && r.kind === "error") logger.debug({ remoteAddress: remoteOf(req), reason: r.text }, "POST outside a session");
    try {
      return send(reply, r);
    } catch (err) {
      // An envelope XML cannot carry (e.g. a control character in a task value).
      logger.error({ err, deviceId: session?.deviceId }, "cannot serialise ACS message");
      if (session) void engine.abort(session, "serialise_failed");
      return reply.code(500).header("content-type", "text/plain; charset=utf-8").send("internal error\n");
    }
  }

  // CPEs send text/xml, application/xml, nothing, or an empty or broken
  // Content-Type; fastify would answer 415 to the last ones. The header is
  // set aside (only its charset matters) so every body reaches the catch-all parser.
  app.addHook("onRequest", (req, _reply, done) => {
    const ct = req.headers["content-type"];
    if (ct !== undefined) {
      contentTypes.set(req.raw, ct);
      delete req.headers["content-type"];
    }
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) logger.error({ err, remoteAddress: remoteOf(req) }, "CWMP request failed");
    else logger.warn({ remoteAddress: remoteOf(req), status, code: err.code }, "CWMP request refused");
    const text = status === 413 ? "body too large" : status === 500 ? "internal error" : err.message;
    return reply.code(status).header("content-type", "text/plain; charset=utf-8").send(`${text}\n`);
  });
  app.post("/*", onPost);
  app.addHook("onClose", async () => {
    await engine.close();
  });
  return app;
}
