// Every RPC handler of the agent, pure over a simulated device model, with
// each fault code a CPE returns.

import { describe, expect, it } from "vitest";
import type { AcsRequest, CpeResponse, CwmpFault, Download, ParameterValue } from "../../acs/cwmp/messages.ts";
import { DeviceModel, type ModelHost } from "../../agent/datamodel/device-model.ts";
import { compile, type ModelName } from "../../agent/drivers/sim/model-spec.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";
import { handleAcsRequest, RPC_METHODS } from "../../agent/rpc/dispatch.ts";

const host: ModelHost = {
  now: () => Date.parse("2025-05-01T10:00:00Z"),
  crUrl: () => "http://127.0.0.1:7547/x",
  settings: { acsUrl: "http://127.0.0.1:7547/cwmp", username: "", password: "", periodicInterval: 0 },
};
const device = (name: ModelName = "router-tr181"): DeviceModel =>
  new DeviceModel(compile(MODELS[name]).template, host, { serial: "HWA000000001", seed: 7, crPath: "x" });

const rpc = (d: DeviceModel, req: AcsRequest, opts = {}) => handleAcsRequest(d, req, opts);
function fault(r: CpeResponse): CwmpFault {
  if (r.kind !== "Fault") throw new Error(`expected a Fault, got ${r.kind}`);
  return r;
}
function ok<K extends CpeResponse["kind"]>(r: CpeResponse, kind: K): Extract<CpeResponse, { kind: K }> {
  if (r.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(r)}`);
  return r as Extract<CpeResponse, { kind: K }>;
}
const gpv = (d: DeviceModel, ...names: string[]) => rpc(d, { kind: "GetParameterValues", parameterNames: names }).response;
const spv = (d: DeviceModel, list: ParameterValue[], key = "key-1") => rpc(d, { kind: "SetParameterValues", parameterList: list, parameterKey: key });
const str = (name: string, value: string): ParameterValue => ({ name, value, type: "xsd:string" });
const KEY = "Device.ManagementServer.ParameterKey";

describe("GetParameterValues", () => {
  it("returns typed values for names and whole subtrees for partial paths", () => {
    const d = device();
    const r = ok(gpv(d, "Device.WiFi.Radio.1.Channel", "Device.WiFi.SSID.1."), "GetParameterValuesResponse");
    expect(r.parameterList[0]).toEqual({ name: "Device.WiFi.Radio.1.Channel", value: "6", type: "xsd:unsignedInt" });
    const names = r.parameterList.map((p) => p.name);
    expect(names).toContain("Device.WiFi.SSID.1.SSID");
    expect(names).toContain("Device.WiFi.SSID.1.Stats.BytesSent");
    expect(names.every((n) => n === "Device.WiFi.Radio.1.Channel" || n.startsWith("Device.WiFi.SSID.1."))).toBe(true);
    expect(r.parameterList.find((p) => p.name === "Device.WiFi.SSID.1.Stats.BytesSent")?.type).toBe("xsd:unsignedLong");
  });
  it("reads secured and hidden parameters back as empty strings", () => {
    const d = device();
    expect(ok(gpv(d, "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"), "GetParameterValuesResponse").parameterList[0]!.value).toBe("");
    expect(d.get("Device.WiFi.AccessPoint.1.Security.KeyPassphrase")).toMatch(/^[a-z2-9]{12}$/);
    const t = device("router-tr098");
    const v = ok(gpv(t, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase"), "GetParameterValuesResponse");
    expect(v.parameterList[0]!.value).toBe("");
  });
  it("answers 9005 for an unknown name or instance", () => {
    expect(fault(gpv(device(), "Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.7.SSID")).code).toBe(9005);
    expect(fault(gpv(device(), "Device.Nope")).code).toBe(9005);
  });
  it("reports booleans as 1/0 for legacy models that do", () => {
    const d = device("router-tr098");
    const r = handleAcsRequest(d, { kind: "GetParameterValues", parameterNames: ["InternetGatewayDevice.Time.Enable"] }, { booleanDigits: true });
    expect(ok(r.response, "GetParameterValuesResponse").parameterList[0]).toEqual({ name: "InternetGatewayDevice.Time.Enable", value: "1", type: "xsd:boolean" });
  });
});

describe("SetParameterValues", () => {
  it("applies every value, sets ParameterKey, reports the changed names", () => {
    const d = device();
    const out = spv(d, [str("Device.WiFi.SSID.1.SSID", "Home"), { name: "Device.WiFi.Radio.1.Channel", value: "11", type: "xsd:unsignedInt" }], "wifi-01");
    expect(ok(out.response, "SetParameterValuesResponse").status).toBe(0);
    expect(out.changed).toEqual(["Device.WiFi.SSID.1.SSID", "Device.WiFi.Radio.1.Channel"]);
    expect(out.mutated).toBe(true);
    expect(d.get("Device.WiFi.SSID.1.SSID")).toBe("Home");
    expect(d.get(KEY)).toBe("wifi-01");
  });

  const cases: [string, ParameterValue, number][] = [
    ["unknown name", str("Device.WiFi.SSID.1.Nope", "x"), 9005],
    ["object path", str("Device.WiFi.SSID.1.", "x"), 9005],
    ["missing instance", str("Device.WiFi.SSID.9.SSID", "x"), 9005],
    ["wrong xsi:type", { name: "Device.WiFi.SSID.1.SSID", value: "1", type: "xsd:int" }, 9006],
    ["not a number", { name: "Device.WiFi.Radio.1.Channel", value: "six", type: "xsd:unsignedInt" }, 9007],
    ["out of range", { name: "Device.WiFi.Radio.1.Channel", value: "300", type: "xsd:unsignedInt" }, 9007],
    ["channel not in PossibleChannels", { name: "Device.WiFi.Radio.1.Channel", value: "36", type: "xsd:unsignedInt" }, 9007],
    ["passphrase too short", str("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "short"), 9007],
    ["SSID too long", str("Device.WiFi.SSID.1.SSID", "x".repeat(33)), 9007],
    ["mode not in ModesSupported", str("Device.WiFi.AccessPoint.1.Security.ModeEnabled", "WEP-64"), 9007],
    ["enumeration", str("Device.Ethernet.Interface.2.DuplexMode", "Quarter"), 9007],
    ["CPE-only state", str("Device.IP.Diagnostics.DownloadDiagnostics.DiagnosticsState", "Complete"), 9007],
    ["bad boolean", { name: "Device.WiFi.SSID.1.Enable", value: "yes", type: "xsd:boolean" }, 9007],
    ["read-only", str("Device.DeviceInfo.SerialNumber", "X"), 9008],
    ["ParameterKey is read-only", str(KEY, "X"), 9008],
  ];
  it.each(cases)("rejects %s with a %s fault inside 9003", (_label, pv, code) => {
    const d = device();
    const f = fault(spv(d, [pv]).response);
    expect(f.code).toBe(9003);
    expect(f.faultCode).toBe("Client");
    expect(f.setParameterValuesFaults).toEqual([{ parameterName: pv.name, faultCode: code, faultString: expect.any(String) }]);
  });

  it("is all or nothing: one bad value and nothing changes, ParameterKey included", () => {
    const d = device();
    const before = d.get("Device.WiFi.SSID.1.SSID");
    const out = spv(d, [str("Device.WiFi.SSID.1.SSID", "Changed"), str("Device.DeviceInfo.Manufacturer", "X"), str("Device.WiFi.SSID.2.Nope", "x")], "k2");
    const f = fault(out.response);
    expect(f.setParameterValuesFaults.map((x) => [x.parameterName, x.faultCode])).toEqual([
      ["Device.DeviceInfo.Manufacturer", 9008],
      ["Device.WiFi.SSID.2.Nope", 9005],
    ]);
    expect(out.mutated).toBe(false);
    expect(d.get("Device.WiFi.SSID.1.SSID")).toBe(before);
    expect(d.get(KEY)).toBe("");
  });
  it("rejects a parameter named twice with 9003", () => {
    const f = fault(spv(device(), [str("Device.WiFi.SSID.1.SSID", "a"), str("Device.WiFi.SSID.1.SSID", "b")]).response);
    expect(f.code).toBe(9003);
    expect(f.setParameterValuesFaults).toEqual([]);
  });
  it("accepts the enumerationRef null value and valid ModeEnabled values", () => {
    const d = device();
    expect(spv(d, [str("Device.ManagementServer.HTTPCompression", "Disabled"), str("Device.WiFi.AccessPoint.1.Security.ModeEnabled", "WPA3-Personal")]).response.kind).toBe("SetParameterValuesResponse");
  });
});

describe("GetParameterNames", () => {
  const gpn = (d: DeviceModel, parameterPath: string, nextLevel: boolean) => rpc(d, { kind: "GetParameterNames", parameterPath, nextLevel }).response;
  it("NextLevel=true lists direct children with object writability", () => {
    const r = ok(gpn(device(), "Device.WiFi.", true), "GetParameterNamesResponse");
    const byName = Object.fromEntries(r.parameterList.map((p) => [p.name, p.writable]));
    expect(byName["Device.WiFi.RadioNumberOfEntries"]).toBe(false);
    expect(byName["Device.WiFi.Radio."]).toBe(false); // fixed radios
    expect(byName["Device.WiFi.SSID."]).toBe(true); // AddObject allowed
    expect(Object.keys(byName).some((n) => n.startsWith("Device.WiFi.SSID.1"))).toBe(false);
    const inst = ok(gpn(device(), "Device.WiFi.SSID.", true), "GetParameterNamesResponse");
    expect(inst.parameterList).toEqual([{ name: "Device.WiFi.SSID.1.", writable: true }, { name: "Device.WiFi.SSID.2.", writable: true }]);
  });
  it("NextLevel=false lists the object itself and everything below", () => {
    const r = ok(gpn(device(), "Device.WiFi.AccessPoint.1.Security.", false), "GetParameterNamesResponse");
    expect(r.parameterList[0]).toEqual({ name: "Device.WiFi.AccessPoint.1.Security.", writable: false });
    expect(r.parameterList).toContainEqual({ name: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", writable: true });
    expect(r.parameterList).toContainEqual({ name: "Device.WiFi.AccessPoint.1.Security.ModesSupported", writable: false });
  });
  it("handles the empty path and single parameters", () => {
    expect(ok(gpn(device(), "", true), "GetParameterNamesResponse").parameterList).toEqual([{ name: "Device.", writable: false }]);
    expect(ok(gpn(device(), "Device.DeviceInfo.UpTime", false), "GetParameterNamesResponse").parameterList).toEqual([{ name: "Device.DeviceInfo.UpTime", writable: false }]);
  });
  it("faults 9005 on unknown paths and 9003 on NextLevel=true for a parameter", () => {
    expect(fault(gpn(device(), "Device.Bogus.", false)).code).toBe(9005);
    expect(fault(gpn(device(), "Device.DeviceInfo.UpTime", true)).code).toBe(9003);
  });
});

describe("Get/SetParameterAttributes", () => {
  const gpa = (d: DeviceModel, ...names: string[]) => ok(rpc(d, { kind: "GetParameterAttributes", parameterNames: names }).response, "GetParameterAttributesResponse").parameterList;
  const spa = (d: DeviceModel, name: string, notification: number, accessList?: string[]) =>
    rpc(d, { kind: "SetParameterAttributes", parameterList: [{ name, notificationChange: true, notification, accessListChange: accessList !== undefined, accessList: accessList ?? [] }] });
  it("reports defaults: forced active notification, off elsewhere", () => {
    const d = device();
    expect(gpa(d, "Device.DeviceInfo.SoftwareVersion")).toEqual([{ name: "Device.DeviceInfo.SoftwareVersion", notification: 2, accessList: [] }]);
    expect(gpa(d, "Device.WiFi.SSID.1.SSID")[0]!.notification).toBe(0);
  });
  it("sets notification and access lists, on one parameter or a subtree", () => {
    const d = device();
    const out = spa(d, "Device.WiFi.SSID.1.SSID", 1, ["Subscriber"]);
    expect(out.response.kind).toBe("SetParameterAttributesResponse");
    expect(out.mutated).toBe(true);
    expect(gpa(d, "Device.WiFi.SSID.1.SSID")).toEqual([{ name: "Device.WiFi.SSID.1.SSID", notification: 1, accessList: ["Subscriber"] }]);
    spa(d, "Device.WiFi.SSID.2.", 2);
    const sub = gpa(d, "Device.WiFi.SSID.2.");
    expect(sub.find((a) => a.name === "Device.WiFi.SSID.2.SSID")?.notification).toBe(2);
    // Counters (canDeny) keep their level when a subtree is switched to active.
    expect(sub.find((a) => a.name === "Device.WiFi.SSID.2.Stats.BytesSent")?.notification).toBe(0);
  });
  it("faults 9009, 9003 and 9005", () => {
    expect(fault(spa(device(), "Device.DeviceInfo.SoftwareVersion", 0).response).code).toBe(9009);
    expect(fault(spa(device(), "Device.DeviceInfo.UpTime", 2).response).code).toBe(9009);
    expect(fault(spa(device(), "Device.WiFi.SSID.1.SSID", 4).response).code).toBe(9009);
    expect(fault(spa(device(), "Device.WiFi.SSID.1.SSID", 7).response).code).toBe(9003);
    expect(fault(spa(device(), "Device.WiFi.SSID.1.SSID", 1, ["Everybody"]).response).code).toBe(9003);
    expect(fault(spa(device(), "Device.WiFi.SSID.5.SSID", 1).response).code).toBe(9005);
    expect(fault(rpc(device(), { kind: "GetParameterAttributes", parameterNames: ["Device.X."] }).response).code).toBe(9005);
  });
});

describe("AddObject / DeleteObject", () => {
  const add = (d: DeviceModel, objectName: string, parameterKey = "") => rpc(d, { kind: "AddObject", objectName, parameterKey });
  const del = (d: DeviceModel, objectName: string, parameterKey = "") => rpc(d, { kind: "DeleteObject", objectName, parameterKey });
  it("creates instances with fresh numbers and updates NumberOfEntries and ParameterKey", () => {
    const d = device();
    expect(ok(add(d, "Device.WiFi.SSID.", "add-1").response, "AddObjectResponse")).toEqual({ kind: "AddObjectResponse", instanceNumber: 3, status: 0 });
    expect(d.get(KEY)).toBe("add-1");
    expect(d.get("Device.WiFi.SSIDNumberOfEntries")).toBe("3");
    expect(d.get("Device.WiFi.SSID.3.Enable")).toBe("false"); // BBF default for a new SSID
    expect(ok(del(d, "Device.WiFi.SSID.3.", "del-1").response, "DeleteObjectResponse").status).toBe(0);
    expect(d.get(KEY)).toBe("del-1");
    expect(ok(add(d, "Device.WiFi.SSID.").response, "AddObjectResponse").instanceNumber).toBe(4);
    expect(ok(add(d, "Device.ManagementServer.InformParameter.").response, "AddObjectResponse").instanceNumber).toBe(1);
  });
  it("faults 9005 on bad paths, fixed tables and missing instances", () => {
    const d = device();
    for (const p of ["Device.WiFi.Radio.", "Device.WiFi.SSID", "Device.WiFi.SSID.1.", "Device.Bogus.", "Device.DeviceInfo."]) {
      expect(fault(add(d, p).response).code, p).toBe(9005);
    }
    for (const p of ["Device.WiFi.SSID.9.", "Device.WiFi.Radio.1.", "Device.WiFi.SSID.", "Device.WiFi.SSID.1"]) {
      expect(fault(del(d, p).response).code, p).toBe(9005);
    }
    expect(d.get(KEY)).toBe("");
  });
});

describe("device control and dispatch", () => {
  const dl = (url: string, fileType = "1 Firmware Upgrade Image"): Download => ({
    kind: "Download", commandKey: "fw-1", fileType, url, username: "", password: "", fileSize: 0, targetFileName: "", delaySeconds: 0, successURL: "", failureURL: "",
  });
  it("lists the supported methods", () => {
    expect(ok(rpc(device(), { kind: "GetRPCMethods" }).response, "GetRPCMethodsResponse").methodList).toEqual([...RPC_METHODS]);
  });
  it("defers Reboot, FactoryReset, Download and ScheduleInform to after the session", () => {
    const d = device();
    expect(rpc(d, { kind: "Reboot", commandKey: "rb" })).toMatchObject({ response: { kind: "RebootResponse" }, action: { kind: "reboot", commandKey: "rb" }, mutated: true });
    expect(rpc(d, { kind: "FactoryReset" })).toMatchObject({ response: { kind: "FactoryResetResponse" }, action: { kind: "factoryReset" } });
    expect(rpc(d, { kind: "ScheduleInform", delaySeconds: 30, commandKey: "si" })).toMatchObject({ action: { kind: "scheduleInform", delaySeconds: 30, commandKey: "si" } });
    const out = rpc(d, dl("http://fw.example.net/hw-3.2.15.bin"));
    expect(out.response).toEqual({ kind: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" });
    expect(out.action?.kind).toBe("download");
  });
  it("refuses downloads it cannot do", () => {
    expect(fault(rpc(device(), dl("tftp://fw.example.net/x.bin")).response).code).toBe(9013);
    expect(fault(rpc(device(), dl("http://fw.example.net/x.bin", "9 Something")).response).code).toBe(9003);
    expect(fault(handleAcsRequest(device(), dl("http://fw.example.net/x.bin"), { pendingTransfers: 16 }).response).code).toBe(9004);
  });
  it("answers methods it does not implement with 9000", () => {
    const f = fault(rpc(device(), { kind: "Upload" } as unknown as AcsRequest).response);
    expect(f).toMatchObject({ code: 9000, faultCode: "Server" });
  });
});
