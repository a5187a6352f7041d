// An ACS with provisioning for integration tests, assembled the way app.ts
// will (real SQLite store in a temp dir, the line repository on a second
// connection to the same file, CWMP listener with the provisioning and task
// sources, REST API with the lines API), plus simulated routers from the
// agent's fleet booting against it. Everything on 127.0.0.1, ephemeral ports.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApiServer } from "../../../acs/api/server.ts";
import { createApiToken } from "../../../acs/api/tokens.ts";
import { createConnectionRequester } from "../../../acs/connreq/requester.ts";
import { buildCwmpServer } from "../../../acs/cwmp-listener/server.ts";
import { EventBus, type AcsEvents } from "../../../acs/events.ts";
import { eventsNamed, nextEvent, recordEvents, type Recorded } from "../../helpers/bus-events.ts";
import type { LineRepository } from "../../../acs/lines/line-repository.ts";
import { registerLinesApi } from "../../../acs/lines/lines-api.ts";
import type { RentalLookup } from "../../../acs/provisioning/device-standing.ts";
import { createProfileRegistry, loadProfiles, type ProfileRegistry } from "../../../acs/provisioning/profile-registry.ts";
import { createProvisioningSource, type ProvisioningOptions } from "../../../acs/provisioning/provisioning-source.ts";
import { createSqliteLineRepository } from "../../../acs/store/sqlite/lines.ts";
import { openSqliteStore } from "../../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../../acs/store/store.ts";
import { createTaskSource } from "../../../acs/tasks/task-source.ts";
import { startFleet, type Fleet, type ModelName } from "../../../agent/fleet/fleet.ts";

export const REALM = "FlexACS";
export const BOOTSTRAP = { username: "flexacs-boot", password: "bootstrap-secret" };

let profilesOnce: Promise<ProfileRegistry> | undefined;
export const profileRegistry = (): Promise<ProfileRegistry> => (profilesOnce ??= loadProfiles().then(createProfileRegistry));


export interface ProvisioningAcsOptions {
  provisioning?: ProvisioningOptions;
  /** Opens the rented-router inventory on the ACS's database file, when the test needs one. */
  rentals?: (db: Database.Database) => RentalLookup;
}

export class ProvisioningAcs {
  readonly bus = new EventBus();
  readonly events: Recorded[] = [];
  readonly tokens = { admin: "", noc: "", support: "" };
  cwmpUrl = "";
  apiUrl = "";
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  private constructor(
    readonly dir: string,
    readonly store: Store,
    readonly db: Database.Database,
    readonly lines: LineRepository,
  ) {
    recordEvents(this.bus, ["provisioning.applied", "provisioning.status", "provisioning.drift", "device.quarantined", "fault.recorded"], this.events);
  }

  static async start(opts: ProvisioningAcsOptions = {}): Promise<ProvisioningAcs> {
    const dir = mkdtempSync(join(tmpdir(), "flexacs-prov-"));
    const path = join(dir, "acs.db");
    const store = await openSqliteStore(path);
    // A second connection to the store's file (WAL): the store does not hand out its own.
    const db = new Database(path);
    db.pragma("busy_timeout = 5000");
    db.pragma("synchronous = NORMAL"); // the store's own setting (per connection)
    const lines = createSqliteLineRepository(db);
    const acs = new ProvisioningAcs(dir, store, db, lines);
    acs.cleanups.push(async () => {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const profiles = await profileRegistry();
    const logger = pino({ level: "silent" });
    const provisioning = createProvisioningSource({ lines, profiles, rentals: opts.rentals?.(db), realm: REALM, options: opts.provisioning });
    const cwmp = await buildCwmpServer({
      store, bus: acs.bus, logger, sources: [provisioning, createTaskSource()],
      options: { realm: REALM, bootstrapCredential: BOOTSTRAP, nonceSecret: "integration-nonce-secret", allowBasic: "never", instanceId: "acs-it" },
    });
    acs.cleanups.push(() => cwmp.close());
    await cwmp.listen({ host: "127.0.0.1", port: 0 });
    acs.cwmpUrl = `http://127.0.0.1:${(cwmp.server.address() as AddressInfo).port}/cwmp`;

    const requester = createConnectionRequester({ store, logger, timeoutMs: 3000 });
    const api: FastifyInstance = await buildApiServer({ store, bus: acs.bus, logger, requester, options: { bodyLimitBytes: 1 << 20, onlineWindowMs: 600_000 } });
    await registerLinesApi(api, { store, lines, profiles, requester });
    acs.cleanups.push(() => api.close());
    await api.listen({ host: "127.0.0.1", port: 0 });
    acs.apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    for (const role of ["admin", "noc", "support"] as const) acs.tokens[role] = (await createApiToken(store, `${role}-it`, role)).token;
    return acs;
  }

  async call(method: string, path: string, opts: { token?: string | null; body?: unknown; type?: string } = {}) {
    const token = opts.token === undefined ? this.tokens.admin : opts.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers["content-type"] = opts.type ?? "application/json";
    const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    const res = await fetch(this.apiUrl + path, { method, headers, body });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (text ? JSON.parse(text) : null) as any };
  }

  /** Simulated devices of one model against this ACS, with the bootstrap credential. */
  async fleet(model: ModelName, count: number, serialPrefix?: string): Promise<Fleet> {
    const stateDir = mkdtempSync(join(this.dir, "fleet-"));
    const fleet = await startFleet({ acsUrl: this.cwmpUrl, count, model, serialPrefix, stateDir, ...BOOTSTRAP, seed: 7, fsync: false, rebootDelayMs: 20 });
    this.cleanups.push(() => fleet.stop());
    return fleet;
  }

  /** The next event `name` matching `pred`, from now on. */
  next<K extends keyof AcsEvents>(name: K, pred: (p: AcsEvents[K]) => boolean = () => true): Promise<AcsEvents[K]> {
    return nextEvent(this.bus, name, pred);
  }

  named<K extends keyof AcsEvents>(name: K): AcsEvents[K][] {
    return eventsNamed(this.events, name);
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }
}

/** Device id of a simulated router (OUI-ProductClass-Serial). */
export const deviceIdOf = (oui: string, productClass: string, serial: string): string => `${oui}-${productClass}-${serial}`;
