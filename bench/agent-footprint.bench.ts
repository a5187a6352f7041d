// Footprint of the router agent as shipped (the esbuild bundle run by
// `node agent.js`), each figure against a bare Node.js process measured in
// the same run (`node -e "setInterval(()=>{},1e9)"`, started alongside):
//
//   agent.bundle_kb                   size of dist agent.js (target < 1024)
//   agent.idle_rss_mb[_over_bare]     VmRSS once booted and idle (target: at most 12 MB over bare)
//   agent.session_rss_mb[_over_bare]  peak VmRSS over sessions that read the whole data model
//   agent.speedtest_rss_mb[_over_bare] peak VmRSS during a TR-143 download test (real HTTP, loopback)
//   agent.idle_cpu_s_per_h            utime+stime of an idle window (/proc/<pid>/stat; 60 s, 20 s with
//                                     --quick, after start-up settled), per hour, plus 12 periodic
//                                     sessions (5-min PeriodicInformInterval) at their measured cost
//                                     (target < 2 s/h); bare.idle_cpu_s_per_h alongside. One clock tick
//                                     (10 ms) in the window is 0.6 s/h (1.8 s/h with --quick).
//
// The agent runs against FlexACS (startAcs) in this process, WAN = lo.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startAcs } from "../acs/app.ts";
import { parseConfig } from "../acs/config.ts";
import { createConnectionRequester } from "../acs/connreq/requester.ts";
import { buildAgentBundle } from "../agent/router/packaging/build.ts";
import type { BenchOptions } from "./main.ts";
import { CLK_TCK, cpuMsOf } from "./lib/processes.ts";
import { round } from "./lib/stats.ts";

const DEVICE = "A1B2C3-BenchRouter-BENCH1";
const CR = { username: "cr-bench", password: "cr-bench-secret" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function status(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) / 1024;
}

/** utime + stime in seconds. */
const cpuSeconds = (pid: number): number => cpuMsOf(pid) / 1000;

