// The dashboards call the REST API as the logged-in user: /ui/api/<path> is
// handed in-process (fastify inject, no socket) to /api/<path> with the
// session's token as Bearer. So every read, validation, role check (403),
// secret masking and audit record is the API's own, and a dashboard can never
// do more than the token could with curl.

import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { badRequest } from "../api/errors.ts";
import { sessionOf } from "./ui-auth.ts";
import type { UiSession } from "./ui-sessions.ts";

const PREFIX = "/ui/api";
/** "." or ".." as a path segment: refused rather than left to a router's interpretation. */
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

export interface ApiAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Calls `/api<pathAndQuery>` of `api` with the session's token. */
export async function callApi(api: FastifyInstance, session: UiSession, method: "GET" | "POST" | "PATCH" | "DELETE", pathAndQuery: string, body?: unknown): Promise<ApiAnswer> {
  const res = await api.inject({
    method,
    url: `/api${pathAndQuery}`,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, contentType: String(res.headers["content-type"] ?? "application/json; charset=utf-8"), body: res.rawPayload };
}

export const apiProxyRoutes: FastifyPluginAsync<{ api: FastifyInstance }> = async (app, { api }) => {
  app.route({
    method: ["GET", "POST", "PATCH", "DELETE"],
    url: `${PREFIX}/*`,
    handler: async (request, reply) => {
      // The raw URL, not the decoded wildcard: device ids carry %-escapes that must reach the API as sent.
      const rest = request.url.slice(PREFIX.length);
      const path = rest.split("?", 1)[0]!;
      if (DOT_SEGMENT.test(path)) throw badRequest("path segments . and .. are not allowed");
      const answer = await callApi(api, sessionOf(request), request.method as "GET" | "POST" | "PATCH" | "DELETE", rest, request.body ?? undefined);
      return reply.code(answer.status).type(answer.contentType).header("cache-control", "no-store").send(answer.body);
    },
  });
};
