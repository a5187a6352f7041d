// Assembles a running ACS from its configuration: data directory, store,
// event bus, connection requester, the CPE-facing CWMP listener and the
// internal API listener (two fastify instances on two ports), and optionally
// a demo fleet of simulated devices. Signals are main.ts's business.

import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { buildApiServer } from "./api/server.ts";
import { createInitialAdminToken } from "./api/tokens.ts";
import type { AcsConfig } from "./config.ts";
import { createConnectionRequester } from "./connreq/requester.ts";
import { buildCwmpServer } from "./cwmp-listener/server.ts";
import { registerAgentChannel } from "./channel/channel-server.ts";
import { wakeStrategies } from "./channel/channel-wake.ts";
import { WakeLog } from "./channel/reachability.ts";
import { registerDashboards } from "./dashboards/plugin.ts";
import { registerWifiApi } from "./wifi/wifi-api.ts";
import { registerFirmwareApi } from "./firmware/api.ts";
import { firmwareOverviewSection } from "./firmware/firmware-dashboards.ts";
import { registerFirmwareFiles } from "./firmware/file-serving.ts";
import { createFirmwareSource } from "./firmware/firmware-source.ts";
import { registerLinesApi } from "./lines/lines-api.ts";
import { createLinkrateEvaluator, type LinkrateEvaluator } from "./linkrate/evaluator.ts";
import { startLinkrateJobs } from "./linkrate/jobs.ts";
import { registerLinkrateApi } from "./linkrate/linkrate-api.ts";
import { linkrateOverviewSection, registerLinkrateMetrics } from "./linkrate/linkrate-dashboards.ts";
import { linkrateLinesFrom } from "./linkrate/linkrate-lines.ts";
import { createSpeedTestScheduler } from "./linkrate/speedtest-scheduler.ts";
import { registerSpeedTestEndpoints, speedTestUrl } from "./linkrate/speedtest-endpoints.ts";
import { createSpeedTestSource } from "./linkrate/speedtest-source.ts";
import { createProfileRegistry, loadProfiles } from "./provisioning/profile-registry.ts";
import { createProvisioningSource } from "./provisioning/provisioning-source.ts";
import { registerRentalsApi } from "./api/rentals.ts";
import { returnsOverviewSection } from "./rentals/rentals-dashboards.ts";
import { createTaskSource } from "./tasks/task-source.ts";
import { loadOrCreateNonceSecret, prepareDataDir } from "./data-dir.ts";
import { EventBus } from "./events.ts";
import { createLogger } from "./logger.ts";
import { openStore } from "./store/open.ts";
import type { Store } from "./store/store.ts";

export interface RunningAcs {
  cwmpUrl: string;
  apiUrl: string;
  store: Store;
  bus: EventBus;
  /** Set on the first start with an empty store: show it once, it is not kept in clear. */
  initialAdminToken: string | null;
  /** The link-rate evaluator (run on each speed-test result and by the 15-minute job), to evaluate a line now. */
  linkrate: LinkrateEvaluator;
  close(): Promise<void>;
}

/** Periodic Inform interval of demo-fleet devices (seconds); 2x it is the default online window. */
const DEMO_PERIODIC_INTERVAL_S = 300;

function urlOf(server: FastifyInstance, host: string, tls: boolean): string {
  const { port } = server.server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; that is the URL this process can hand out.
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `${tls ? "https" : "http"}://${shown}:${port}/`;
}

