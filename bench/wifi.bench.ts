// Support Wi-Fi changes under load: time from the API call to "applied", p50
// and p95 over 200 changes to routers reachable by their agent channel (HTTP
// connection-request port closed, as behind NAT) and 200 to routers woken by
// HTTP connection request, while a 5,000-device fleet (half of each kind)
// keeps its periodic Informs (every ~60 s, so ~80 sessions/s besides). The
// ACS runs in a child process (bench/wifi-acs-child.ts); the fleet here.
// A sample is end to end as a client sees it: PATCH sent → the change read
// back "applied" (GET /api/wifi-changes/:id?waitMs, which answers at the
// outcome); both paths run side by side, 2 changes in flight each. Target:
// p95 < 1 s for both. Also the agent's heap per device with its channel open
// and without (budget 50 KB).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startFleet, type Fleet } from "../agent/fleet/fleet.ts";
import { BOOTSTRAP, lineBody } from "../test/helpers/wifi-acs.ts";
import { percentile, round } from "./lib/stats.ts";
import type { BenchOptions } from "./main.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heap = (): number => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

const CHILD = fileURLToPath(new URL("./wifi-acs-child.ts", import.meta.url));
const ROOT = join(dirname(CHILD), "..");
const PERIODIC_S = 60;
/** Changes in flight per path; both paths are measured at the same time, under the same load. */
const CONCURRENCY = 2;

interface Acs {
  cwmpUrl: string;
  apiUrl: string;
  token: string;
  stop(): Promise<void>;
}

