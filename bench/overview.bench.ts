// The dashboards' overview API over real HTTP on a real ACS (startAcs) whose
// SQLite store holds 100,000 devices (20,000 with --quick), 2,000 faults in
// the last hour and 1,000 pending tasks. Target: GET /api/overview under
// 200 ms (the NOC dashboard issue). Also reported: the Prometheus scrape and
// a device-list search, the other two reads that touch the whole fleet.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAcs } from "../acs/app.ts";
import { parseConfig } from "../acs/config.ts";
import { bulkInsertDevices, syntheticFleet } from "../test/helpers/sqlite-bulk.ts";
import { percentile, round } from "./lib/stats.ts";
import type { BenchOptions } from "./main.ts";

async function latencies(url: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const devices = opts.quick ? 20_000 : 100_000;
  const samples = opts.quick ? 50 : 200;
  const dir = await mkdtemp(join(tmpdir(), "flexacs-bench-overview-"));
  const dbPath = join(dir, "flexacs.db");
  const t0 = performance.now();
  await bulkInsertDevices(dbPath, syntheticFleet(devices));
  const acs = await startAcs(parseConfig(["--data-dir", dir, "--store", `sqlite:${dbPath}`, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", "--log-level", "silent"], {}));
  try {
    const now = Date.now();
    for (let i = 0; i < 2000; i++) {
      await acs.store.addFault({ deviceId: `00FX00-FLX-R1-FX${String(i * 4 + 1).padStart(6, "0")}`, channel: "inform", code: `cwmp.90${i % 10}`, message: "bench fault", detail: null, rpc: null, retries: 0, timestamp: now - (i % 3000) * 1000 });
    }
    for (let i = 0; i < 1000; i++) await acs.store.addTask({ deviceId: `00FX00-FLX-R2-FX${String(i * 4 + 2).padStart(6, "0")}`, name: "reboot", args: {}, createdBy: "bench" });
    console.log(`store filled with ${devices} devices, 2000 faults, 1000 pending tasks in ${round((performance.now() - t0) / 1000, 1)} s`);

    const token = acs.initialAdminToken!;
    const overviewUrl = new URL("api/overview", acs.apiUrl).href;
    await latencies(overviewUrl, token, 20); // warm-up: statement cache, page cache, JIT
    const overview = await latencies(overviewUrl, token, samples);
    const metrics = await latencies(new URL("metrics", acs.apiUrl).href, token, Math.min(samples, 50));
    const search = await latencies(new URL("api/devices?search=FX00999&limit=50", acs.apiUrl).href, token, Math.min(samples, 50));
    const figures = {
      "overview.devices": devices,
      "overview.api_p50_ms": round(percentile(overview, 50), 2),
      "overview.api_p95_ms": round(percentile(overview, 95), 2),
      "overview.api_max_ms": round(overview[overview.length - 1]!, 2),
      "overview.metrics_p50_ms": round(percentile(metrics, 50), 2),
      "overview.devices_search_p50_ms": round(percentile(search, 50), 2),
    };
    console.log(`GET /api/overview, ${devices} devices, ${samples} requests: p50 ${figures["overview.api_p50_ms"]} ms, p95 ${figures["overview.api_p95_ms"]} ms, max ${figures["overview.api_max_ms"]} ms (target < 200 ms)`);
    console.log(`GET /metrics p50 ${figures["overview.metrics_p50_ms"]} ms; GET /api/devices?search p50 ${figures["overview.devices_search_p50_ms"]} ms`);
    return figures;
  } finally {
    await acs.close();
    await rm(dir, { recursive: true, force: true });
  }
}
