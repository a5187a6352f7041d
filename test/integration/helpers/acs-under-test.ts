// A real CWMP listener on 127.0.0.1 (ephemeral port) over a real SQLite store
// in a temp dir, for integration tests. `restart()` closes server and store
// and opens them again on the same file, like an ACS process restart.
// `sharedStore` runs it as on a store several instances share (MongoDB):
// sessions then take the store lease `session:<device id>`.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildCwmpServer, type CwmpServerOptions } from "../../../acs/cwmp-listener/server.ts";
import { EventBus, type AcsEvents } from "../../../acs/events.ts";
import { eventsNamed, nextEvent, recordEvents, type Recorded } from "../../helpers/bus-events.ts";
import { openSqliteStore } from "../../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../../acs/store/store.ts";

export const REALM = "FlexACS";
export const BOOT = { username: "bootstrap", password: "bootstrap-pass" };


export class AcsUnderTest {
  store!: Store;
  app!: FastifyInstance;
  bus = new EventBus();
  events: Recorded[] = [];
  url = "";
  private constructor(readonly dir: string, private readonly options: Partial<CwmpServerOptions>, private readonly sharedStore: boolean) {
    recordEvents(this.bus, ["device.informed", "device.registered", "session.ended", "task.done", "task.fault", "fault.recorded"], this.events);
  }

  static async start(options: Partial<CwmpServerOptions> = {}, { sharedStore = false } = {}): Promise<AcsUnderTest> {
    const acs = new AcsUnderTest(mkdtempSync(join(tmpdir(), "flexacs-cwmp-")), options, sharedStore);
    await acs.open();
    return acs;
  }

  private async open(): Promise<void> {
    const store = await openSqliteStore(join(this.dir, "acs.db"), { serve: true });
    this.store = this.sharedStore ? { ...store, sharedByInstances: true } : store;
    this.app = await buildCwmpServer({
      store: this.store,
      bus: this.bus,
      logger: pino({ level: "silent" }),
      options: {
        realm: REALM, bootstrapCredential: BOOT, nonceSecret: "test-nonce-secret", allowBasic: "tls-only", instanceId: "acs-test",
        ...this.options,
      },
    });
    await this.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = this.app.server.address() as AddressInfo;
    this.url = `${this.options.tls ? "https" : "http"}://127.0.0.1:${port}/cwmp`;
  }

  /** Stops the "process" (server, then store) and starts a new one on the same database file. */
  async restart(): Promise<void> {
    await this.stop();
    await this.open();
  }

  private async stop(): Promise<void> {
    await this.app.close();
    await this.store.close();
  }

  /** Resolves with the next event `name` matching `pred` (also one already recorded after `since`). */
  next<K extends keyof AcsEvents>(name: K, pred: (p: AcsEvents[K]) => boolean = () => true, since = 0): Promise<AcsEvents[K]> {
    return nextEvent(this.bus, name, pred, this.events, since);
  }

  named<K extends keyof AcsEvents>(name: K): AcsEvents[K][] {
    return eventsNamed(this.events, name);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
