// Data model engine: shared templates, per-device overlay, path resolution,
// instances, attributes, persistence snapshots, value syntax.

import { describe, expect, it } from "vitest";
import { DeviceModel, type ModelHost } from "../../agent/datamodel/device-model.ts";
import type { BbfParam } from "../../agent/datamodel/schema.ts";
import { expandRanges, valueOk, zeroValue } from "../../agent/datamodel/values.ts";
import { compile } from "../../agent/drivers/sim/model-spec.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";

const host: ModelHost = {
  now: () => Date.parse("2025-05-01T10:00:00Z"),
  crUrl: () => "http://127.0.0.1:7547/x",
  settings: { acsUrl: "http://127.0.0.1:7547/cwmp", username: "", password: "", periodicInterval: 0 },
};
const router = (serial = "HWA000000001"): DeviceModel =>
  new DeviceModel(compile(MODELS["router-tr181"]).template, host, { serial, seed: 7, crPath: "x" });

describe("path resolution", () => {
  const d = router();
  it("resolves parameters, objects, tables and instances", () => {
    expect(d.resolve("Device.WiFi.SSID.1.SSID")?.kind).toBe("param");
    expect(d.resolve("Device.WiFi.SSID.1.")?.kind).toBe("object");
    expect(d.resolve("Device.WiFi.SSID.")?.kind).toBe("table");
    expect(d.resolve("Device.")?.kind).toBe("object");
  });
  it("rejects what does not exist", () => {
    for (const p of [
      "Device.WiFi.SSID.3.SSID", // no such instance
      "Device.WiFi.SSID.01.SSID", // not a canonical instance number
      "Device.WiFi.SSID.SSID",
      "Device.WiFi.SSID.1.SSID.", // a parameter is not an object
      "Device.WiFi.SSID.1", // an object needs its trailing dot
      "Device.WiFi.Nope.",
      "InternetGatewayDevice.DeviceInfo.",
      "",
    ]) expect(d.resolve(p), p).toBeNull();
  });
  it("visits parameters before child objects, instances in order", () => {
    const seen: string[] = [];
    d.visit(d.resolve("Device.WiFi.SSID.")!, true, (p) => seen.push(p));
    expect(seen[0]).toBe("Device.WiFi.SSID.");
    expect(seen[1]).toBe("Device.WiFi.SSID.1.");
    expect(seen[2]).toBe("Device.WiFi.SSID.1.Enable");
    const stats = seen.indexOf("Device.WiFi.SSID.1.Stats.");
    expect(seen.slice(2, stats).every((p) => !p.endsWith("."))).toBe(true);
    expect(seen.indexOf("Device.WiFi.SSID.2.")).toBeGreaterThan(stats);
  });
  it("expands template paths over the instances", () => {
    const out: string[] = [];
    d.expand("Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress", (p) => out.push(p));
    expect(out).toEqual(["Device.IP.Interface.1.IPv4Address.1.IPAddress", "Device.IP.Interface.2.IPv4Address.1.IPAddress"]);
  });
});

describe("per-device overlay", () => {
  it("shares one template between devices and stores only differences", () => {
    const a = router("HWA000000001");
    const b = router("HWA000000002");
    expect(a.tpl).toBe(b.tpl);
    a.set("Device.WiFi.SSID.1.SSID", "Mine");
    expect(a.get("Device.WiFi.SSID.1.SSID")).toBe("Mine");
    expect(b.get("Device.WiFi.SSID.1.SSID")).not.toBe("Mine");
    expect(a.snapshot()).toEqual({ values: { "Device.WiFi.SSID.1.SSID": "Mine" } });
    // Writing the factory value back leaves nothing stored.
    const r = a.resolve("Device.WiFi.SSID.1.SSID");
    if (r?.kind !== "param") throw new Error("param expected");
    a.set("Device.WiFi.SSID.1.SSID", a.factoryValue(r.node, r.path));
    expect(a.snapshot()).toEqual({});
  });
  it("stores booleans canonically", () => {
    const d = router();
    d.set("Device.WiFi.Radio.1.Enable", "0");
    expect(d.get("Device.WiFi.Radio.1.Enable")).toBe("false");
  });
  it("computes dynamic values instead of storing them", () => {
    const d = router();
    d.bootTime = host.now() - 90_000;
    expect(d.get("Device.DeviceInfo.UpTime")).toBe("90");
    expect(d.get("Device.Time.CurrentLocalTime")).toBe("2025-05-01T10:00:00Z");
    expect(d.get("Device.ManagementServer.ConnectionRequestURL")).toBe("http://127.0.0.1:7547/x");
    expect(d.snapshot()).toEqual({});
  });
  it("adds and deletes instances without reusing numbers, and forgets deleted values", () => {
    const d = router();
    const table = d.resolve("Device.WiFi.SSID.")!;
    if (table.kind !== "table") throw new Error("table expected");
    expect(d.addInstance("Device.WiFi.SSID.", table.node)).toBe(3);
    d.set("Device.WiFi.SSID.3.SSID", "Guest");
    expect(d.get("Device.WiFi.SSIDNumberOfEntries")).toBe("3");
    d.deleteInstance("Device.WiFi.SSID.3.");
    expect(d.get("Device.WiFi.SSID.3.SSID")).toBeUndefined();
    expect(d.addInstance("Device.WiFi.SSID.", table.node)).toBe(4);
    expect(d.get("Device.WiFi.SSID.4.SSID")).toBe("");
    expect(d.snapshot().values).toBeUndefined();
    expect(d.snapshot().tables).toEqual({ "Device.WiFi.SSID.": [[1, 2, 4], 5] });
  });
  it("round-trips through a snapshot and resets to factory", () => {
    const d = router();
    d.set("Device.ManagementServer.PeriodicInformInterval", "600");
    const node = d.resolve("Device.WiFi.SSID.1.SSID")!;
    if (node.kind !== "param") throw new Error("param expected");
    d.setNotification(node.node, "Device.WiFi.SSID.1.SSID", 2);
    const table = d.resolve("Device.IP.Interface.")!;
    if (table.kind === "table") d.addInstance("Device.IP.Interface.", table.node);
    const copy = router();
    copy.restore(JSON.parse(JSON.stringify(d.snapshot())));
    expect(copy.get("Device.ManagementServer.PeriodicInformInterval")).toBe("600");
    expect(copy.notification(node.node, "Device.WiFi.SSID.1.SSID")).toBe(2);
    expect(copy.instanceIds("Device.IP.Interface.")).toEqual([1, 2, 3]);
    copy.factoryReset();
    expect(copy.snapshot()).toEqual({});
    expect(copy.get("Device.ManagementServer.PeriodicInformInterval")).toBe("86400");
  });
  it("lists notified parameters: forced ones by default, ACS-set ones, per instance", () => {
    const d = router();
    const names = d.notified().map(([p, , n]) => `${p}=${n}`);
    expect(names).toContain("Device.DeviceInfo.SoftwareVersion=2");
    expect(names).toContain("Device.ManagementServer.ConnectionRequestURL=2");
  });
});

