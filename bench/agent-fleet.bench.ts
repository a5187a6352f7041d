// Device agent fleet: memory per simulated device (target <= 50 KB with
// 10,000 devices in one process) and the cost of reading a whole data model.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startFleet } from "../agent/fleet/fleet.ts";
import { getParameterValues } from "../agent/rpc/parameters.ts";
import type { BenchOptions } from "./main.ts";
import { round } from "./lib/stats.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const settle = (): NodeJS.MemoryUsage => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
};

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const n = opts.quick ? 2000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), "agent-bench-"));
  try {
    await (await startFleet({ acsUrl: "http://127.0.0.1:9/cwmp", count: 3, model: "mix", stateDir: dir })).stop();
    const before = settle();
    const t0 = performance.now();
    const fleet = await startFleet({ acsUrl: "http://127.0.0.1:9/cwmp", count: n, model: "mix", stateDir: dir, seed: 1 });
    const created = performance.now() - t0;
    let values = 0;
    const t1 = performance.now();
    for (const d of fleet.devices) {
      const r = getParameterValues(d.drv.model, { kind: "GetParameterValues", parameterNames: [d.drv.model.root] });
      if (r.kind !== "Fault") values += r.parameterList.length;
    }
    const read = performance.now() - t1;
    const after = settle();
    const figures = {
      agent_fleet_devices: n,
      agent_fleet_heap_kb_per_device: round((after.heapUsed - before.heapUsed) / n / 1024),
      agent_fleet_rss_kb_per_device: round((after.rss - before.rss) / n / 1024),
      agent_fleet_create_ms: round(created, 0),
      agent_gpv_values_per_s: round(values / (read / 1000), 0),
    };
    console.log(figures);
    await fleet.stop();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
