// The three simulated models stay inside the BBF definitions, report valid
// values for every parameter, and carry the identity and Inform parameters
// TR-069 requires.

import { describe, expect, it } from "vitest";
import { DeviceModel, type ModelHost } from "../../agent/datamodel/device-model.ts";
import { templatePath } from "../../agent/datamodel/template.ts";
import { splitList, valueOk } from "../../agent/datamodel/values.ts";
import { compile, MODEL_NAMES } from "../../agent/drivers/sim/model-spec.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";

const host: ModelHost = {
  now: () => Date.parse("2025-05-01T10:00:00Z"),
  crUrl: (d) => `http://127.0.0.1:7547/${d.ident.crPath}`,
  settings: { acsUrl: "http://127.0.0.1:7547/cwmp", username: "u", password: "p", periodicInterval: 300 },
};

function device(name: (typeof MODEL_NAMES)[number]): DeviceModel {
  const m = MODELS[name];
  const d = new DeviceModel(compile(m).template, host, { serial: m.serialPrefix + m.serialBody(7), seed: 99, crPath: "p7" });
  d.bootTime -= 3 * 86400_000;
  return d;
}

describe.each(MODEL_NAMES)("sim model %s", (name) => {
  const m = MODELS[name];

  it("uses only objects, parameters and tables of its BBF definitions", () => {
    for (const o of m.objects) expect(m.defs.objects[o], o).toBeDefined();
    const exists = (path: string): boolean => {
      const t = templatePath(path);
      const o = t.slice(0, t.lastIndexOf(".") + 1);
      return m.objects.includes(o) && m.defs.objects[o]!.p[t.slice(o.length)] !== undefined;
    };
    const named = [
      ...Object.keys(m.rules.values ?? {}),
      ...Object.keys(m.rules.dynamic ?? {}),
      ...Object.keys(m.rules.checks ?? {}),
      ...(m.rules.exclude ?? []),
      ...m.informExtra,
    ];
    expect(named.filter((p) => !exists(p))).toEqual([]);
    for (const table of Object.keys(m.rules.tables ?? {})) expect(m.objects, table).toContain(`${templatePath(table)}{i}.`);
  });

  it("reports a valid value for every parameter", () => {
    const d = device(name);
    const bad: string[] = [];
    let count = 0;
    d.visit(d.resolve(d.root)!, true, (path, node) => {
      if (node.kind !== "param") return;
      count++;
      const v = d.read(node, path);
      const allowed = node.def.er ? splitList(d.get(path.slice(0, path.lastIndexOf(".") + 1) + node.def.er) ?? "") : undefined;
      if (!valueOk(node.def, v, allowed, true)) bad.push(`${path}=${JSON.stringify(v)}`);
    });
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(200);
  });

  it("has a TR-069 identity", () => {
    const d = device(name);
    const root = d.root;
    expect(m.oui).toMatch(/^[0-9A-F]{6}$/);
    expect(d.get(`${root}DeviceInfo.ManufacturerOUI`)).toBe(m.oui);
    expect(d.get(`${root}DeviceInfo.Manufacturer`)).toBe(m.manufacturer);
    expect(d.get(`${root}DeviceInfo.ProductClass`)).toBe(m.productClass);
    expect(d.get(`${root}DeviceInfo.SerialNumber`)).toBe(m.serialPrefix + m.serialBody(7));
    expect(d.get(`${root}DeviceInfo.SoftwareVersion`)).toMatch(/^\d+(\.\d+)+$/);
    expect(d.get(`${root}DeviceInfo.UpTime`)).toBe(String(3 * 86400));
  });
});

describe("Inform parameters (tr069.md §1.7)", () => {
  const tr181 = [
    "Device.RootDataModelVersion",
    "Device.DeviceInfo.HardwareVersion",
    "Device.DeviceInfo.SoftwareVersion",
    "Device.DeviceInfo.ProvisioningCode",
    "Device.ManagementServer.ParameterKey",
    "Device.ManagementServer.ConnectionRequestURL",
    "Device.ManagementServer.AliasBasedAddressing",
  ];
  it("TR-181 models send exactly the forcedInform parameters", () => {
    expect([...compile(MODELS["router-tr181"]).informParams].sort()).toEqual([...tr181].sort());
    expect([...compile(MODELS["ont-tr181"]).informParams].sort()).toEqual([...tr181].sort());
  });
  it("the TR-098 router adds the ExternalIPAddress of its management connection", () => {
    expect([...compile(MODELS["router-tr098"]).informParams].sort()).toEqual(
      [
        "InternetGatewayDevice.DeviceSummary",
        "InternetGatewayDevice.DeviceInfo.SpecVersion",
        "InternetGatewayDevice.DeviceInfo.HardwareVersion",
        "InternetGatewayDevice.DeviceInfo.SoftwareVersion",
        "InternetGatewayDevice.DeviceInfo.ProvisioningCode",
        "InternetGatewayDevice.ManagementServer.ParameterKey",
        "InternetGatewayDevice.ManagementServer.ConnectionRequestURL",
        "InternetGatewayDevice.ManagementServer.AliasBasedAddressing",
        "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress",
      ].sort(),
    );
  });
});

describe("model specifics", () => {
  it("the TR-181 router has a 2.4 GHz and a 5 GHz radio with their channel plans", () => {
    const d = device("router-tr181");
    expect(d.get("Device.WiFi.Radio.1.OperatingFrequencyBand")).toBe("2.4GHz");
    expect(d.get("Device.WiFi.Radio.1.PossibleChannels")).toBe("1-13");
    expect(d.get("Device.WiFi.Radio.2.OperatingFrequencyBand")).toBe("5GHz");
    expect(d.get("Device.WiFi.Radio.2.PossibleChannels")).toBe("36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140");
    expect(d.get("Device.Ethernet.Interface.1.Upstream")).toBe("true");
    expect(d.get("Device.Ethernet.InterfaceNumberOfEntries")).toBe("5");
    expect(BigInt(d.get("Device.Ethernet.Interface.1.Stats.BytesReceived")!)).toBeGreaterThan(0n);
  });
  it("the ONT reports optical levels in Dbm1000 around a GPON budget", () => {
    const d = device("ont-tr181");
    const rx = Number(d.get("Device.Optical.Interface.1.OpticalSignalLevel"));
    const tx = Number(d.get("Device.Optical.Interface.1.TransmitOpticalLevel"));
    expect(rx).toBeGreaterThanOrEqual(-23100);
    expect(rx).toBeLessThanOrEqual(-16700);
    expect(Math.abs(rx % 2)).toBe(0);
    expect(tx).toBeGreaterThan(1800);
    expect(tx).toBeLessThan(2800);
  });
  it("TR-098 counters are 32-bit and wrap", () => {
    const d = device("router-tr098");
    d.bootTime -= 400 * 86400_000;
    const v = BigInt(d.get("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Stats.EthernetBytesReceived")!);
    expect(v).toBeLessThan(2n ** 32n);
  });
  it("derives per-device factory values from the serial, not from stored copies", () => {
    const a = device("router-tr181");
    const m = MODELS["router-tr181"];
    const b = new DeviceModel(compile(m).template, host, { serial: "HWA000000008", seed: 12345, crPath: "p8" });
    expect(a.get("Device.WiFi.SSID.1.SSID")).toMatch(/^HomeWave-[0-9A-F]{4}$/);
    expect(a.get("Device.WiFi.AccessPoint.1.Security.KeyPassphrase")).not.toBe(b.get("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"));
    expect(a.snapshot()).toEqual({});
  });
});
