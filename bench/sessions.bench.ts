// Issue "CWMP backbone": periodic-inform sessions per second and p50/p99
// session latency for a 10,000-device simulated fleet against the ACS on
// SQLite, beside the same figure for a bare HTTP responder doing the same two
// round trips without any logic, and their ratio; fleet-mode memory per
// simulated device. The ACS and the baseline each run in a child process; the
// fleet runs here. Rounds alternate between the two so both see the same
// machine noise; figures are medians over rounds. CPU per session (user +
// system, all threads) of the server and of the fleet tells what bounds the
// rate: the ACS runs on one core, and the two share this machine's cores.

import { mkdtempSync, rmSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFleet, type Fleet } from "../agent/fleet/fleet.ts";
import type { BenchOptions } from "./main.ts";
import { cpuMsOf, freePort, pool, startTsChild, type Child } from "./lib/processes.ts";
import { median, percentile, round } from "./lib/stats.ts";

const CONCURRENCY = 64;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/** Memory after full collections: what the fleet holds, not garbage not yet collected. */
function settledMemory(): NodeJS.MemoryUsage {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
}

interface RoundResult {
  perSecond: number;
  latencies: number[];
  failures: number;
  serverCpuMs: number;
  fleetCpuMs: number;
}

async function periodicRound(fleet: Fleet, count: number, serverPid: number): Promise<RoundResult> {
  const devices = fleet.devices.slice(0, count);
  const server0 = cpuMsOf(serverPid);
  const fleet0 = process.cpuUsage();
  const started = performance.now();
  const results = await pool(devices.length, CONCURRENCY, (i) => devices[i]!.inform("2 PERIODIC"));
  const seconds = (performance.now() - started) / 1000;
  const fleetCpu = process.cpuUsage(fleet0);
  const ok = results.filter((r) => r.ok);
  return {
    perSecond: ok.length / seconds, latencies: ok.map((r) => r.durationMs), failures: results.length - ok.length,
    serverCpuMs: (cpuMsOf(serverPid) - server0) / results.length, fleetCpuMs: (fleetCpu.user + fleetCpu.system) / 1000 / results.length,
  };
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const count = opts.quick ? 2_000 : 10_000;
  // A warm-up round per server first, reported but not in the medians: the first periodic round after first
  // contact also does one-off work (the JIT's, and the ACS's first periodic check of each device). Then five
  // measured rounds; their median is the steady state a fleet informing forever sees.
  const rounds = opts.quick ? 2 : 5;
  const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-sessions-"));
  const children: Child[] = [];
  const fleets: Fleet[] = [];
  try {
    const barePort = await freePort();
    const bareChild = await startTsChild("bench/lib/bare-responder.ts", [String(barePort)], (out) => out.trim().length > 0);
    children.push(bareChild);
    const cwmpPort = await freePort();
    const apiPort = await freePort();
    const acsChild = await startTsChild(
      "acs/main.ts",
      ["--cwmp-port", String(cwmpPort), "--api-port", String(apiPort), "--data-dir", join(dir, "acs"), "--log-level", "warn"],
      (out) => out.includes(`:${apiPort}`),
    );
    children.push(acsChild);

    const common = { count, model: "mix" as const, periodicInterval: 0, retry: false, fsync: false, seed: 7, username: "flexacs", password: "flexacs-bootstrap" };
    const before = settledMemory();
    const acsFleet = await startFleet({ ...common, acsUrl: `http://127.0.0.1:${cwmpPort}/`, stateDir: join(dir, "fleet-acs") });
    fleets.push(acsFleet);
    const bareFleet = await startFleet({ ...common, acsUrl: `http://127.0.0.1:${barePort}/`, stateDir: join(dir, "fleet-bare") });
    fleets.push(bareFleet);

    // First contact: registration (and provisioning of management settings) for every device.
    const bootStart = performance.now();
    const boots = await acsFleet.bootAll({ concurrency: CONCURRENCY });
    const bootSeconds = (performance.now() - bootStart) / 1000;
    const bootFailures = boots.filter((r) => !r.ok).length;
    if (bootFailures > 0) console.log(`  first failure: ${boots.find((r) => !r.ok)?.error}`);
    await bareFleet.bootAll({ concurrency: CONCURRENCY });

    const bareWarmUp = await periodicRound(bareFleet, count, bareChild.proc.pid!);
    const acsWarmUp = await periodicRound(acsFleet, count, acsChild.proc.pid!);
    const acs: RoundResult[] = [];
    const bare: RoundResult[] = [];
    for (let r = 0; r < rounds; r++) {
      bare.push(await periodicRound(bareFleet, count, bareChild.proc.pid!));
      acs.push(await periodicRound(acsFleet, count, acsChild.proc.pid!));
    }
    // Memory of the ACS-side fleet only: both fleets are alive, so take half the growth.
    const after = settledMemory();
    const kbPerDevice = (after.heapUsed - before.heapUsed) / 1024 / (2 * count);
    const rssKbPerDevice = (after.rss - before.rss) / 1024 / (2 * count);

    const acsLat = acs.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const bareLat = bare.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const acsRate = median(acs.map((r) => r.perSecond));
    const bareRate = median(bare.map((r) => r.perSecond));
    const figures = {
      "sessions.devices": count,
      "sessions.bootstrap_per_s": round(boots.length / bootSeconds, 0),
      "sessions.bootstrap_failures": bootFailures,
      "sessions.acs_sqlite_per_s": round(acsRate, 0),
      "sessions.acs_sqlite_p50_ms": round(percentile(acsLat, 50)),
      "sessions.acs_sqlite_p99_ms": round(percentile(acsLat, 99)),
      "sessions.acs_sqlite_failures": acs.reduce((n, r) => n + r.failures, 0) + acsWarmUp.failures,
      "sessions.acs_sqlite_warmup_per_s": round(acsWarmUp.perSecond, 0),
      "sessions.bare_per_s": round(bareRate, 0),
      "sessions.bare_warmup_per_s": round(bareWarmUp.perSecond, 0),
      "sessions.bare_p50_ms": round(percentile(bareLat, 50)),
      "sessions.bare_p99_ms": round(percentile(bareLat, 99)),
      "sessions.ratio_acs_to_bare": round(acsRate / bareRate, 3),
      "sessions.acs_cpu_ms_per_session": round(median(acs.map((r) => r.serverCpuMs)), 3),
      "sessions.fleet_cpu_ms_per_acs_session": round(median(acs.map((r) => r.fleetCpuMs)), 3),
      "sessions.bare_cpu_ms_per_session": round(median(bare.map((r) => r.serverCpuMs)), 3),
      "sessions.fleet_cpu_ms_per_bare_session": round(median(bare.map((r) => r.fleetCpuMs)), 3),
      "sessions.fleet_heap_kb_per_device": round(kbPerDevice, 1),
      "sessions.fleet_rss_kb_per_device": round(rssKbPerDevice, 1),
    };
    console.log(`fleet of ${count} mixed devices, ${CONCURRENCY} sessions in flight, a warm-up round then ${rounds} alternating rounds (medians)`);
    console.log(`  first contact (bootstrap) : ${figures["sessions.bootstrap_per_s"]} sessions/s, ${bootFailures} failed`);
    console.log(`  ACS on SQLite             : ${figures["sessions.acs_sqlite_per_s"]} sessions/s  p50 ${figures["sessions.acs_sqlite_p50_ms"]} ms  p99 ${figures["sessions.acs_sqlite_p99_ms"]} ms  failures ${figures["sessions.acs_sqlite_failures"]}`);
    console.log(`  ACS rounds                : ${acs.map((r) => Math.round(r.perSecond)).join(", ")} sessions/s (warm-up round, not in the median: ${figures["sessions.acs_sqlite_warmup_per_s"]}/s, bare ${figures["sessions.bare_warmup_per_s"]}/s)`);
    console.log(`  bare HTTP responder       : ${figures["sessions.bare_per_s"]} sessions/s  p50 ${figures["sessions.bare_p50_ms"]} ms  p99 ${figures["sessions.bare_p99_ms"]} ms`);
    console.log(`  ratio ACS / bare          : ${figures["sessions.ratio_acs_to_bare"]}   (target ≥ 0.25; ACS target ≥ 1,500/s)`);
    console.log(`  CPU per session           : ACS ${figures["sessions.acs_cpu_ms_per_session"]} ms + fleet ${figures["sessions.fleet_cpu_ms_per_acs_session"]} ms; bare ${figures["sessions.bare_cpu_ms_per_session"]} ms + fleet ${figures["sessions.fleet_cpu_ms_per_bare_session"]} ms`);
    console.log(`  fleet memory per device   : ${figures["sessions.fleet_heap_kb_per_device"]} KB heap, ${figures["sessions.fleet_rss_kb_per_device"]} KB RSS (target ≤ 50 KB)`);
    return figures;
  } finally {
    for (const f of fleets) await f.stop();
    for (const c of children) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
