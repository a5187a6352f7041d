// The support desk's Wi-Fi API, under /api behind token authentication:
//   GET   /api/support/lines?q=           find a line by line id, subscriber name, router serial or MAC   (read)
//   GET   /api/lines/:id/wifi             the line's Wi-Fi, the router's state and reachability       (read)
//   PATCH /api/lines/:id/wifi             change it: { version, bands: { "2.4GHz": {...}, "5GHz": {...} },
//                                         confirmInsecure? } → 202 { changeId, status, change }         (wifi.write)
//   GET   /api/wifi-changes/:id?waitMs=   one change; waitMs waits (≤ 60 s) for its outcome            (read)
//   GET   /api/lines/:id/audit            the line's Wi-Fi changes, newest first: who, what (from → to,
//                                         passphrases masked), when, outcome                          (read)
//   GET   /api/devices/:id/reachability   channel, HTTP, UDP or none                                   (read)
// The line's history is readable with "read" (not "audit.read"): the support
// desk needs it to handle a call, and it holds masked values only.

import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { authPlugin, tokenOf } from "../api/auth.ts";
import { notFound } from "../api/errors.ts";
import type { AgentChannel } from "../channel/channel-server.ts";
import { reachabilityOf, type WakeLog } from "../channel/reachability.ts";
import { formatFieldErrors } from "../provisioning/settings-entries.ts";
import { WifiChangeTracker, type WifiTrackerDeps } from "./change-tracker.ts";
import { routerOf } from "./line-router.ts";
import { searchLines, type MacLookup } from "./line-search.ts";
import { parseWifiRequest } from "./wifi-request.ts";
import { CHANGE_SCHEMA, changeView, LINE_WIFI_SCHEMA, lineWifiView, REACHABILITY_SCHEMA, reachabilityView } from "./wifi-views.ts";
import { LIMIT_QUERY, queryOnly } from "../api/list-query.ts";

/** The tracker's dependencies (the changes it follows), plus what the routes read. */
export interface WifiApiDeps extends Omit<WifiTrackerDeps, "maxWakes"> {
  channel: AgentChannel;
  wakeLog: WakeLog;
  /** The API's online rule (config.api.onlineWindowMs). */
  onlineWindowMs: number;
  /** MAC → router serial (the rented-router inventory); without it a MAC finds nothing. */
  macLookup?: MacLookup;
}

const LINE_PARAMS = { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["id"] } as const;
const DEVICE_PARAMS = { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 256 } }, required: ["id"] } as const;
const FIELD_ERRORS = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" }, errors: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } } },
} as const;
const MATCH = {
  type: "object",
  properties: { lineId: { type: "string" }, subscriberName: { type: "string" }, address: { type: "string" }, routerSerial: { type: ["string", "null"] }, matchedBy: { type: "string" } },
} as const;
const MAX_WAIT_MS = 60_000;