/** Peak VmRSS of `pid` while `work` runs, sampled every 20 ms. */
async function peakRss(pid: number, work: () => Promise<void>): Promise<number> {
  let peak = status(pid, "VmRSS");
  const t = setInterval(() => (peak = Math.max(peak, status(pid, "VmRSS"))), 20);
  try {
    await work();
  } finally {
    clearInterval(t);
  }
  return Math.max(peak, status(pid, "VmRSS"));
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  // Idle is measured once start-up has settled (V8 finishes its post-start GCs within ~10 s).
  const settleMs = opts.quick ? 10_000 : 20_000;
  const idleWindowMs = opts.quick ? 20_000 : 60_000;
  const sessions = opts.quick ? 5 : 20;
  const testBytes = (opts.quick ? 20 : 100) * 1024 * 1024;
  const dir = mkdtempSync(join(tmpdir(), "flx-footprint-"));
  const children: ChildProcess[] = [];
  const acs = await startAcs(parseConfig(["--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", "--data-dir", join(dir, "acs"), "--log-level", "silent", "--bootstrap-username", "boot", "--bootstrap-password", "boot-secret-123"], {}));
  const requester = createConnectionRequester({ store: acs.store, logger: pino({ level: "silent" }) });
  const files = createServer((req, res) => {
    res.writeHead(200, { "content-length": String(testBytes) });
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let left = testBytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => files.listen(0, "127.0.0.1", r));
  try {
    const bundle = await buildAgentBundle(join(dir, "dist"));
    writeFileSync(join(dir, "credentials.json"), JSON.stringify({ username: "boot", password: "boot-secret-123", connectionRequestUsername: CR.username, connectionRequestPassword: CR.password }));
    writeFileSync(join(dir, "agent.json"), JSON.stringify({
      acs: { url: acs.cwmpUrl, credentialsFile: "credentials.json" },
      stateDir: "state",
      logLevel: "warn",
      device: { oui: "A1B2C3", productClass: "BenchRouter", serialNumber: { value: "BENCH1" }, softwareVersion: { value: "1.0.0" } },
      interfaces: { wan: { ip: "lo" } },
      connectionRequest: { port: 0, listen: "127.0.0.1" },
      intervals: { periodicInformS: 300 },
    }));

    const bare = spawn(process.execPath, ["-e", "setInterval(()=>{},1e9)"], { stdio: "ignore" });
    const booted = new Promise<void>((resolve) => {
      const off = acs.bus.on("session.ended", (e) => {
        if (e.deviceId === DEVICE && e.ok) {
          off();
          resolve();
        }
      });
    });
    const agent = spawn(process.execPath, [bundle.file, "--config", join(dir, "agent.json")], { stdio: ["ignore", "ignore", "inherit"] });
    children.push(bare, agent);
    await booted;
    await acs.store.setCredentials(DEVICE, { connectionRequestUsername: CR.username, connectionRequestPassword: CR.password });
    await sleep(settleMs);

    // Idle: both processes over the same window.
    const a0 = cpuSeconds(agent.pid!);
    const b0 = cpuSeconds(bare.pid!);
    await sleep(idleWindowMs);
    const idleAgentCpu = cpuSeconds(agent.pid!) - a0;
    const idleBareCpu = cpuSeconds(bare.pid!) - b0;
    const idleRss = status(agent.pid!, "VmRSS");
    const bareRss = status(bare.pid!, "VmRSS");

    // Sessions like a periodic Inform (no RPC), woken by connection requests: their CPU cost each.
    const session = async (): Promise<void> => {
      const done = new Promise<void>((resolve) => {
        const off = acs.bus.on("session.ended", (e) => e.deviceId === DEVICE && (off(), resolve()));
      });
      const w = await requester.wake(DEVICE);
      if (!w.ok) throw new Error(`connection request failed: ${JSON.stringify(w)}`);
      await done;
    };
    const s0 = cpuSeconds(agent.pid!);
    for (let i = 0; i < sessions; i++) await session();
    const sessionCpu = (cpuSeconds(agent.pid!) - s0) / sessions;

    // Sessions that read the whole data model.
    const sessionRss = await peakRss(agent.pid!, async () => {
      for (let i = 0; i < sessions; i++) {
        await acs.store.addTask({ deviceId: DEVICE, name: "getParameterValues", createdBy: "bench", args: { parameterNames: ["Device."] } });
        await session();
      }
    });

    // A TR-143 download test of testBytes over loopback.
    const D = "Device.IP.Diagnostics.DownloadDiagnostics.";
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/speed.bin`;
    let mbps = 0;
    const speedRss = await peakRss(agent.pid!, async () => {
      const complete = new Promise<void>((resolve) => {
        const off = acs.bus.on("device.informed", (e) => e.deviceId === DEVICE && e.events.includes("8 DIAGNOSTICS COMPLETE") && (off(), resolve()));
      });
      await acs.store.addTask({ deviceId: DEVICE, name: "setParameterValues", createdBy: "bench", args: { parameterValues: [[`${D}DownloadURL`, url, "xsd:string"], [`${D}DiagnosticsState`, "Requested", "xsd:string"]] } });
      await session();
      await complete;
      await acs.store.addTask({ deviceId: DEVICE, name: "getParameterValues", createdBy: "bench", args: { parameterNames: [D] } });
      await session();
      const p = await acs.store.getParameters(DEVICE, [`${D}BOMTime`, `${D}EOMTime`, `${D}TestBytesReceived`, `${D}DiagnosticsState`]);
      const secs = (Date.parse(p.get(`${D}EOMTime`)!.value) - Date.parse(p.get(`${D}BOMTime`)!.value)) / 1000;
      if (p.get(`${D}DiagnosticsState`)?.value !== "Complete") throw new Error(`speed test ended in ${p.get(`${D}DiagnosticsState`)?.value}`);
      mbps = (Number(p.get(`${D}TestBytesReceived`)!.value) * 8) / secs / 1e6;
    });

    const perHour = 3_600_000 / idleWindowMs;
    const figures = {
      "agent.bundle_kb": round(bundle.bytes / 1024, 0),
      "bare.rss_mb": round(bareRss, 1),
      "agent.idle_rss_mb": round(idleRss, 1),
      "agent.idle_rss_mb_over_bare": round(idleRss - bareRss, 1),
      "agent.session_rss_mb": round(sessionRss, 1),
      "agent.session_rss_mb_over_bare": round(sessionRss - bareRss, 1),
      "agent.speedtest_rss_mb": round(speedRss, 1),
      "agent.speedtest_rss_mb_over_bare": round(speedRss - bareRss, 1),
      "agent.speedtest_mbps": round(mbps, 0),
      "agent.session_cpu_ms": round(sessionCpu * 1000, 1),
      "agent.idle_cpu_s_per_h": round(idleAgentCpu * perHour + 12 * sessionCpu, 2),
      "bare.idle_cpu_s_per_h": round(idleBareCpu * perHour, 2),
    };
    console.log(figures);
    console.log(
      `targets: bundle < 1024 KB ${figures["agent.bundle_kb"] < 1024 ? "ok" : "MISSED"}; ` +
        `idle RSS <= bare + 12 MB ${figures["agent.idle_rss_mb_over_bare"] <= 12 ? "ok" : "MISSED"}; ` +
        `idle CPU < 2 s/h ${figures["agent.idle_cpu_s_per_h"] < 2 ? "ok" : "MISSED"} (CPU clock ticks of 1/${CLK_TCK} s)`,
    );
    return figures;
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await new Promise<void>((r) => files.close(() => r()));
    await acs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
