// /api/faults: what went wrong with devices (CWMP faults, failed tasks,
// provisioning), newest first; admins may clear one.

import type { FastifyPluginAsync } from "fastify";
import type { Store } from "../store/store.ts";
import { recordAudit } from "./audit.ts";
import { notFound } from "./errors.ts";
import { parseTime, TIME_QUERY_SCHEMA } from "./query-time.ts";
import { FAULT_SCHEMA, faultView, listSchema } from "./views.ts";
import { LIMIT_QUERY, queryOnly } from "./list-query.ts";

export const faultsRoutes: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  app.get<{ Querystring: { device?: string; since?: string; limit: number } }>("/faults", {
    config: { right: "read" },
    schema: {
      querystring: queryOnly({
        device: { type: "string", maxLength: 256 },
        since: TIME_QUERY_SCHEMA,
        limit: LIMIT_QUERY,
      }),
      response: { 200: listSchema(FAULT_SCHEMA) },
    },
  }, async (request) => {
    const { device, since, limit } = request.query;
    const faults = await store.listFaults({ deviceId: device, since: parseTime("since", since), limit });
    return { items: faults.map(faultView) };
  });

  app.delete<{ Params: { id: string } }>("/faults/:id", {
    config: { right: "fault.delete" },
    schema: { params: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 128 } }, required: ["id"] } },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!(await store.deleteFault(id))) throw notFound(`fault ${id} not found`);
    await recordAudit(store, request, "fault.delete", null, { faultId: id });
    return reply.code(204).send();
  });
};
