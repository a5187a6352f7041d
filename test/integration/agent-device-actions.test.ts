// What a simulated device does after the session, seen by a scripted CWMP
// peer: reboot, factory reset, downloads, scheduled Informs, diagnostics,
// value-change notifications, credentials set by the ACS.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AcsRequest, Download, Inform, ParameterValue } from "../../acs/cwmp/messages.ts";
import { startFleet, type Fleet, type FleetOptions } from "../../agent/fleet/fleet.ts";
import { startScriptedAcs, type ScriptedAcs } from "./fixtures/scripted-acs.ts";

const AUTH = { username: "cpe-boot", password: "boot-secret" };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A peer that sends `plan[n]` in the n-th session (nothing afterwards). */
async function setup(plan: AcsRequest[][], fleet: Partial<FleetOptions> = {}, holdRequests = false): Promise<{ acs: ScriptedAcs; fleet: Fleet }> {
  let n = 0;
  const acs = await startScriptedAcs({ auth: AUTH, holdRequests, script: () => plan[n++] ?? [] });
  cleanups.push(() => acs.close());
  const stateDir = mkdtempSync(join(tmpdir(), "agent-it-"));
  cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const f = await startFleet({ acsUrl: acs.url, count: 1, model: "router-tr181", stateDir, ...AUTH, seed: 7, rebootDelayMs: 10, downloadDelayMs: 10, diagnosticsDelayMs: 10, ...fleet });
  cleanups.push(() => f.stop());
  return { acs, fleet: f };
}

const codes = (i: Inform): string[] => i.events.map((e) => (e.commandKey ? `${e.eventCode}:${e.commandKey}` : e.eventCode));
const param = (i: Inform, name: string): string | undefined => i.parameterList.find((p) => p.name === name)?.value;
const str = (name: string, value: string): ParameterValue => ({ name, value, type: "xsd:string" });
const spv = (list: ParameterValue[], key = "k"): AcsRequest => ({ kind: "SetParameterValues", parameterList: list, parameterKey: key });
const download = (url: string, commandKey = "fw-1"): Download => ({
  kind: "Download", commandKey, fileType: "1 Firmware Upgrade Image", url, username: "", password: "", fileSize: 0, targetFileName: "", delaySeconds: 0, successURL: "", failureURL: "",
});

