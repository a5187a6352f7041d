// What the dashboards add to the REST API, behind the API's own token
// authentication and rights (authPlugin, right "read"), so scripts can use
// them too: GET /api/overview, GET /api/device-models and
// GET /api/contacts/:deviceId. Registered in a context of their own under
// /api, beside the API's resource plugins.

import type { FastifyPluginAsync } from "fastify";
import { authPlugin } from "../api/auth.ts";
import type { Store } from "../store/store.ts";
import type { ContactLog } from "./contact-log.ts";
import { countDevicesByModel } from "./device-models.ts";
import { OVERVIEW_SCHEMA, type Overview } from "./overview.ts";

export interface DashboardApiOptions {
  store: Store;
  contacts: ContactLog;
  computeOverview(): Promise<Overview>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const dashboardApiRoutes: FastifyPluginAsync<DashboardApiOptions> = async (app, { store, contacts, computeOverview }) => {
  await app.register(authPlugin, { store });

  app.get("/overview", { config: { right: "read" }, schema: { response: { 200: OVERVIEW_SCHEMA } } }, () => computeOverview());

  app.get("/device-models", {
    config: { right: "read" },
    schema: {
      response: {
        200: {
          type: "object",
          properties: {
            items: { type: "array", items: { type: "object", properties: { productClass: { type: "string" }, count: { type: "integer" } } } },
            otherDevices: { type: "integer" },
          },
        },
      },
    },
  }, async () => {
    const { models, otherDevices } = await countDevicesByModel(store);
    return { items: models, otherDevices };
  });

  app.get<{ Params: { deviceId: string } }>("/contacts/:deviceId", {
    config: { right: "read" },
    schema: {
      params: { type: "object", properties: { deviceId: { type: "string", minLength: 1, maxLength: 256 } }, required: ["deviceId"] },
      response: {
        200: {
          type: "object",
          properties: {
            scope: { type: "string" },
            items: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  at: { type: "string" }, events: { type: "array", items: { type: "string" } },
                  durationMs: { type: "integer" }, rpcs: { type: "integer" }, ok: { type: "boolean" },
                },
              },
            },
          },
        },
      },
    },
  }, async (request) => ({
    scope: "sessions seen by this ACS instance since it started, newest last",
    items: contacts.contacts(request.params.deviceId).map((c) => ({ ...c, at: iso(c.at) })),
  }));
};
