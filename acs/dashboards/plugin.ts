// The NOC dashboards on the internal API listener, mounted by one call from
// acs/app.ts before the listener starts:
//   /ui/...                  the web pages (dashboards/), public files
//   POST /ui/session         log in with an API token (cookie session)
//   GET|DELETE /ui/session   who am I / log out               (session)
//   /ui/api/<path>           the REST API as the logged-in user (session)
//   /ui/export/devices.csv   device list export                (session)
//   /ui/live                 WebSocket, live events            (session)
//   GET /api/overview, /api/device-models, /api/contacts/:id  (API token)
//   GET /metrics             Prometheus text format            (API token)
// Everything the plugin starts (bus listeners, timers, sockets) stops when
// the listener closes.

import fastifyCookie from "@fastify/cookie";
import fastifyWebsocket from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { authPlugin } from "../api/auth.ts";
import type { EventBus } from "../events.ts";
import type { Store } from "../store/store.ts";
import { apiProxyRoutes } from "./api-proxy.ts";
import { dashboardApiRoutes } from "./api-routes.ts";
import { ContactLog } from "./contact-log.ts";
import { csvExportRoutes } from "./csv-export.ts";
import { LiveHub } from "./live-hub.ts";
import { createMetrics } from "./metrics.ts";
import { computeOverview, type OverviewSection } from "./overview.ts";
import { SessionRate } from "./session-rate.ts";
import { loginRoute, sessionRoutes } from "./session-routes.ts";
import { staticFilesRoutes } from "./static-files.ts";
import { sessionOf, uiAuthPlugin } from "./ui-auth.ts";
import { DEFAULT_SESSION_LIMITS, UiSessions, type UiSessionLimits } from "./ui-sessions.ts";

export interface DashboardsDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  /** The API's online rule (config.api.onlineWindowMs), so both count the same devices online. */
  onlineWindowMs: number;
  /** Overview blocks contributed by capabilities (see acs/dashboards/overview.ts). */
  overviewSections?: OverviewSection[];
  sessionLimits?: UiSessionLimits;
  /** Live batching period (default 500 ms). */
  liveFlushMs?: number;
}

export interface Dashboards {
  /** Where capabilities register their own Prometheus metrics. */
  metrics: Registry;
}

/** Mounts the dashboards on the (not yet listening) API listener. */
export async function registerDashboards(api: FastifyInstance, deps: DashboardsDeps): Promise<Dashboards> {
  const { store, bus, logger, onlineWindowMs } = deps;
  const sessions = new UiSessions(deps.sessionLimits ?? DEFAULT_SESSION_LIMITS);
  const contacts = new ContactLog();
  const rate = new SessionRate();
  const sections = deps.overviewSections ?? [];
  const overview = () => computeOverview({
    store, onlineWindowMs, rate, sections,
    onSectionError: (id, err) => logger.error({ err, section: id }, "overview section failed"),
  });
  const hub = new LiveHub({ bus, store, sessions, logger, onlineWindowMs, computeOverview: overview, flushMs: deps.liveFlushMs });
  const metrics = createMetrics({ store, bus, onlineWindowMs, liveClients: () => hub.clientCount, uiSessions: () => sessions.size });
  const stopFollowing = [contacts.follow(bus), rate.follow(bus)];
  api.addHook("onClose", async () => {
    hub.close();
    metrics.close();
    for (const stop of stopFollowing) stop();
  });

  await api.register(async (ui) => {
    await ui.register(fastifyCookie);
    await ui.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
    await ui.register(staticFilesRoutes);
    await ui.register(loginRoute, { store, sessions, onlineWindowMs });
    await ui.register(async (authed) => {
      await authed.register(uiAuthPlugin, { store, sessions });
      await authed.register(sessionRoutes, { store, sessions, onlineWindowMs });
      await authed.register(apiProxyRoutes, { api });
      await authed.register(csvExportRoutes, { api });
      authed.get("/ui/live", { websocket: true }, (socket, request) => hub.attach(socket, sessionOf(request)));
    });
  });
  await api.register(dashboardApiRoutes, { prefix: "/api", store, contacts, computeOverview: overview });
  await api.register(async (scrape) => {
    await scrape.register(authPlugin, { store });
    scrape.get("/metrics", { config: { right: "read" } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  });
  return { metrics: metrics.registry };
}
