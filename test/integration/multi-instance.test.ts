// Two ACS instances (acs/main.ts processes, --store mongodb://) on one
// FerretDB, behind HAProxy on loopback (round robin per request, sticky per
// CWMP session cookie: test/helpers/load-balancer.ts). What an operator
// relies on: a device is never in session on both instances at once, what one
// instance accepts the other delivers, every router is provisioned once and
// every task applied once, and when one instance is killed -9 in the middle of
// a storm the other carries on and nothing is lost.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../acs/cwmp/messages.ts";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { pool } from "../../bench/lib/processes.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { startLoadBalancer, type LoadBalancer } from "../helpers/load-balancer.ts";
import { startPostgres, type Postgres } from "../helpers/postgres.ts";
import { AcsInstance } from "./helpers/acs-instance.ts";
import { informParams, ScriptedCpe } from "./helpers/scripted-cpe.ts";

const ROUTERS = 100;
const BOOTSTRAP = { username: "mi-boot", password: "mi-bootstrap-secret" };
const PROVISIONING_CODE = "Device.DeviceInfo.ProvisioningCode";
/** Idle timeout of the instances: a dead instance's session leases expire 2x this + 5 s later. */
const IDLE = "4s";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function lineBody(id: string, serial: string) {
  return {
    id,
    subscriber: { id: `SUB-${id}`, name: `Client ${id}` },
    address: `${id} avenue Jean Jaurès`,
    commune: "Lyon",
    wifi: {
      "2.4GHz": { ssid: `Home-${id}`, passphrase: `pass-2g-${id}-secret`, channel: 6 },
      "5GHz": { ssid: `Home-${id}-5G`, passphrase: `pass-5g-${id}-secret`, channel: 36 },
    },
    wan: { mode: "pppoe", pppoe: { username: `${id.toLowerCase()}@fibre.example`, password: `ppp-${id}-pw` } },
    router: { serial },
    ontSerial: null,
  };
}

