// The ONT in front of the router, as the linux driver shows it to the ACS
// (Device.X_FLEXACS_ONT.): polled over SNMP from a real snmpd on 127.0.0.1
// whose IF-MIB values the test sets (test/helpers/snmpd.ts; it waits for ifIndex 1).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelHost } from "../../agent/datamodel/device-model.ts";
import { DeviceModel } from "../../agent/datamodel/device-model.ts";
import { buildLinuxTemplate } from "../../agent/drivers/linux/linux-model.ts";
import { OntMonitor } from "../../agent/drivers/linux/ont.ts";
import { InterfaceRates } from "../../agent/drivers/linux/rates.ts";
import { NetInterfaces } from "../../agent/drivers/linux/sysfs.ts";
import { getParameterValues } from "../../agent/rpc/parameters.ts";
import { freeUdpPort, startSnmpd, type SimInterface, type SnmpdPeer } from "../helpers/snmpd.ts";

const uni = (over: Partial<SimInterface> = {}): SimInterface => ({ index: 1, descr: "eth0 UNI", operStatus: 1, highSpeed: 1000, inOctets: 5_000_000n, outOctets: 9_000n, ...over });

let peer: SnmpdPeer;
const monitors: OntMonitor[] = [];
beforeAll(async () => {
  peer = await startSnmpd([uni()]);
});
afterAll(async () => {
  for (const m of monitors) await m.close();
  await peer?.stop();
});

function model(ont: OntMonitor): DeviceModel {
  const nets = new NetInterfaces();
  const identity = { manufacturer: "ACME", oui: "0A1B2C", productClass: "R1", modelName: "R1", hardwareVersion: "A", softwareVersion: "1", serial: "SN1", mac: "" };
  const template = buildLinuxTemplate({ identity, layout: { ethernet: [], ip: [{ name: "lo", lowerLayers: "" }] }, nets, rates: new InterfaceRates(nets, ["lo"]), uptime: () => 1, ipv4: () => undefined, ont });
  const host: ModelHost = { now: Date.now, crUrl: () => "", settings: { acsUrl: "http://acs/", username: "", password: "", periodicInterval: 0 } };
  return new DeviceModel(template, host, { serial: "SN1", seed: 0, crPath: "x" });
}

function ontValues(d: DeviceModel): Record<string, string> {
  const r = getParameterValues(d, { kind: "GetParameterValues", parameterNames: ["Device.X_FLEXACS_ONT."] });
  if (r.kind !== "GetParameterValuesResponse") throw new Error(JSON.stringify(r));
  return Object.fromEntries(r.parameterList.map((p) => [p.name.slice("Device.X_FLEXACS_ONT.".length), p.value]));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("ONT over SNMP", () => {
  it("shows link, speed, counters, and the rate between two polls", async () => {
    const ont = new OntMonitor({ host: "127.0.0.1", port: peer.port, community: "public", ifIndex: 1, timeoutMs: 1000 });
    monitors.push(ont);
    const d = model(ont);
    expect(ontValues(d)).toMatchObject({ Host: "127.0.0.1", IfIndex: "1", Status: "Unknown", ReceiveRate: "-1" });
    await peer.setInterfaces([uni()]);
    await ont.poll();
    expect(ontValues(d)).toMatchObject({ Status: "Up", CurrentBitRate: "1000", BytesReceived: "5000000", BytesSent: "9000", ReceiveRate: "-1", LastPollError: "" });
    await peer.setInterfaces([uni({ inOctets: 6_250_000n, outOctets: 134_000n, operStatus: 2 })]);
    await sleep(200);
    await ont.poll();
    const v = ontValues(d);
    const windowMs = Number(v.RateWindow);
    expect(windowMs).toBeGreaterThan(0);
    expect(v).toMatchObject({ Status: "Down", BytesReceived: "6250000", ReceiveRate: String(Math.round((1_250_000 * 8000) / windowMs)), SendRate: String(Math.round((125_000 * 8000) / windowMs)) });
  });

  it("an ONT that does not answer shows Error with the reason, and nothing else made up", async () => {
    const ont = new OntMonitor({ host: "127.0.0.1", port: await freeUdpPort(), community: "public", ifIndex: 1, timeoutMs: 300 });
    monitors.push(ont);
    await ont.poll();
    const v = ontValues(model(ont));
    expect(v).toMatchObject({ Status: "Error", BytesReceived: "0", ReceiveRate: "-1" });
    expect(v.LastPollError).toMatch(/^(unreachable|timeout): /);
  });
});
