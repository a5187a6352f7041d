// An ACS with everything the support Wi-Fi changes need, assembled the way
// app.ts is to wire it (see the wiring lines in acs/wifi/wifi-api.ts and
// acs/channel/channel-server.ts): SQLite store in a temp dir, line, Wi-Fi
// change and rental repositories on a second connection to the same file,
// the CWMP listener with provisioning + tasks and the agent channel, wake
// strategies channel → HTTP → UDP, the REST API with the lines and Wi-Fi
// APIs, and the dashboards. Simulated routers come from the agent's fleet.
// Everything on 127.0.0.1, ephemeral ports. Used by the integration and
// Chromium tests and, in a child process, by bench/wifi.bench.ts.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino, { type Logger } from "pino";
import { buildApiServer } from "../../acs/api/server.ts";
import { createApiToken } from "../../acs/api/tokens.ts";
import { registerAgentChannel, type AgentChannel } from "../../acs/channel/channel-server.ts";
import { wakeStrategies } from "../../acs/channel/channel-wake.ts";
import { WakeLog } from "../../acs/channel/reachability.ts";
import { createConnectionRequester } from "../../acs/connreq/requester.ts";
import { buildCwmpServer } from "../../acs/cwmp-listener/server.ts";
import { registerDashboards } from "../../acs/dashboards/plugin.ts";
import { EventBus, type AcsEvents } from "../../acs/events.ts";
import { nextEvent } from "./bus-events.ts";
import type { LineRepository } from "../../acs/lines/line-repository.ts";
import { registerLinesApi } from "../../acs/lines/lines-api.ts";
import { createProfileRegistry, loadProfiles, type ProfileRegistry } from "../../acs/provisioning/profile-registry.ts";
import { createProvisioningSource, type ProvisioningOptions } from "../../acs/provisioning/provisioning-source.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { createSqliteLineRepository } from "../../acs/store/sqlite/lines.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";
import { createSqliteMacLookup } from "../../acs/store/sqlite/router-by-mac.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { createSqliteWifiChangeRepository } from "../../acs/store/sqlite/wifi-changes.ts";
import type { Store } from "../../acs/store/store.ts";
import { createTaskSource } from "../../acs/tasks/task-source.ts";
import type { WifiChangeTracker } from "../../acs/wifi/change-tracker.ts";
import { registerWifiApi } from "../../acs/wifi/wifi-api.ts";
import { startFleet, type Fleet, type FleetOptions } from "../../agent/fleet/fleet.ts";

export const REALM = "FlexACS";
export const BOOTSTRAP = { username: "flexacs-boot", password: "bootstrap-secret" };

let profilesOnce: Promise<ProfileRegistry> | undefined;
const profileRegistry = (): Promise<ProfileRegistry> => (profilesOnce ??= loadProfiles().then(createProfileRegistry));

export interface WifiAcsOptions {
  provisioning?: ProvisioningOptions;
  /** Agent channel ping period (default 30 s). */
  heartbeatMs?: number;
  applyTimeoutMs?: number;
  /** Per wake strategy (default 3 s). */
  wakeTimeoutMs?: number;
  logger?: Logger;
  /** Live batching period of the dashboards (default 500 ms). */
  liveFlushMs?: number;
}

export class WifiAcs {
  readonly bus = new EventBus();
  readonly tokens = { admin: "", noc: "", support: "" };
  cwmpUrl = "";
  apiUrl = "";
  channel!: AgentChannel;
  tracker!: WifiChangeTracker;
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  private constructor(
    readonly dir: string,
    readonly store: Store,
    readonly db: Database.Database,
    readonly lines: LineRepository,
    readonly rentals: RentalRepository,
  ) {}