describe("after-session actions", () => {
  it("Reboot: the session ends, then 1 BOOT + M Reboot with the CommandKey", async () => {
    const { acs, fleet } = await setup([[{ kind: "Reboot", commandKey: "rb-7" }]]);
    expect((await fleet.devices[0]!.boot()).ok).toBe(true);
    await acs.waitForSessions(2);
    expect(acs.sessions[0]!.messages.map((m) => m.kind)).toEqual(["RebootResponse"]);
    expect(codes(acs.sessions[1]!.inform)).toEqual(["1 BOOT", "M Reboot:rb-7"]);
  });

  it("FactoryReset: configuration gone, next Inform is 0 BOOTSTRAP + 1 BOOT with an empty ParameterKey", async () => {
    const { acs, fleet } = await setup([[spv([str("Device.WiFi.SSID.1.SSID", "Custom")], "cfg-1")], [{ kind: "FactoryReset" }]]);
    const dev = fleet.devices[0]!;
    const factorySsid = dev.getValue("Device.WiFi.SSID.1.SSID");
    await dev.boot();
    expect(dev.getValue("Device.WiFi.SSID.1.SSID")).toBe("Custom");
    await dev.inform();
    await acs.waitForSessions(3);
    const boot = acs.sessions[2]!.inform;
    expect(codes(boot)).toEqual(["0 BOOTSTRAP", "1 BOOT"]);
    expect(param(boot, "Device.ManagementServer.ParameterKey")).toBe("");
    expect(dev.getValue("Device.WiFi.SSID.1.SSID")).toBe(factorySsid);
  });

  it("Download (simulated): DownloadResponse 1, reboot, 1 BOOT + 7 TRANSFER COMPLETE + M Download, TransferComplete, new version reported", async () => {
    const { acs, fleet } = await setup([[download("http://fw.flexnet.example/hw-ax3000-3.3.0.bin", "fw-330")]]);
    await fleet.devices[0]!.boot();
    await acs.waitForSessions(2);
    expect(acs.sessions[0]!.messages[0]).toMatchObject({ kind: "DownloadResponse", status: 1 });
    const s = acs.sessions[1]!;
    expect(codes(s.inform)).toEqual(["1 BOOT", "4 VALUE CHANGE", "7 TRANSFER COMPLETE", "M Download:fw-330"]);
    expect(param(s.inform, "Device.DeviceInfo.SoftwareVersion")).toBe("3.3.0");
    expect(s.messages[0]).toMatchObject({ kind: "TransferComplete", commandKey: "fw-330", fault: { faultCode: 0, faultString: "" } });
    expect(s.emptyPosts).toBe(1);
  });

  it("Download failures are reported with 9010/9018 and no reboot", async () => {
    const { acs, fleet } = await setup([[download("http://fw.flexnet.example/bad.bin", "fw-bad")]], { downloadFailureRate: 1 });
    await fleet.devices[0]!.boot();
    await acs.waitForSessions(2);
    const s = acs.sessions[1]!;
    expect(codes(s.inform)).toEqual(["7 TRANSFER COMPLETE", "M Download:fw-bad"]);
    const tc = s.messages[0];
    expect(tc?.kind).toBe("TransferComplete");
    if (tc?.kind === "TransferComplete") expect([9010, 9018]).toContain(tc.fault.faultCode);
    expect(fleet.devices[0]!.getValue("Device.DeviceInfo.SoftwareVersion")).toBe("3.2.14");
  });

  it("Download from a loopback file server is really fetched; a missing file is 9016", async () => {
    const files = createServer((req, res) => {
      if (req.url === "/fw/hw-3.4.1.bin") res.end(Buffer.alloc(4096, 7));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => files.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => files.close(() => r())));
    const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    const { acs, fleet } = await setup([[download(`${base}/fw/missing.bin`, "a")], [], [{ ...download(`${base}/fw/hw-3.4.1.bin`, "b"), fileSize: 4096 }]]);
    const dev = fleet.devices[0]!;
    await dev.boot();
    await acs.waitForSessions(2);
    expect(acs.sessions[1]!.messages[0]).toMatchObject({ kind: "TransferComplete", commandKey: "a", fault: { faultCode: 9016 } });
    await dev.inform();
    await acs.waitForSessions(4);
    expect(acs.sessions[3]!.messages[0]).toMatchObject({ kind: "TransferComplete", commandKey: "b", fault: { faultCode: 0 } });
    expect(dev.getValue("Device.DeviceInfo.SoftwareVersion")).toBe("3.4.1");
  });

  it("HoldRequests: the pending TransferComplete waits for a session where the ACS does not hold it", async () => {
    const { acs, fleet } = await setup([[download("http://fw.flexnet.example/x-1.0.1.bin", "held")]], { downloadFailureRate: 1 }, true);
    await fleet.devices[0]!.boot();
    await acs.waitForSessions(2);
    expect(acs.sessions[1]!.messages.some((m) => m.kind === "TransferComplete")).toBe(false);
    expect(acs.sessions[1]!.emptyPosts).toBe(1);
  });

  it("ScheduleInform: 3 SCHEDULED + M ScheduleInform after the delay", async () => {
    const { acs, fleet } = await setup([[{ kind: "ScheduleInform", delaySeconds: 1, commandKey: "si-1" }]]);
    await fleet.devices[0]!.boot();
    await acs.waitForSessions(2);
    expect(codes(acs.sessions[1]!.inform)).toEqual(["3 SCHEDULED", "M ScheduleInform:si-1"]);
  });

  it("TR-143 download diagnostics: 8 DIAGNOSTICS COMPLETE, then results readable", async () => {
    const D = "Device.IP.Diagnostics.DownloadDiagnostics.";
    const { acs, fleet } = await setup([
      [spv([str(`${D}DownloadURL`, "http://speed.flexnet.example/100MB.bin"), str(`${D}DiagnosticsState`, "Requested")])],
      [{ kind: "GetParameterValues", parameterNames: [D] }],
    ]);
    await fleet.devices[0]!.boot();
    await acs.waitForSessions(2);
    expect(codes(acs.sessions[1]!.inform)).toEqual(["8 DIAGNOSTICS COMPLETE"]);
    const gpv = acs.sessions[1]!.messages[0];
    if (gpv?.kind !== "GetParameterValuesResponse") throw new Error("GPV response expected");
    const v = Object.fromEntries(gpv.parameterList.map((p) => [p.name.slice(D.length), p.value]));
    expect(v.DiagnosticsState).toBe("Complete");
    expect(Number(v.TestBytesReceived)).toBe(100_000_000);
    expect(Date.parse(v.EOMTime!)).toBeGreaterThan(Date.parse(v.BOMTime!));
    expect(v.BOMTime).toMatch(/\.\d{6}Z$/);
    // ~850-980 Mbit/s on this model
    const mbps = (Number(v.TestBytesReceived) * 8) / ((Date.parse(v.EOMTime!) - Date.parse(v.BOMTime!)) / 1000) / 1e6;
    expect(mbps).toBeGreaterThan(700);
    expect(mbps).toBeLessThan(1000);
  });

  it("active notification: a local change starts a 4 VALUE CHANGE session carrying the new value", async () => {
    const attr = (name: string, notification: number): AcsRequest => ({
      kind: "SetParameterAttributes", parameterList: [{ name, notificationChange: true, notification, accessListChange: false, accessList: [] }],
    });
    const { acs, fleet } = await setup([[attr("Device.WiFi.SSID.1.SSID", 2), attr("Device.WiFi.SSID.2.SSID", 1)]]);
    const dev = fleet.devices[0]!;
    await dev.boot();
    await dev.setLocalValue("Device.WiFi.SSID.2.SSID", "Passive-Net");
    await dev.setLocalValue("Device.WiFi.SSID.1.SSID", "Neighbour-Proof");
    await acs.waitForSessions(2);
    const s = acs.sessions[1]!.inform;
    expect(codes(s)).toEqual(["4 VALUE CHANGE"]);
    expect(param(s, "Device.WiFi.SSID.1.SSID")).toBe("Neighbour-Proof");
    // The passive change rides along in the same Inform.
    expect(param(s, "Device.WiFi.SSID.2.SSID")).toBe("Passive-Net");
    await dev.inform();
    expect(param(acs.sessions[2]!.inform, "Device.WiFi.SSID.1.SSID")).toBeUndefined();
  });

  it("credentials set by the ACS are used from then on, across restarts", async () => {
    const { acs, fleet } = await setup([[spv([str("Device.ManagementServer.Username", "cpe-own"), str("Device.ManagementServer.Password", "rotated-pw")])]]);
    const dev = fleet.devices[0]!;
    await dev.boot();
    acs.setAuth({ username: "cpe-own", password: "rotated-pw" });
    expect((await dev.inform()).ok).toBe(true);
    expect((await dev.restart()).ok).toBe(true);
    expect(acs.sessions).toHaveLength(3);
  });
});
