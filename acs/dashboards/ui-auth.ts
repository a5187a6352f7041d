// Session authentication for the dashboard routes under /ui (except the login
// route and the static files). Registered with fastify-plugin so its hook
// covers the routes of the context that registers it. Order: 401 (no valid
// session, or its token was revoked), then 403 (a cross-site request, or a
// change without the session's CSRF token).
//
// CSRF defence in depth: the cookie is SameSite=Strict; every request that
// changes something must carry the session's CSRF token in a header, which a
// cross-site page cannot read nor send without a CORS preflight; and a request
// that states an Origin (browsers do for POST, DELETE and WebSocket
// handshakes) must state this listener's own.

import { timingSafeEqual } from "node:crypto";
import fp from "fastify-plugin";
import type { FastifyReply, FastifyRequest } from "fastify";
import { forbidden, unauthorized } from "../api/errors.ts";
import type { Store } from "../store/store.ts";
import type { UiSession, UiSessions } from "./ui-sessions.ts";

export const SESSION_COOKIE = "flexacs_session";
export const CSRF_HEADER = "x-csrf-token";
/** The cookie goes only with dashboard requests, not with /api or /metrics calls. */
export const COOKIE_PATH = "/ui";

declare module "fastify" {
  interface FastifyRequest {
    uiSession: UiSession | null;
  }
}

export function sessionOf(request: FastifyRequest): UiSession {
  if (!request.uiSession) throw unauthorized("not logged in");
  return request.uiSession;
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A stated Origin must name this listener's host (as the Host header does).
 * The scheme is not compared: behind a TLS-terminating proxy the browser says
 * https while this listener sees http, and a foreign page differs by host anyway.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== request.host) throw forbidden("cross-origin request refused");
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, session: UiSession | null): void {
  const options = { path: COOKIE_PATH, httpOnly: true, sameSite: "strict", secure: request.protocol === "https" } as const;
  if (session) void reply.setCookie(SESSION_COOKIE, session.id, options);
  else void reply.clearCookie(SESSION_COOKIE, options);
}

export const uiAuthPlugin = fp<{ store: Store; sessions: UiSessions }>(
  async (app, { store, sessions }) => {
    app.decorateRequest("uiSession", null);
    app.addHook("onRequest", async (request) => {
      const id = request.cookies[SESSION_COOKIE];
      const session = id === undefined ? null : sessions.use(id);
      if (!session) throw unauthorized("not logged in (or the session expired): log in again");
      if (!(await store.findTokenByHash(session.tokenHash))) {
        sessions.endByTokenHash(session.tokenHash);
        throw unauthorized(`the token "${session.name}" was revoked: log in again`);
      }
      assertSameOrigin(request);
      if (!SAFE_METHODS.has(request.method)) {
        const sent = request.headers[CSRF_HEADER];
        if (typeof sent !== "string" || !sameSecret(sent, session.csrf)) throw forbidden(`missing or wrong ${CSRF_HEADER} header`);
      }
      request.uiSession = session;
    });
  },
  { name: "flexacs-ui-auth", fastify: "5.x", dependencies: ["@fastify/cookie"] },
);
