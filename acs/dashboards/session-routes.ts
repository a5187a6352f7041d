// Log in (POST /ui/session with an API token), who am I (GET), log out
// (DELETE). The session view tells the browser which task buttons to show,
// from the API's own role table (canRunTask); the API still decides every
// call, so a hidden button forced by hand gets the API's 403.

import type { FastifyPluginAsync } from "fastify";
import { canRunTask } from "../api/auth.ts";
import { unauthorized } from "../api/errors.ts";
import { TASK_NAMES } from "../api/task-body.ts";
import { hashToken } from "../api/tokens.ts";
import type { Store } from "../store/store.ts";
import { assertSameOrigin, CSRF_HEADER, sessionOf, setSessionCookie } from "./ui-auth.ts";
import type { UiSession, UiSessions } from "./ui-sessions.ts";

export interface SessionRoutesOptions {
  store: Store;
  sessions: UiSessions;
  onlineWindowMs: number;
}

const SESSION_VIEW_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string" },
    role: { type: "string" },
    csrfToken: { type: "string" },
    csrfHeader: { type: "string" },
    tasks: { type: "array", items: { type: "string" } },
    onlineWindowMs: { type: "integer" },
  },
} as const;

const viewOf = (s: UiSession, onlineWindowMs: number) => ({
  name: s.name, role: s.role, csrfToken: s.csrf, csrfHeader: CSRF_HEADER, onlineWindowMs,
  tasks: TASK_NAMES.filter((name) => canRunTask(s.role, name)),
});

/** POST /ui/session: public (it is how one gets a session). */
export const loginRoute: FastifyPluginAsync<SessionRoutesOptions> = async (app, { store, sessions, onlineWindowMs }) => {
  app.post<{ Body: { token: string } }>("/ui/session", {
    schema: {
      body: { type: "object", additionalProperties: false, required: ["token"], properties: { token: { type: "string", minLength: 1, maxLength: 512 } } },
      response: { 200: SESSION_VIEW_SCHEMA },
    },
  }, async (request, reply) => {
    assertSameOrigin(request);
    const hash = hashToken(request.body.token.trim());
    const token = await store.findTokenByHash(hash);
    if (!token) {
      request.log.warn({ remoteAddress: request.ip }, "dashboard login failed");
      throw unauthorized("unknown or revoked token");
    }
    const session = sessions.create({ clear: request.body.token.trim(), hash, name: token.name, role: token.role });
    await store.addAudit({ timestamp: Date.now(), actor: token.name, action: "ui.login", deviceId: null, detail: { remoteAddress: request.ip } });
    setSessionCookie(reply, request, session);
    return viewOf(session, onlineWindowMs);
  });
};

/** GET and DELETE /ui/session: in the context guarded by uiAuthPlugin. */
export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, { store, sessions, onlineWindowMs }) => {
  app.get("/ui/session", { schema: { response: { 200: SESSION_VIEW_SCHEMA } } }, async (request) => viewOf(sessionOf(request), onlineWindowMs));
  app.delete("/ui/session", async (request, reply) => {
    const session = sessionOf(request);
    sessions.end(session);
    await store.addAudit({ timestamp: Date.now(), actor: session.name, action: "ui.logout", deviceId: null, detail: {} });
    setSessionCookie(reply, request, null);
    return reply.code(204).send();
  });
};
