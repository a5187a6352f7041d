// The internal REST API listener (separate from the CPE-facing one): one
// fastify instance, every route under /api behind token authentication, one
// plugin per resource. Returned not listening, so tests and app.ts decide.

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type pino from "pino";
import type { EventBus } from "../events.ts";
import type { Store } from "../store/store.ts";
import { auditRoutes } from "./audit.ts";
import { authPlugin } from "./auth.ts";
import { devicesRoutes } from "./devices.ts";
import { apiErrorHandler, formatValidationErrors } from "./errors.ts";
import { faultsRoutes } from "./faults.ts";
import { tasksRoutes, type TasksRoutesOptions } from "./tasks.ts";

export interface ApiServerOptions {
  bodyLimitBytes: number;
  onlineWindowMs: number;
}

export async function buildApiServer(deps: {
  store: Store;
  bus: EventBus;
  logger: pino.Logger;
  requester: TasksRoutesOptions["requester"];
  options: ApiServerOptions;
}): Promise<FastifyInstance> {
  const { store, bus, requester, options } = deps;
  const app = Fastify({
    loggerInstance: deps.logger.child({ listener: "api" }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    schemaErrorFormatter: formatValidationErrors,
    // Unknown query parameters and body fields are errors, not silently dropped.
    // strictTuples off: [path, value, type?] is a tuple whose last item is optional.
    ajv: { customOptions: { removeAdditional: false, strictTuples: false } },
  });
  app.setErrorHandler(apiErrorHandler(options.bodyLimitBytes));
  await app.register(async (api) => {
    await api.register(authPlugin, { store });
    api.setNotFoundHandler((request, reply) => reply.code(404).send({ error: "FLX_ERR_NOT_FOUND", message: `no route ${request.method} ${request.url}` }));
    await api.register(devicesRoutes, { store, onlineWindowMs: options.onlineWindowMs });
    await api.register(tasksRoutes, { store, bus, requester });
    await api.register(faultsRoutes, { store });
    await api.register(auditRoutes, { store });
  }, { prefix: "/api" });
  return app;
}