async function startChild(): Promise<Acs> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, String(PERIODIC_S)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the ACS child exited (${code}) before starting`)));
  });
  const info = JSON.parse(first) as Omit<Acs, "stop">;
  return { ...info, stop: async () => void (child.kill("SIGTERM"), await exited) };
}

async function call(acs: Acs, method: string, path: string, body?: unknown) {
  const res = await fetch(acs.apiUrl + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `Bearer ${acs.token}`, ...(body !== undefined && { "content-type": "application/json" }) },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, json: (await res.json()) as any };
}

/** `count` changes to the lines of `fleet` (one per router), CONCURRENCY at a time; latencies in ms, sorted. */
async function measure(acs: Acs, fleet: Fleet, prefix: string, count: number, via: string): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const lineId = `${prefix}-${i}`;
      const { json: wifi } = await call(acs, "GET", `/api/lines/${lineId}/wifi`);
      const t0 = performance.now();
      const sent = await call(acs, "PATCH", `/api/lines/${lineId}/wifi`, { version: wifi.version, bands: { "2.4GHz": { ssid: `Bench ${prefix} ${i}` } } });
      if (sent.status !== 202) throw new Error(`${lineId}: PATCH answered ${sent.status} ${JSON.stringify(sent.json)}`);
      const done = await call(acs, "GET", `/api/wifi-changes/${sent.json.changeId}?waitMs=30000`);
      out.push(performance.now() - t0);
      if (done.json.status !== "applied" || done.json.wake?.via !== via) throw new Error(`${lineId}: ${done.json.status} via ${done.json.wake?.via}: ${done.json.note}`);
      if (fleet.devices[i]!.getValue("Device.WiFi.SSID.1.SSID") !== `Bench ${prefix} ${i}`) throw new Error(`${lineId}: the router does not hold the new SSID`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out.sort((a, b) => a - b);
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const devices = opts.quick ? 1000 : 5000;
  const changes = opts.quick ? 50 : 200;
  const half = devices / 2;
  const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-wifi-"));
  const acs = await startChild();
  const fleets: Fleet[] = [];
  try {
    let sessions = 0;
    const log = (event: string, fields: Record<string, unknown>) => {
      if (event === "session" && fields.ok) sessions++;
    };
    const common = { acsUrl: acs.cwmpUrl, count: half, model: "router-tr181" as const, ...BOOTSTRAP, fsync: false, seed: 5, log, retry: true };
    const serials = (prefix: string) => Array.from({ length: half }, (_, i) => `${prefix}${String(i + 1).padStart(9, "0")}`);
    const imported = await call(acs, "POST", "/api/lines/import", [
      ...serials("HWBW").map((serial, i) => lineBody(`W-${i}`, serial)),
      ...serials("HWBH").map((serial, i) => lineBody(`H-${i}`, serial)),
    ]);
    if (imported.json.imported !== devices) throw new Error(`line import: ${JSON.stringify(imported.json).slice(0, 500)}`);

    // Heap per booted device, with its open agent channel (first half) and without (second half).
    const t0 = performance.now();
    const boot = async (f: Fleet) => {
      const failed = (await f.bootAll({ concurrency: 40 })).filter((r) => !r.ok);
      if (failed.length > 0) throw new Error(`${failed.length} boots failed, first: ${failed[0]!.error}`);
    };
    // Shared per-process costs (model templates, modules) are paid before the baseline.
    await (await startFleet({ ...common, count: 1, serialPrefix: "HWWARM", stateDir: join(dir, "warm"), channel: true })).stop();
    const base = heap();
    const ws = await startFleet({ ...common, serialPrefix: "HWBW", stateDir: join(dir, "ws"), channel: true, httpConnectionRequest: false });
    fleets.push(ws);
    await boot(ws);
    await Promise.all(ws.devices.map((d) => ws.channels!.whenOpen(d)));
    const withChannel = heap();
    const http = await startFleet({ ...common, serialPrefix: "HWBH", stateDir: join(dir, "http") });
    fleets.push(http);
    await boot(http);
    const withoutChannel = heap();
    if (ws.devices[0]!.serial !== serials("HWBW")[0]) throw new Error(`serials are not what the lines name: ${ws.devices[0]!.serial}`);
    const bootS = (performance.now() - t0) / 1000;
    console.log(`${devices} routers booted and provisioned, ${ws.channels!.openCount} agent channels open, in ${round(bootS, 1)} s; periodic Inform every ~${PERIODIC_S} s`);

    const s0 = sessions;
    const m0 = performance.now();
    const [wsLat, httpLat] = await Promise.all([measure(acs, ws, "W", changes, "channel"), measure(acs, http, "H", changes, "http")]);
    const windowS = (performance.now() - m0) / 1000;
    const figures = {
      "wifi.devices": devices,
      "wifi.changes_per_path": changes,
      "wifi.ws_p50_ms": round(percentile(wsLat, 50), 1),
      "wifi.ws_p95_ms": round(percentile(wsLat, 95), 1),
      "wifi.http_p50_ms": round(percentile(httpLat, 50), 1),
      "wifi.http_p95_ms": round(percentile(httpLat, 95), 1),
      "wifi.background_sessions_per_s": round((sessions - s0 - 2 * changes) / windowS, 1),
      "wifi.agent_heap_kb_per_device": round((withChannel - base) / half / 1024, 1),
      "wifi.agent_heap_kb_per_device_without_channel": round((withoutChannel - withChannel) / half / 1024, 1),
      "wifi.boot_s": round(bootS, 1),
    };
    console.log(`agent channel: p50 ${figures["wifi.ws_p50_ms"]} ms, p95 ${figures["wifi.ws_p95_ms"]} ms; HTTP connection request: p50 ${figures["wifi.http_p50_ms"]} ms, p95 ${figures["wifi.http_p95_ms"]} ms (target p95 < 1000 ms)`);
    console.log(`meanwhile ${figures["wifi.background_sessions_per_s"]} other sessions/s; agent heap ${figures["wifi.agent_heap_kb_per_device"]} KB/device with its channel, ${figures["wifi.agent_heap_kb_per_device_without_channel"]} without (budget 50)`);
    return figures;
  } finally {
    for (const f of fleets) await f.stop();
    await acs.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
