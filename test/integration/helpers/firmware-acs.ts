// An ACS with firmware campaigns for integration tests, assembled the way
// app.ts is to wire it: real SQLite store in a temp dir, the firmware
// repository on a second connection to the same file, the CWMP listener with
// the firmware and task sources and the firmware file routes, the REST API
// with the firmware API and its wave job. Everything on 127.0.0.1, ephemeral ports.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { buildApiServer } from "../../../acs/api/server.ts";
import { createApiToken } from "../../../acs/api/tokens.ts";
import { createConnectionRequester } from "../../../acs/connreq/requester.ts";
import { buildCwmpServer } from "../../../acs/cwmp-listener/server.ts";
import { EventBus } from "../../../acs/events.ts";
import { registerFirmwareApi } from "../../../acs/firmware/api.ts";
import type { WaveJob } from "../../../acs/firmware/campaign-runner.ts";
import { registerFirmwareFiles } from "../../../acs/firmware/file-serving.ts";
import type { FirmwareRepository } from "../../../acs/firmware/firmware-repository.ts";
import { createFirmwareSource } from "../../../acs/firmware/firmware-source.ts";
import { createProfileRegistry, loadProfiles } from "../../../acs/provisioning/profile-registry.ts";
import { createSqliteFirmwareRepository } from "../../../acs/store/sqlite/firmware.ts";
import { openSqliteStore } from "../../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../../acs/store/store.ts";
import { createTaskSource } from "../../../acs/tasks/task-source.ts";

export const REALM = "FlexACS";
export const BOOTSTRAP = { username: "flexacs-boot", password: "bootstrap-secret" };

export interface FirmwareAcsOptions {
  /** Largest firmware upload (default 8 MiB). */
  maxBytes?: number;
  /** Wave job period; false: no job (the test runs ticks itself). */
  waveJobMs?: number | false;
}

export class FirmwareAcs {
  readonly tokens = { admin: "", noc: "" };
  cwmpUrl = "";
  cwmpBase = "";
  apiUrl = "";
  job: WaveJob | null = null;
  readonly firmwareDir: string;
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  private constructor(readonly dir: string, readonly store: Store, readonly repo: FirmwareRepository, readonly bus: EventBus) {
    this.firmwareDir = join(dir, "firmware");
  }

  static async start(opts: FirmwareAcsOptions = {}): Promise<FirmwareAcs> {
    const dir = mkdtempSync(join(tmpdir(), "flexacs-fw-"));
    const path = join(dir, "acs.db");
    const store = await openSqliteStore(path);
    const db = new Database(path);
    db.pragma("busy_timeout = 5000");
    const repo = createSqliteFirmwareRepository(db);
    const acs = new FirmwareAcs(dir, store, repo, new EventBus());
    acs.cleanups.push(async () => {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const logger = pino({ level: "silent" });
    const cwmp = await buildCwmpServer({
      store, bus: acs.bus, logger, sources: [createFirmwareSource({ repo }), createTaskSource()],
      options: { realm: REALM, bootstrapCredential: BOOTSTRAP, nonceSecret: "firmware-nonce-secret", allowBasic: "never", instanceId: "acs-fw" },
    });
    await registerFirmwareFiles(cwmp, { repo, dir: acs.firmwareDir, logger });
    acs.cleanups.push(() => cwmp.close());
    await cwmp.listen({ host: "127.0.0.1", port: 0 });
    acs.cwmpBase = `http://127.0.0.1:${(cwmp.server.address() as AddressInfo).port}`;
    acs.cwmpUrl = `${acs.cwmpBase}/cwmp`;

    const requester = createConnectionRequester({ store, logger, timeoutMs: 3000 });
    const api = await buildApiServer({ store, bus: acs.bus, logger, requester, options: { bodyLimitBytes: 64 * 1024, onlineWindowMs: 600_000 } });
    const waveJobMs = opts.waveJobMs ?? 100;
    acs.job = await registerFirmwareApi(api, {
      store, repo, logger, requester, instanceId: "acs-fw", profiles: createProfileRegistry(await loadProfiles()),
      files: { dir: acs.firmwareDir, maxBytes: opts.maxBytes ?? 8 * 1024 * 1024 },
      waveJob: waveJobMs === false ? false : { intervalMs: waveJobMs },
    });
    acs.cleanups.push(() => api.close());
    await api.listen({ host: "127.0.0.1", port: 0 });
    acs.apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    for (const role of ["admin", "noc"] as const) acs.tokens[role] = (await createApiToken(store, `${role}-fw`, role)).token;
    return acs;
  }

  async call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: Buffer } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? this.tokens.admin}` };
    let body: BodyInit | undefined;
    if (opts.raw !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = new Uint8Array(opts.raw);
    } else if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(this.apiUrl + path, { method, headers, body });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (text ? JSON.parse(text) : null) as any };
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }
}
