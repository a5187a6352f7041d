// An ACS with link-rate monitoring for integration tests, wired the way
// app.ts is asked to: real SQLite store in a temp dir, the line and link-rate
// repositories on a second connection to the same file, the CWMP listener
// with the speed-test source and test endpoints, the REST API with the
// link-rate API, and simulated devices whose lines behave as told. One
// controllable clock (epoch ms) for the ACS and the devices.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { buildApiServer } from "../../../acs/api/server.ts";
import { createApiToken } from "../../../acs/api/tokens.ts";
import { createConnectionRequester } from "../../../acs/connreq/requester.ts";
import { registerDashboards } from "../../../acs/dashboards/plugin.ts";
import { buildCwmpServer } from "../../../acs/cwmp-listener/server.ts";
import { EventBus, type AcsEvents } from "../../../acs/events.ts";
import type { Line } from "../../../acs/lines/line.ts";
import type { LineRepository } from "../../../acs/lines/line-repository.ts";
import { createLinkrateEvaluator, type LinkrateEvaluator } from "../../../acs/linkrate/evaluator.ts";
import { registerLinkrateApi } from "../../../acs/linkrate/linkrate-api.ts";
import { linkrateOverviewSection, registerLinkrateMetrics } from "../../../acs/linkrate/linkrate-dashboards.ts";
import { linkrateLinesFrom } from "../../../acs/linkrate/linkrate-lines.ts";
import type { LinkrateRepository } from "../../../acs/linkrate/measurement-repository.ts";
import { registerSpeedTestEndpoints, speedTestUrl } from "../../../acs/linkrate/speedtest-endpoints.ts";
import { createSpeedTestScheduler, type SpeedTestScheduler, type TestWindow } from "../../../acs/linkrate/speedtest-scheduler.ts";
import { createSpeedTestSource } from "../../../acs/linkrate/speedtest-source.ts";
import { createSqliteLineRepository } from "../../../acs/store/sqlite/lines.ts";
import { createSqliteLinkrateRepository } from "../../../acs/store/sqlite/linkrate.ts";
import { openSqliteStore } from "../../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../../acs/store/store.ts";
import { createTaskSource } from "../../../acs/tasks/task-source.ts";
import { startFleet, type Fleet, type LineBehaviour, type ModelName } from "../../../agent/fleet/fleet.ts";
import { profileRegistry } from "./provisioning-acs.ts";

export const BOOTSTRAP = { username: "flexacs-boot", password: "bootstrap-secret" };
const SECRET = "linkrate-test-secret";

export interface LinkrateAcsOptions {
  windows: TestWindow[];
  /** Normally available speed as a share of the line's maximum. */
  normalShareOfMax: number;
  downloadBytes: number;
  uploadBytes: number;
}

export class LinkrateAcs {
  readonly bus = new EventBus();
  readonly tokens = { admin: "", noc: "", support: "" };
  /** The shared clock: now() = Date.now() + offset. */
  offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  cwmpUrl = "";
  apiUrl = "";
  scheduler!: SpeedTestScheduler;
  evaluator!: LinkrateEvaluator;
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  private constructor(readonly dir: string, readonly store: Store, readonly lines: LineRepository, readonly repo: LinkrateRepository) {}