export async function startAcs(config: AcsConfig): Promise<RunningAcs> {
  const logger = createLogger({ level: config.logLevel });
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => logger.error({ err }, "error while stopping"));
    }
    logger.flush();
  };
  try {
    await prepareDataDir(config.dataDir);
    // A bad profile stops start-up here, naming the file, the field and the reason.
    const profiles = createProfileRegistry(await loadProfiles());
    const nonceSecret = config.cwmp.nonceSecret ?? (await loadOrCreateNonceSecret(config.dataDir));
    const store = await openStore(config.store, { serve: true });
    cleanups.push(() => store.close());
    const bus = new EventBus();

    const firmwareDir = join(config.dataDir, "firmware");
    // URLs handed to CPEs (firmware, speed tests) use the configured public URL, else the host the device itself used.
    let cwmpUrl = "";
    const cpeBaseUrl = (acsOrigin: string | null): string => config.cwmp.publicUrl ?? acsOrigin ?? cwmpUrl.replace(/\/$/, "");
    const linkrateLines = linkrateLinesFrom(store.lines);
    const linkrateEvaluator = createLinkrateEvaluator({ repo: store.linkrate, lines: linkrateLines, bus });
    const speedTestUrlTtlMs = 3_600_000;
    // The order is the order a session asks: the subscriber's configuration first,
    // then speed tests (results of a finished one, or one due), queued API tasks, firmware campaigns.
    const sources = [
      createProvisioningSource({
        lines: store.lines, profiles, rentals: store.rentals, realm: config.cwmp.realm,
        // Demo devices keep informing every few minutes, so they stay online (the profiles' default is hourly).
        ...(config.demoFleet > 0 && { options: { periodicInformInterval: DEMO_PERIODIC_INTERVAL_S } }),
      }),
      createSpeedTestSource({
        repo: store.linkrate, lines: linkrateLines, profiles, evaluator: linkrateEvaluator, bus,
        testUrl: (kind, bytes, ctx) => speedTestUrl(cpeBaseUrl(ctx.acsOrigin), nonceSecret, kind, bytes, Date.now(), speedTestUrlTtlMs),
      }),
      createTaskSource(),
      createFirmwareSource({ repo: store.firmware, publicUrl: config.cwmp.publicUrl }),
    ];
    const cwmp = await buildCwmpServer({
      store, bus, logger, sources,
      options: {
        bodyLimitBytes: config.cwmp.bodyLimitBytes,
        sessionIdleTimeoutMs: config.cwmp.sessionIdleTimeoutMs,
        realm: config.cwmp.realm,
        bootstrapCredential: config.cwmp.bootstrapCredential,
        nonceSecret,
        allowBasic: config.cwmp.allowBasic,
        tls: config.cwmp.tls ?? undefined,
        instanceId: config.instanceId,
      },
    });
    cleanups.push(() => cwmp.close());
    // Devices behind NAT keep a WebSocket open; waking tries it first, then HTTP, then UDP (TR-111).
    const channel = registerAgentChannel(cwmp, { store, logger, options: { realm: config.cwmp.realm, nonceSecret, allowBasic: config.cwmp.allowBasic } });
    const wakeLog = new WakeLog();
    const requester = createConnectionRequester({ store, logger, strategies: wakeStrategies({ channel, timeoutMs: config.connectionRequestTimeoutMs, log: wakeLog }) });
    await registerFirmwareFiles(cwmp, { repo: store.firmware, dir: firmwareDir, logger });
    await registerSpeedTestEndpoints(cwmp, { secret: nonceSecret });
    await cwmp.listen({ host: config.cwmp.host, port: config.cwmp.port });
    cwmpUrl = urlOf(cwmp, config.cwmp.host, config.cwmp.tls !== null);

    const api = await buildApiServer({ store, bus, logger, requester, options: config.api });
    const dashboards = await registerDashboards(api, {
      store, bus, logger, onlineWindowMs: config.api.onlineWindowMs, overviewSections: [linkrateOverviewSection(store.linkrate), returnsOverviewSection(store.rentals), firmwareOverviewSection(store.firmware)],
    });
    const stopLinkrateMetrics = registerLinkrateMetrics(dashboards.metrics, { repo: store.linkrate, bus });
    cleanups.push(async () => stopLinkrateMetrics());
    await registerLinkrateApi(api, { store, bus, repo: store.linkrate, lines: linkrateLines, evaluator: linkrateEvaluator, requester });
    const speedTestScheduler = createSpeedTestScheduler({ repo: store.linkrate, lines: linkrateLines, store, requester, instanceId: config.instanceId, logger });
    const linkrateJobs = startLinkrateJobs({ store, repo: store.linkrate, scheduler: speedTestScheduler, evaluator: linkrateEvaluator, instanceId: config.instanceId, logger });
    cleanups.push(async () => linkrateJobs.stop());
    await registerLinesApi(api, { store, lines: store.lines, profiles, requester });
    await registerWifiApi(api, {
      store, bus, logger, lines: store.lines, profiles, requester, channel, wakeLog, onlineWindowMs: config.api.onlineWindowMs,
      changes: store.wifiChanges, macLookup: store.routerSerialByMac,
    });
    await registerRentalsApi(api, { store, repo: store.rentals, bus, logger, instanceId: config.instanceId, returnDeadlineDays: config.rentalReturnDays });
    await registerFirmwareApi(api, {
      store, repo: store.firmware, logger, requester, profiles, instanceId: config.instanceId,
      files: { dir: firmwareDir, maxBytes: config.firmwareMaxBytes },
    });
    cleanups.push(() => api.close());
    await api.listen({ host: config.api.host, port: config.api.port });
    const apiUrl = urlOf(api, config.api.host, false);

    const initialAdminToken = await createInitialAdminToken(store);

    if (config.cwmp.bootstrapCredentialIsDefault) {
      logger.warn("CPEs may authenticate with the documented default bootstrap credential: set --bootstrap-username and --bootstrap-password (or --no-bootstrap) before exposing the CWMP port");
    }
    if (!/^(127\.|::1$|localhost$)/.test(config.api.host)) {
      logger.warn({ apiHost: config.api.host }, "the REST API listens beyond loopback: keep it off the CPE network");
    }

    if (config.demoFleet > 0) {
      // Loaded on demand: a production ACS never loads the demo's nor the agent's code.
      const { startDemo } = await import("./demo/demo.ts");
      cleanups.push(await startDemo({
        store, config, logger, cwmpUrl, profiles, requester, firmwareDir, periodicInformIntervalS: DEMO_PERIODIC_INTERVAL_S,
        linkrate: { evaluator: linkrateEvaluator, lines: linkrateLines },
      }));
    }

    logger.info({ cwmpUrl, apiUrl, store: config.store.kind, dataDir: config.dataDir, demoFleet: config.demoFleet, instanceId: config.instanceId }, "FlexACS started");
    return { cwmpUrl, apiUrl, store, bus, initialAdminToken, linkrate: linkrateEvaluator, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