describe("two ACS instances on one MongoDB store behind a load balancer", () => {
  let postgres: Postgres;
  let ferret: FerretDB;
  let dir: string;
  let a: AcsInstance;
  let b: AcsInstance;
  let lb: LoadBalancer;
  let token: string;
  const fleets: Fleet[] = [];
  /** ParameterKeys each simulated router applied (one per successful SetParameterValues), by serial. */
  const applied = new Map<string, string[]>();

  beforeAll(async () => {
    // FerretDB on PostgreSQL: 3x the sessions/s of its SQLite backend at 100 devices (bench/sessions-mongo.bench.ts).
    postgres = await startPostgres();
    ferret = await startFerretDB({ postgresqlUrl: postgres.url });
    dir = await mkdtemp(join(tmpdir(), "flexacs-multi-"));
    const common = {
      store: `${ferret.url}flexacs_multi`, nonceSecret: "shared-nonce-secret-for-both", bootstrap: BOOTSTRAP,
      args: ["--session-idle-timeout", IDLE, "--connection-request-timeout", "3s", "--log-level", "debug"],
    };
    // One after the other: the first start on the empty store creates the admin token.
    a = await AcsInstance.start({ ...common, instanceId: "A", dataDir: join(dir, "a"), firstStart: true });
    b = await AcsInstance.start({ ...common, instanceId: "B", dataDir: join(dir, "b") });
    token = a.initialAdminToken!;
    expect(token).toMatch(/^flx_/);
    expect(b.initialAdminToken).toBeNull();
    lb = await startLoadBalancer([{ name: "A", port: a.cwmpPort }, { name: "B", port: b.cwmpPort }]);
  });

  afterAll(async () => {
    for (const f of fleets) await f.stop();
    await lb?.stop();
    await a?.stop();
    await b?.stop();
    await ferret?.stop();
    await postgres?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function fleet(count: number, serialPrefix: string, acsUrl: string): Promise<Fleet> {
    const f = await startFleet({
      acsUrl, count, model: "router-tr181", serialPrefix, stateDir: await mkdtemp(join(dir, "fleet-")),
      ...BOOTSTRAP, seed: 11, fsync: false, retry: false, periodicInterval: 0, rebootDelayMs: 20, maxSockets: 32,
    });
    fleets.push(f);
    for (const d of f.devices) {
      // The device's own record of what it applied: every successful SetParameterValues writes its ParameterKey.
      const keys: string[] = [];
      applied.set(d.serial, keys);
      const model = d.drv.model;
      const set = model.set.bind(model);
      model.set = (path, value) => {
        if (path.endsWith(".ManagementServer.ParameterKey")) keys.push(value);
        set(path, value);
      };
    }
    return f;
  }

  const cpe = (url: string, serialNumber: string) =>
    new ScriptedCpe({ url, ...BOOTSTRAP, deviceId: { manufacturer: "ExampleCo", oui: "00D09E", productClass: "HGW", serialNumber } });

  /** Informs until the device is not in session elsewhere (503) any more, for at most `ms`. */
  async function informWhenFree(c: ScriptedCpe, params = informParams(), ms = 30_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = await c.inform(["2 PERIODIC"], params);
      if (r.status !== 503 || Date.now() > deadline) return r;
      await sleep(250);
    }
  }

  it("never runs two sessions of one device at once: the other instance answers 503 until the session ends", async () => {
    const onA = cpe(a.cwmpUrl, "LOCK-1");
    const onB = cpe(b.cwmpUrl, "LOCK-1");
    try {
      expect((await onA.inform()).envelope?.body.kind).toBe("InformResponse");
      const refused = await onB.inform();
      expect(refused.status).toBe(503);
      expect(refused.text).toContain("device already in session");
      expect((await onA.emptyPost()).status).toBe(204);
      expect((await onB.inform()).envelope?.body.kind).toBe("InformResponse");
      expect((await onB.emptyPost()).status).toBe(204);
    } finally {
      onA.close();
      onB.close();
    }
  });

  it("a SetParameterValues applied by the device whose answer was lost is confirmed on the other instance, not sent twice", async () => {
    const first = cpe(a.cwmpUrl, "LOST-1");
    expect((await first.inform()).status).toBe(200);
    expect((await first.emptyPost()).status).toBe(204);
    const deviceId = "00D09E-HGW-LOST-1";
    const created = await a.api(token, "POST", `/api/devices/${deviceId}/tasks`, { name: "setParameterValues", parameterValues: [[PROVISIONING_CODE, "lost-answer"]] });
    expect(created.status).toBe(202);
    const taskId: string = created.json.task.id;

    expect((await first.inform()).status).toBe(200);
    const spv = (await first.emptyPost()).envelope as Envelope;
    expect(spv.body).toMatchObject({ kind: "SetParameterValues", parameterKey: taskId });
    first.kill(); // applied, then the connection died before the answer reached A

    const second = cpe(b.cwmpUrl, "LOST-1");
    try {
      const params = informParams().map((p) => (p.name === "Device.ManagementServer.ParameterKey" ? { ...p, value: taskId } : p));
      // A holds the device's lease until its idle timeout drops the dead session.
      expect((await informWhenFree(second, params)).envelope?.body.kind).toBe("InformResponse");
      expect((await second.emptyPost()).status).toBe(204);
    } finally {
      second.close();
    }
    const task = (await a.api(token, "GET", `/api/tasks/${taskId}`)).json;
    expect(task).toMatchObject({ status: "done", attempts: 1 });
  });

  let routers: Fleet;
  let deviceIds: Map<string, string>;

  it("provisions every router of a fleet once, its sessions landing on both instances", { timeout: 240_000 }, async () => {
    routers = await fleet(ROUTERS, "MIR", lb.url);
    const lines = routers.devices.map((d, i) => lineBody(`L-${i + 1}`, d.serial));
    expect((await a.api(token, "POST", "/api/lines/import", lines)).json).toMatchObject({ imported: ROUTERS });

    const boots = await routers.bootAll({ concurrency: 16 });
    expect(boots.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);

    const listed = (await b.api(token, "GET", `/api/devices?search=MIR&limit=${ROUTERS + 10}`)).json;
    expect(listed.total).toBe(ROUTERS);
    deviceIds = new Map(listed.items.map((d: { id: string; serialNumber: string }) => [d.serialNumber, d.id]));
    const summary = (await a.api(token, "GET", "/api/provisioning/summary")).json;
    expect(summary.standing.line).toBe(ROUTERS);
    for (const d of routers.devices) expect(applied.get(d.serial)).toHaveLength(1);
    // Both instances ran sessions of the fleet.
    const ran = (i: AcsInstance) => i.logLines("session done").filter((l) => String(l.deviceId).includes("MIR")).length;
    expect(ran(a)).toBeGreaterThan(0);
    expect(ran(b)).toBeGreaterThan(0);
  });

  it("applies a Wi-Fi change accepted by instance A when the router contacts instance B", async () => {
    const [router] = (await fleet(1, "MIW", b.cwmpUrl)).devices;
    expect((await a.api(token, "POST", "/api/lines", lineBody("W-1", router!.serial))).status).toBe(201);
    expect((await router!.boot()).ok).toBe(true);
    const line = (await a.api(token, "GET", "/api/lines/W-1")).json;
    const ssids = () => [1, 2, 3, 4].map((i) => router!.getValue(`Device.WiFi.SSID.${i}.SSID`));
    expect(ssids()).toContain("Home-W-1");

    // Accepted by A (which wakes the router with a connection request); the router only talks to B.
    const changed = await a.api(token, "PATCH", "/api/lines/W-1", { version: line.version, wifi: { "2.4GHz": { ssid: "Changed-on-A" } } });
    expect(changed.status).toBe(200);
    const deadline = Date.now() + 30_000;
    while (!ssids().includes("Changed-on-A") && Date.now() < deadline) await sleep(200);
    expect(ssids()).toContain("Changed-on-A");
    expect(b.logLines("session done").some((l) => String(l.deviceId).endsWith(router!.serial))).toBe(true);
    expect(a.logLines("session done").some((l) => String(l.deviceId).endsWith(router!.serial))).toBe(false);
  });

  it("kill -9 of one instance mid-storm: the other carries on, every task applied exactly once, nothing lost", { timeout: 240_000 }, async () => {
    const taskOf = new Map<string, string>();
    await pool(routers.devices.length, 8, async (i) => {
      const d = routers.devices[i]!;
      const via = i % 2 === 0 ? a : b;
      const r = await via.api(token, "POST", `/api/devices/${deviceIds.get(d.serial)}/tasks`, { name: "setParameterValues", parameterValues: [[PROVISIONING_CODE, `pc-${d.serial}`]] });
      expect(r.status).toBe(202);
      taskOf.set(d.serial, r.json.task.id);
    });

    let done = 0;
    let killed: Promise<void> | null = null;
    const storm = await pool(routers.devices.length, 24, async (i) => {
      const r = await routers.devices[i]!.inform("2 PERIODIC");
      if (++done === Math.round(ROUTERS / 3)) killed = a.kill9();
      return r;
    });
    await killed;
    // The kill cut sessions in flight on A.
    expect(storm.filter((r) => !r.ok).length).toBeGreaterThan(0);

    // The devices whose sessions died with A come back (A's leases expire, HAProxy sends them to B).
    const deadline = Date.now() + 60_000;
    let pending = routers.devices;
    while (pending.length > 0 && Date.now() < deadline) {
      const open = new Set(((await b.api(token, "GET", "/api/tasks?status=pending&limit=1000")).json.items as { id: string }[]).map((t) => t.id));
      pending = routers.devices.filter((d) => open.has(taskOf.get(d.serial)!));
      await pool(pending.length, 24, (i) => pending[i]!.inform("2 PERIODIC"));
      if (pending.length > 0) await sleep(1000);
    }

    for (const d of routers.devices) {
      const taskId = taskOf.get(d.serial)!;
      expect((await b.api(token, "GET", `/api/tasks/${taskId}`)).json.status).toBe("done");
      expect(d.getValue(PROVISIONING_CODE)).toBe(`pc-${d.serial}`);
      // Provisioned once at boot, the task applied once: nothing twice, whatever instance ran it.
      expect(applied.get(d.serial)!.filter((k) => k === taskId)).toHaveLength(1);
      expect(applied.get(d.serial)).toHaveLength(2);
    }
    const one = routers.devices[0]!;
    const device = (await b.api(token, "GET", `/api/devices/${deviceIds.get(one.serial)}?parameters=${PROVISIONING_CODE}`)).json;
    expect(JSON.stringify(device)).toContain(`pc-${one.serial}`);
    expect((await b.api(token, "GET", `/api/devices?search=MIR&limit=1`)).json.total).toBe(ROUTERS);
  });
});
