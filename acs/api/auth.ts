// Bearer-token authentication and role rights for every /api route. Each route
// declares the right it needs in `config.right`; a route without one is
// refused (deny by default). Order of checks: 401 (who are you), then 403
// (may you), then schema validation (400).

import fp from "fastify-plugin";
import type { FastifyRequest } from "fastify";
import type { ApiToken, Role, Store, TaskName } from "../store/store.ts";
import { forbidden, unauthorized } from "./errors.ts";
import { TASK_NAMES } from "./task-body.ts";
import { hashToken } from "./tokens.ts";

export type Right = "read" | "audit.read" | "task.run" | "device.delete" | "fault.delete" | "line.write" | "firmware.write" | "wifi.write" | "speedtest.run" | "alert.ack";

/** Task names each role may create, delete and retry. support: Wi-Fi changes and speed tests join once they exist as tasks. */
const ROLE_TASKS: Record<Role, ReadonlySet<TaskName>> = {
  noc: new Set(),
  support: new Set(["reboot", "getParameterValues", "refreshObject"]),
  admin: new Set(TASK_NAMES),
};

const ROLE_RIGHTS: Record<Role, ReadonlySet<Right>> = {
  noc: new Set(["read", "audit.read", "alert.ack"]),
  support: new Set(["read", "task.run", "wifi.write", "speedtest.run"]),
  admin: new Set(["read", "audit.read", "task.run", "device.delete", "fault.delete", "line.write", "firmware.write", "wifi.write", "speedtest.run", "alert.ack"]),
};

const RIGHT_PHRASES: Record<Right, string> = {
  "read": "read",
  "audit.read": "read the audit trail",
  "task.run": "run tasks",
  "device.delete": "delete devices",
  "fault.delete": "delete faults",
  "line.write": "create, change or import lines",
  "speedtest.run": "request speed tests",
  "alert.ack": "acknowledge alerts",
  "firmware.write": "upload firmware or run firmware campaigns",
  "wifi.write": "change a line's Wi-Fi",
};

export const canRunTask = (role: Role, name: TaskName): boolean => ROLE_TASKS[role].has(name);

declare module "fastify" {
  interface FastifyContextConfig {
    right?: Right;
  }
  interface FastifyRequest {
    apiToken: ApiToken | null;
  }
}

/** The authenticated token of a request (routes run only after the auth hook set it). */
export function tokenOf(request: FastifyRequest): ApiToken {
  if (!request.apiToken) throw unauthorized("not authenticated");
  return request.apiToken;
}

export function assertCanRunTask(request: FastifyRequest, name: TaskName): void {
  const { role } = tokenOf(request);
  if (!canRunTask(role, name)) throw forbidden(`role ${role} may not run ${name} tasks`);
}

export const authPlugin = fp<{ store: Store }>(
  async (app, { store }) => {
    app.decorateRequest("apiToken", null);
    app.addHook("onRequest", async (request, reply) => {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
      if (!m) {
        void reply.header("www-authenticate", 'Bearer realm="flexacs"');
        throw unauthorized("missing Authorization: Bearer <token> header");
      }
      const token = await store.findTokenByHash(hashToken(m[1]!));
      if (!token) {
        request.log.warn({ remoteAddress: request.ip, url: request.url }, "API authentication failed");
        void reply.header("www-authenticate", 'Bearer realm="flexacs", error="invalid_token"');
        throw unauthorized("invalid or revoked token");
      }
      request.apiToken = token;
      if (request.is404) return;
      const right = request.routeOptions.config.right;
      if (right === undefined || !ROLE_RIGHTS[token.role].has(right)) {
        request.log.warn({ actor: token.name, role: token.role, url: request.url }, "API call denied");
        throw forbidden(`role ${token.role} may not ${right ? RIGHT_PHRASES[right] : `call ${request.routeOptions.url ?? request.url}`}`);
      }
    });
  },
  { name: "flexacs-api-auth", fastify: "5.x" },
);