  static async start(opts: LinkrateAcsOptions): Promise<LinkrateAcs> {
    const dir = mkdtempSync(join(tmpdir(), "flexacs-linkrate-"));
    const path = join(dir, "acs.db");
    const store = await openSqliteStore(path);
    const db = new Database(path);
    db.pragma("busy_timeout = 5000");
    const acs = new LinkrateAcs(dir, store, createSqliteLineRepository(db), createSqliteLinkrateRepository(db));
    acs.cleanups.push(async () => {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const logger = pino({ level: "silent" });
    const lines = linkrateLinesFrom(acs.lines, { normalShareOfMax: opts.normalShareOfMax });
    acs.evaluator = createLinkrateEvaluator({ repo: acs.repo, lines, bus: acs.bus, now: acs.now });
    const source = createSpeedTestSource({
      repo: acs.repo, lines, profiles: await profileRegistry(), evaluator: acs.evaluator, bus: acs.bus, now: acs.now,
      testUrl: (kind, bytes) => speedTestUrl(acs.cwmpUrl, SECRET, kind, bytes, acs.now(), 3_600_000),
      options: { downloadBytes: opts.downloadBytes, uploadBytes: opts.uploadBytes, readingIntervalMs: 0 },
    });
    const cwmp = await buildCwmpServer({
      store, bus: acs.bus, logger, sources: [source, createTaskSource()],
      options: { realm: "FlexACS", bootstrapCredential: BOOTSTRAP, nonceSecret: "integration-nonce-secret", allowBasic: "never", instanceId: "acs-it" },
    });
    await registerSpeedTestEndpoints(cwmp, { secret: SECRET, now: acs.now });
    acs.cleanups.push(() => cwmp.close());
    await cwmp.listen({ host: "127.0.0.1", port: 0 });
    acs.cwmpUrl = `http://127.0.0.1:${(cwmp.server.address() as AddressInfo).port}/cwmp`;

    const requester = createConnectionRequester({ store, logger, timeoutMs: 3000 });
    acs.scheduler = createSpeedTestScheduler({ repo: acs.repo, lines, store, requester, instanceId: "acs-it", logger, now: acs.now, options: { windows: opts.windows, maxConcurrentLines: 50 } });
    const api = await buildApiServer({ store, bus: acs.bus, logger, requester, options: { bodyLimitBytes: 1 << 20, onlineWindowMs: 600_000 } });
    await registerLinkrateApi(api, { store, bus: acs.bus, repo: acs.repo, lines, evaluator: acs.evaluator, requester, now: acs.now });
    const dashboards = await registerDashboards(api, { store, bus: acs.bus, logger, onlineWindowMs: 600_000, overviewSections: [linkrateOverviewSection(acs.repo)], liveFlushMs: 50 });
    acs.cleanups.push(registerLinkrateMetrics(dashboards.metrics, { repo: acs.repo, bus: acs.bus }));
    acs.cleanups.push(() => api.close());
    await api.listen({ host: "127.0.0.1", port: 0 });
    acs.apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    for (const role of ["admin", "noc", "support"] as const) acs.tokens[role] = (await createApiToken(store, `${role}-it`, role)).token;
    return acs;
  }

  /** Moves the shared clock to `epochMs`. */
  setTime(epochMs: number): void {
    this.offset = epochMs - Date.now();
  }

  async call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? this.tokens.admin}`, ...opts.headers };
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(this.apiUrl + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    const json = res.headers.get("content-type")?.includes("json") && text ? (JSON.parse(text) as unknown) : null;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: json as any, text, type: res.headers.get("content-type") ?? "" };
  }

  async fleet(model: ModelName, count: number, behaviour: (serial: string, i: number) => LineBehaviour | undefined): Promise<Fleet> {
    const stateDir = mkdtempSync(join(this.dir, "fleet-"));
    const fleet = await startFleet({ acsUrl: this.cwmpUrl, count, model, stateDir, ...BOOTSTRAP, seed: 11, fsync: false, lineBehaviour: behaviour, clock: this.now });
    this.cleanups.push(() => fleet.stop());
    return fleet;
  }

  /**
   * Boots the fleet, then stores the devices' connection-request credentials
   * (the sim's factory ones), as provisioning does in a full ACS.
   */
  async boot(fleet: Fleet): Promise<void> {
    for (const r of await fleet.bootAll()) if (!r.ok) throw new Error(`boot failed: ${r.error}`);
    for (const d of fleet.devices) {
      const id = `${d.drv.deviceId.oui}-${d.drv.deviceId.productClass}-${d.serial}`;
      await this.store.setCredentials(id, { connectionRequestUsername: d.serial, connectionRequestPassword: `cr-${d.serial}` });
    }
  }

  /** Resolves with the next `n` events `name`. */
  collect<K extends keyof AcsEvents>(name: K, n: number): Promise<AcsEvents[K][]> {
    return new Promise((resolve) => {
      const got: AcsEvents[K][] = [];
      const off = this.bus.on(name, (p) => {
        got.push(p);
        if (got.length === n) {
          off();
          resolve(got);
        }
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }
}

/** A line with only what link-rate monitoring reads; rates in Mb/s. */
export function testLine(id: string, rates: Line["rates"], equipment: { router?: string; ont?: string }): Line {
  return {
    id, subscriber: { id: `S-${id}`, name: `Subscriber ${id}` }, address: "1 rue de la Paix", commune: "Paris", rates,
    wifi: {}, wan: {}, router: equipment.router ? { serial: equipment.router } : { customerOwned: true }, ontSerial: equipment.ont ?? null,
    version: 1, createdAt: 0, updatedAt: 0,
  };
}