const routes: FastifyPluginAsync<WifiApiDeps & { tracker: WifiChangeTracker }> = async (app, deps) => {
  const { store, lines, profiles, changes, channel, wakeLog, tracker } = deps;

  async function reachability(deviceId: string) {
    const device = await store.getDevice(deviceId);
    if (!device) return null;
    return reachabilityOf(device, await store.getCredentials(deviceId), channel.connectedSince(deviceId), wakeLog);
  }

  app.get<{ Querystring: { q: string; limit: number } }>("/support/lines", {
    config: { right: "read" },
    schema: {
      querystring: { ...queryOnly({ q: { type: "string", minLength: 1, maxLength: 256 }, limit: { type: "integer", minimum: 1, maximum: 100, default: 20 } }), required: ["q"] },
      response: { 200: { type: "object", properties: { items: { type: "array", items: MATCH } } } },
    },
  }, async (request) => ({ items: await searchLines(request.query.q, { lines, macLookup: deps.macLookup }, request.query.limit) }));

  app.get<{ Params: { id: string } }>("/lines/:id/wifi", {
    config: { right: "read" },
    schema: { params: LINE_PARAMS, response: { 200: LINE_WIFI_SCHEMA } },
  }, async (request) => {
    const line = await lines.getLine(request.params.id);
    if (!line) throw notFound(`line ${request.params.id} not found`);
    const router = await routerOf(lines, profiles, line);
    const deviceId = router?.deviceId ?? null;
    const device = deviceId ? await store.getDevice(deviceId) : null;
    const wifiPaths = router?.profile?.mapping.filter((r) => r[0].startsWith("wifi.")).map((r) => r[1]) ?? [];
    const params = deviceId && wifiPaths.length > 0 ? await store.getParameters(deviceId, wifiPaths) : new Map();
    return lineWifiView({
      line, router, device, params, reachability: deviceId ? await reachability(deviceId) : null,
      onlineWindowMs: deps.onlineWindowMs, changes: await changes.listByLine(line.id, 5), now: Date.now(),
    });
  });

  app.patch<{ Params: { id: string }; Body: unknown }>("/lines/:id/wifi", {
    config: { right: "wifi.write" },
    schema: {
      params: LINE_PARAMS,
      body: { type: "object" },
      response: {
        202: { type: "object", properties: { changeId: { type: "string" }, status: { type: "string" }, change: CHANGE_SCHEMA } },
        400: FIELD_ERRORS,
      },
    },
  }, async (request, reply) => {
    const parsed = parseWifiRequest(request.body);
    const outcome = parsed.ok ? await tracker.submit(request.params.id, parsed.value, tokenOf(request).name) : { ok: false as const, status: 400 as const, errors: parsed.errors };
    if (outcome.ok) return reply.code(202).send({ changeId: outcome.change.id, status: outcome.change.status, change: changeView(outcome.change) });
    if (outcome.status === 400) return reply.code(400).send({ error: "FLX_ERR_VALIDATION", message: formatFieldErrors(outcome.errors), errors: outcome.errors });
    return reply.code(outcome.status).send({ error: outcome.status === 404 ? "FLX_ERR_NOT_FOUND" : "FLX_ERR_CONFLICT", message: outcome.message });
  });

  app.get<{ Params: { id: string }; Querystring: { waitMs: number } }>("/wifi-changes/:id", {
    config: { right: "read" },
    schema: {
      params: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["id"] },
      querystring: queryOnly({ waitMs: { type: "integer", minimum: 0, maximum: MAX_WAIT_MS, default: 0 } }),
      response: { 200: CHANGE_SCHEMA },
    },
  }, async (request) => {
    const c = await tracker.waitFor(request.params.id, request.query.waitMs);
    if (!c) throw notFound(`Wi-Fi change ${request.params.id} not found`);
    return changeView(c);
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>("/lines/:id/audit", {
    config: { right: "read" },
    schema: {
      params: LINE_PARAMS,
      querystring: queryOnly({ limit: LIMIT_QUERY }),
      response: { 200: { type: "object", properties: { items: { type: "array", items: CHANGE_SCHEMA } } } },
    },
  }, async (request) => {
    if (!(await lines.getLine(request.params.id))) throw notFound(`line ${request.params.id} not found`);
    return { items: (await changes.listByLine(request.params.id, request.query.limit)).map(changeView) };
  });

  app.get<{ Params: { id: string } }>("/devices/:id/reachability", {
    config: { right: "read" },
    schema: { params: DEVICE_PARAMS, response: { 200: REACHABILITY_SCHEMA } },
  }, async (request) => {
    const r = await reachability(request.params.id);
    if (!r) throw notFound(`device ${request.params.id} not found`);
    return reachabilityView(r);
  });
};

/**
 * Mounts the Wi-Fi API on the (not yet listening) API listener and starts
 * following changes; the tracker stops when the listener closes.
 */
export async function registerWifiApi(api: FastifyInstance, deps: WifiApiDeps): Promise<WifiChangeTracker> {
  const tracker = await WifiChangeTracker.start(deps);
  api.addHook("onClose", async () => tracker.close());
  await api.register(async (scope) => {
    await scope.register(authPlugin, { store: deps.store });
    await scope.register(routes, { ...deps, tracker });
  }, { prefix: "/api" });
  return tracker;
}
