// Fleet memory budget: 10,000 simulated devices in one process must stay at
// or under 50 KB each, (a) after creation and a full local GetParameterValues
// of every device, (b) after a real session each (SetParameterValues +
// GetParameterValues) against the scripted CWMP peer.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { afterAll, describe, expect, it } from "vitest";
import type { AcsRequest } from "../../acs/cwmp/messages.ts";
import { startFleet } from "../../agent/fleet/fleet.ts";
import { getParameterValues } from "../../agent/rpc/parameters.ts";
import { startScriptedAcs } from "./fixtures/scripted-acs.ts";

const N = 10_000;
const BUDGET_KB = 50;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const settle = (): NodeJS.MemoryUsage => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
};

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "agent-mem-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe(`fleet memory, ${N} devices`, () => {
  it("creation + one GetParameterValues of the whole tree per device", async () => {
    // Load every module and build the templates before the baseline.
    await (await startFleet({ acsUrl: "http://127.0.0.1:9/cwmp", count: 3, model: "mix", stateDir: tempDir() })).stop();
    const before = settle();
    const fleet = await startFleet({ acsUrl: "http://127.0.0.1:9/cwmp", count: N, model: "mix", stateDir: tempDir(), seed: 11 });
    let params = 0;
    for (const d of fleet.devices) {
      const r = getParameterValues(d.drv.model, { kind: "GetParameterValues", parameterNames: [d.drv.model.root] });
      if (r.kind === "Fault") throw new Error("GPV failed");
      params += r.parameterList.length;
    }
    const after = settle();
    const heapKB = (after.heapUsed - before.heapUsed) / N / 1024;
    console.log(`[fleet-memory] local: ${N} devices, ${params} values read, heap ${heapKB.toFixed(2)} KB/device, rss ${((after.rss - before.rss) / N / 1024).toFixed(2)} KB/device`);
    expect(params).toBeGreaterThan(N * 250);
    expect(heapKB).toBeLessThanOrEqual(BUDGET_KB);
    await fleet.stop();
  }, 300_000);

  it("after one session per device against the scripted peer", async () => {
    const before = settle();
    let acs: Awaited<ReturnType<typeof startScriptedAcs>> | undefined = await startScriptedAcs({
      script: (inform): AcsRequest[] => {
        const root = inform.parameterList[0]!.name.startsWith("Device.") ? "Device." : "InternetGatewayDevice.";
        return [
          { kind: "SetParameterValues", parameterList: [{ name: `${root}ManagementServer.PeriodicInformInterval`, value: "3600", type: "xsd:unsignedInt" }], parameterKey: "mem-1" },
          { kind: "GetParameterValues", parameterNames: [`${root}DeviceInfo.`] },
        ];
      },
    });
    const fleet = await startFleet({ acsUrl: acs.url, count: N, model: "mix", stateDir: tempDir(), seed: 12, fsync: false });
    const results = await fleet.bootAll({ concurrency: 64 });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(acs.sessions).toHaveLength(N);
    await acs.close();
    acs = undefined;
    for (const d of fleet.devices) await d.persisted();
    const after = settle();
    const heapKB = (after.heapUsed - before.heapUsed) / N / 1024;
    console.log(`[fleet-memory] sessions: ${N} devices, heap ${heapKB.toFixed(2)} KB/device, rss ${((after.rss - before.rss) / N / 1024).toFixed(2)} KB/device`);
    expect(fleet.devices[N - 1]!.getValue(`${fleet.devices[N - 1]!.drv.model.root}ManagementServer.ParameterKey`)).toBe("mem-1");
    expect(heapKB).toBeLessThanOrEqual(BUDGET_KB);
    await fleet.stop();
  }, 600_000);
});