describe("value syntax", () => {
  const p = (x: Partial<BbfParam>): BbfParam => ({ t: "string", ...x });
  it("checks integer types with BigInt bounds and ranges", () => {
    expect(valueOk(p({ t: "unsignedLong" }), "18446744073709551615")).toBe(true);
    expect(valueOk(p({ t: "unsignedLong" }), "18446744073709551616")).toBe(false);
    expect(valueOk(p({ t: "int" }), "-2147483648")).toBe(true);
    expect(valueOk(p({ t: "int" }), "2147483648")).toBe(false);
    expect(valueOk(p({ t: "unsignedInt" }), "-1")).toBe(false);
    expect(valueOk(p({ t: "unsignedInt" }), "1.5")).toBe(false);
    expect(valueOk(p({ t: "int", r: [[-1, -1], [0, 24]] }), "25")).toBe(false);
    expect(valueOk(p({ t: "int", r: [[-1, -1], [0, 24]] }), "-1")).toBe(true);
  });
  it("checks booleans, dateTime, base64, hexBinary", () => {
    expect(valueOk(p({ t: "boolean" }), "1")).toBe(true);
    expect(valueOk(p({ t: "boolean" }), "yes")).toBe(false);
    expect(valueOk(p({ t: "dateTime" }), "2025-05-01T10:15:30Z")).toBe(true);
    expect(valueOk(p({ t: "dateTime" }), "0001-01-01T00:00:00Z")).toBe(true);
    expect(valueOk(p({ t: "dateTime" }), "2025-13-01T10:15:30Z")).toBe(false);
    expect(valueOk(p({ t: "base64" }), "aGVsbG8=")).toBe(true);
    expect(valueOk(p({ t: "base64" }), "aGVsbG8")).toBe(false);
    expect(valueOk(p({ t: "hexBinary", max: 2 }), "0aFF")).toBe(true);
    expect(valueOk(p({ t: "hexBinary", max: 2 }), "0aFF00")).toBe(false);
  });
  it("checks enumerations, lengths, lists and CPE-only values", () => {
    expect(valueOk(p({ e: ["a", "b"] }), "c")).toBe(false);
    expect(valueOk(p({ min: 8, max: 63 }), "short")).toBe(false);
    expect(valueOk(p({ l: 1, e: ["g", "n", "ax"] }), "g,n")).toBe(true);
    expect(valueOk(p({ l: 1, e: ["g", "n", "ax"] }), "g,ac")).toBe(false);
    expect(valueOk(p({ e: ["None", "Requested", "Complete"], ro: ["None", "Complete"] }), "Complete")).toBe(false);
    expect(valueOk(p({ e: ["None", "Requested", "Complete"], ro: ["None", "Complete"] }), "Complete", undefined, true)).toBe(true);
    expect(valueOk(p({ er: "ModesSupported", nv: "Disabled" }), "Disabled", [])).toBe(true);
  });
  it("gives a sensible zero value and expands channel lists", () => {
    expect(zeroValue(p({ t: "dateTime" }))).toBe("0001-01-01T00:00:00Z");
    expect(zeroValue(p({ t: "unsignedInt", r: [[1, null]] }))).toBe("1");
    expect(expandRanges("1-4,36")).toEqual(["1", "2", "3", "4", "36"]);
  });
});
