// /api/audit (admin and noc) and the helper every mutating route uses to
// leave its trace; the actor is the token's name.

import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Store } from "../store/store.ts";
import { redactSecrets } from "../secrets.ts";
import { tokenOf } from "./auth.ts";
import { parseTime, TIME_QUERY_SCHEMA } from "./query-time.ts";
import { AUDIT_SCHEMA, auditView, listSchema } from "./views.ts";
import { LIMIT_QUERY, queryOnly } from "./list-query.ts";

export function recordAudit(store: Store, request: FastifyRequest, action: string, deviceId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
  return store.addAudit({ timestamp: Date.now(), actor: tokenOf(request).name, action, deviceId, detail: redactSecrets(detail) });
}

interface AuditQuery {
  device?: string;
  actor?: string;
  action?: string;
  since?: string;
  limit: number;
}

export const auditRoutes: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  app.get<{ Querystring: AuditQuery }>("/audit", {
    config: { right: "audit.read" },
    schema: {
      querystring: queryOnly({
        device: { type: "string", maxLength: 256 },
        actor: { type: "string", maxLength: 256 },
        action: { type: "string", maxLength: 64 },
        since: TIME_QUERY_SCHEMA,
        limit: LIMIT_QUERY,
      }),
      response: { 200: listSchema(AUDIT_SCHEMA) },
    },
  }, async (request) => {
    const q = request.query;
    const events = await store.listAudit({ deviceId: q.device, actor: q.actor, action: q.action, since: parseTime("since", q.since), limit: q.limit });
    return { items: events.map(auditView) };
  });
};
