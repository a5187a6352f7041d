// First-boot provisioning storm: N simulated routers (half TR-181 HomeWave,
// half TR-098 OldGate), each with its line imported beforehand, boot for the
// first time at once (200 sessions in flight) against an ACS in a child
// process (real HTTP, SQLite). Reports the time until every router is fully
// provisioned (confirmed by the ACS's provisioning summary), sessions per
// second and RPC round trips per provisioned router. Target: 10,000 routers
// in under 2 minutes on a 2-core machine. --quick: 1,000 routers.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startFleet, type Fleet, type ModelName, type SessionResult } from "../agent/fleet/fleet.ts";
import type { BenchOptions } from "./main.ts";
import { cpuMsOf } from "./lib/processes.ts";
import { round } from "./lib/stats.ts";

const BOOTSTRAP = { username: "bench-boot", password: "bench-bootstrap-secret" };
const IN_FLIGHT = 200;
const here = dirname(fileURLToPath(import.meta.url));

interface Acs {
  cwmpUrl: string;
  apiUrl: string;
  token: string;
  /** CPU time the ACS process used so far (ms, user + system; Linux /proc). */
  cpuMs(): number;
  stop(): Promise<void>;
}


async function startAcsProcess(dir: string): Promise<Acs> {
  // e.g. FLEXACS_BENCH_ACS_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the ACS process.
  const extra = process.env.FLEXACS_BENCH_ACS_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, "--import", "tsx", join(here, "lib", "provisioning-acs.ts"), dir, BOOTSTRAP.username, BOOTSTRAP.password], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`ACS process exited (${code}) before it was ready`)));
  });
  const info = JSON.parse(first) as Omit<Acs, "stop" | "cpuMs">;
  return {
    ...info,
    cpuMs: () => cpuMsOf(child.pid!),
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function lineFor(serial: string, i: number) {
  return {
    id: `BENCH-${String(i).padStart(6, "0")}`,
    subscriber: { id: `SUB-${i}`, name: `Subscriber ${i}` },
    address: `${i} rue de la République`,
    commune: "Lyon",
    rates: { download: { min: 100, max: 1000 }, upload: { min: 50, max: 500 } },
    wifi: {
      "2.4GHz": { ssid: `Flex-${i}`, passphrase: `wifi-key-${i}-2g`, channel: 1 + (i % 11) },
      "5GHz": { ssid: `Flex-${i}-5G`, passphrase: `wifi-key-${i}-5g` },
    },
    wan: { mode: "pppoe", pppoe: { username: `sub${i}@fibre.flexnet.example`, password: `ppp-${i}` } },
    router: { serial },
  };
}

async function api(acs: Acs, method: string, path: string, body?: string): Promise<unknown> {
  const res = await fetch(acs.apiUrl + path, {
    method, body,
    headers: { authorization: `Bearer ${acs.token}`, ...(body !== undefined && { "content-type": "application/json" }) },
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const total = opts.quick ? 1_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-prov-"));
  const fleets: Fleet[] = [];
  let acs: Acs | undefined;
  try {
    acs = await startAcsProcess(dir);
    const models: ModelName[] = ["router-tr181", "router-tr098"];
    for (const model of models) {
      fleets.push(await startFleet({
        acsUrl: acs.cwmpUrl, count: total / models.length, model, stateDir: join(dir, model), ...BOOTSTRAP,
        seed: 42, fsync: false, retry: false, maxSockets: IN_FLIGHT / models.length,
      }));
    }
    const devices = fleets.flatMap((f) => f.devices);
    const t0 = performance.now();
    await api(acs, "POST", "/api/lines/import", JSON.stringify(devices.map((d, i) => lineFor(d.serial, i))));
    const importMs = performance.now() - t0;
    console.log(`imported ${total} lines in ${round(importMs / 1000, 1)} s`);

    const started = performance.now();
    const acsCpu0 = acs.cpuMs();
    const fleetCpu0 = process.cpuUsage();
    const results: SessionResult[] = (await Promise.all(fleets.map((f) => f.bootAll({ concurrency: IN_FLIGHT / fleets.length })))).flat();
    let failed = results.filter((r) => !r.ok).length;
    if (failed > 0) console.log(`failed sessions: ${[...new Set(results.filter((r) => !r.ok).map((r) => r.error))].slice(0, 5).join("; ")}`);
    let sessions = results.length;
    let rpcs = results.reduce((n, r) => n + r.rpcs, 0);
    // A session that failed (none expected) is simply tried again, as the router's retry timer would.
    for (let round = 0; round < 3 && failed > 0; round++) {
      const again = await Promise.all(devices.filter((_, i) => !results[i]!.ok).map((d) => d.inform("1 BOOT")));
      sessions += again.length;
      rpcs += again.reduce((n, r) => n + r.rpcs, 0);
      failed = again.filter((r) => !r.ok).length;
    }
    const summary = (await api(acs, "GET", "/api/provisioning/summary")) as { status: Record<string, number> };
    const seconds = (performance.now() - started) / 1000;
    const provisioned = summary.status.provisioned ?? 0;
    const acsCpuMs = acs.cpuMs() - acsCpu0;
    const fleetCpu = process.cpuUsage(fleetCpu0);
    const fleetCpuMs = (fleetCpu.user + fleetCpu.system) / 1000;
    console.log(
      `${provisioned}/${total} routers provisioned in ${round(seconds, 1)} s (${IN_FLIGHT} in flight): ` +
      `${round(sessions / seconds, 0)} sessions/s, ${round(rpcs / provisioned, 2)} RPC round trips per router, ${sessions - total} sessions retried`,
    );
    console.log(`CPU per router: ACS ${round(acsCpuMs / total, 2)} ms, simulated fleet ${round(fleetCpuMs / total, 2)} ms (of ${round(seconds * 2000 / total, 2)} ms of 2-core wall time)`);
    if (provisioned !== total) console.log(`NOT all provisioned: ${JSON.stringify(summary)}`);
    return {
      provisioning_storm_routers: total,
      provisioning_storm_provisioned: provisioned,
      provisioning_storm_s: round(seconds, 1),
      provisioning_sessions_per_s: round(sessions / seconds, 0),
      provisioning_rpcs_per_router: round(rpcs / provisioned, 2),
      provisioning_sessions_retried: sessions - total,
      provisioning_acs_cpu_ms_per_router: round(acsCpuMs / total, 2),
      provisioning_fleet_cpu_ms_per_router: round(fleetCpuMs / total, 2),
      provisioning_import_lines_s: round(importMs / 1000, 2),
    };
  } finally {
    for (const f of fleets) await f.stop();
    await acs?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