  static async start(opts: WifiAcsOptions = {}): Promise<WifiAcs> {
    const dir = mkdtempSync(join(tmpdir(), "flexacs-wifi-"));
    const path = join(dir, "acs.db");
    const store = await openSqliteStore(path);
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    const lines = createSqliteLineRepository(db);
    const rentals = createSqliteRentalRepository(db);
    const acs = new WifiAcs(dir, store, db, lines, rentals);
    acs.cleanups.push(async () => {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const profiles = await profileRegistry();
    const logger = opts.logger ?? pino({ level: "silent" });
    const bus = acs.bus;

    const provisioning = createProvisioningSource({ lines, profiles, rentals, realm: REALM, options: opts.provisioning });
    const nonceSecret = "wifi-acs-nonce-secret";
    const cwmp = await buildCwmpServer({
      store, bus, logger, sources: [provisioning, createTaskSource()],
      options: { realm: REALM, bootstrapCredential: BOOTSTRAP, nonceSecret, allowBasic: "never", instanceId: "acs-wifi" },
    });
    acs.channel = registerAgentChannel(cwmp, { store, logger, options: { realm: REALM, nonceSecret, allowBasic: "never", heartbeatMs: opts.heartbeatMs } });
    acs.cleanups.push(() => cwmp.close());
    await cwmp.listen({ host: "127.0.0.1", port: 0 });
    acs.cwmpUrl = `http://127.0.0.1:${(cwmp.server.address() as AddressInfo).port}/cwmp`;

    const wakeLog = new WakeLog();
    const timeoutMs = opts.wakeTimeoutMs ?? 3000;
    const requester = createConnectionRequester({ store, logger, strategies: wakeStrategies({ channel: acs.channel, timeoutMs, log: wakeLog }) });
    const onlineWindowMs = 600_000;
    const api = await buildApiServer({ store, bus, logger, requester, options: { bodyLimitBytes: 1 << 20, onlineWindowMs } });
    await registerLinesApi(api, { store, lines, profiles, requester });
    acs.tracker = await registerWifiApi(api, {
      store, bus, logger, lines, profiles, requester, wakeLog, onlineWindowMs,
      channel: acs.channel, changes: createSqliteWifiChangeRepository(db), macLookup: createSqliteMacLookup(db), applyTimeoutMs: opts.applyTimeoutMs,
    });
    await registerDashboards(api, { store, bus, logger, onlineWindowMs, liveFlushMs: opts.liveFlushMs });
    acs.cleanups.push(() => api.close());
    await api.listen({ host: "127.0.0.1", port: 0 });
    acs.apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    for (const role of ["admin", "noc", "support"] as const) acs.tokens[role] = (await createApiToken(store, `${role}-desk`, role)).token;
    return acs;
  }

  async call(method: string, path: string, opts: { token?: string | null; body?: unknown } = {}) {
    const token = opts.token === undefined ? this.tokens.admin : opts.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(this.apiUrl + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (text ? JSON.parse(text) : null) as any };
  }

  /** Simulated routers of one model against this ACS, with the bootstrap credential. */
  async fleet(opts: Omit<FleetOptions, "acsUrl" | "stateDir">): Promise<Fleet> {
    const stateDir = mkdtempSync(join(this.dir, "fleet-"));
    const fleet = await startFleet({ acsUrl: this.cwmpUrl, stateDir, ...BOOTSTRAP, seed: 7, fsync: false, rebootDelayMs: 20, ...opts });
    this.cleanups.push(() => fleet.stop());
    return fleet;
  }

  /** The next bus event `name` matching `pred`, from now on. */
  next<K extends keyof AcsEvents>(name: K, pred: (p: AcsEvents[K]) => boolean = () => true): Promise<AcsEvents[K]> {
    return nextEvent(this.bus, name, pred);
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }
}

/** A line for `routerSerial` as the lines API takes it. */
export function lineBody(id: string, routerSerial: string, over: Record<string, unknown> = {}) {
  return {
    id,
    subscriber: { id: `SUB-${id}`, name: `Camille Martin ${id}` },
    address: `${id} rue de la République`,
    commune: "Lyon",
    wifi: {
      "2.4GHz": { ssid: `Martin-${id}`, passphrase: `pass-2g-${id}-secret`, channel: 6 },
      "5GHz": { ssid: `Martin-${id}-5G`, passphrase: `pass-5g-${id}-secret`, channel: 36 },
    },
    wan: { mode: "pppoe", pppoe: { username: `${id.toLowerCase()}@fibre.flexnet.example`, password: `ppp-${id}-pw` } },
    router: { serial: routerSerial },
    ontSerial: null,
    ...over,
  };
}
