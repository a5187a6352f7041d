// The agent's CWMP client against a scripted CWMP peer on 127.0.0.1: session
// flow, events, cookies, Digest, retries, HoldRequests, power cuts.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Inform } from "../../acs/cwmp/messages.ts";
import { startFleet, type Fleet, type FleetOptions } from "../../agent/fleet/fleet.ts";
import { startScriptedAcs, type ScriptedAcs, type ScriptOptions } from "./fixtures/scripted-acs.ts";

const AUTH = { username: "cpe-boot", password: "boot-secret" };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(script: ScriptOptions = {}, fleet: Partial<FleetOptions> = {}): Promise<{ acs: ScriptedAcs; fleet: Fleet; stateDir: string }> {
  const acs = await startScriptedAcs({ auth: AUTH, ...script });
  cleanups.push(() => acs.close());
  const stateDir = mkdtempSync(join(tmpdir(), "agent-it-"));
  cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const f = await startFleet({ acsUrl: acs.url, count: 1, model: "router-tr181", stateDir, ...AUTH, seed: 42, ...fleet });
  cleanups.push(() => f.stop());
  return { acs, fleet: f, stateDir };
}

const codes = (i: Inform): string[] => i.events.map((e) => (e.commandKey ? `${e.eventCode}:${e.commandKey}` : e.eventCode));
const param = (i: Inform, name: string): string | undefined => i.parameterList.find((p) => p.name === name)?.value;

describe("CWMP session", () => {
  it("first contact: 0 BOOTSTRAP + 1 BOOT, forced parameters, cookie replayed, empty POST, requests answered", async () => {
    const { acs, fleet } = await setup({ script: () => [{ kind: "GetParameterValues", parameterNames: ["Device.WiFi.SSID.1.SSID"] }] });
    const dev = fleet.devices[0]!;
    const r = await dev.boot();
    expect(r).toMatchObject({ ok: true, rpcs: 1 });
    const s = acs.sessions[0]!;
    expect(s.namespace).toBe("urn:dslforum-org:cwmp-1-2");
    expect(codes(s.inform)).toEqual(["0 BOOTSTRAP", "1 BOOT"]);
    expect(s.inform.deviceId).toEqual({ manufacturer: "HomeWave Technologies", oui: "A4B1C2", productClass: "HW-AX3000", serialNumber: "HWA000000001" });
    expect(s.inform.retryCount).toBe(0);
    expect(s.inform.maxEnvelopes).toBe(1);
    expect(param(s.inform, "Device.ManagementServer.ConnectionRequestURL")).toBe(dev.connectionRequestUrl);
    expect(dev.connectionRequestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{12}$/);
    expect(param(s.inform, "Device.DeviceInfo.SoftwareVersion")).toBe("3.2.14");
    expect(s.emptyPosts).toBe(1);
    expect(s.cookies.length).toBe(2);
    expect(s.cookies.every((c) => c === "session=s1")).toBe(true);
    expect(s.messages[0]).toEqual({ kind: "GetParameterValuesResponse", parameterList: [{ name: "Device.WiFi.SSID.1.SSID", value: dev.getValue("Device.WiFi.SSID.1.SSID"), type: "xsd:string" }] });
  });

  it("after a restart: 1 BOOT only (bootstrap state persisted)", async () => {
    const { acs, fleet } = await setup();
    const dev = fleet.devices[0]!;
    await dev.boot();
    expect((await dev.restart()).ok).toBe(true);
    expect(codes(acs.sessions[1]!.inform)).toEqual(["1 BOOT"]);
    await dev.inform("2 PERIODIC");
    expect(codes(acs.sessions[2]!.inform)).toEqual(["2 PERIODIC"]);
  });

  it("Digest: answers the first challenge, then reuses the nonce with an increasing nc", async () => {
    const { acs, fleet } = await setup({ script: () => [{ kind: "GetRPCMethods" }, { kind: "GetRPCMethods" }] });
    const dev = fleet.devices[0]!;
    await dev.boot();
    await dev.inform();
    await dev.inform();
    // 3 sessions x (Inform + empty POST + 2 responses) = 12 authorised POSTs, and one 401 at the very start.
    expect(acs.stats.challenges).toBe(1);
    expect(acs.stats.posts).toBe(13);
  });

  it("wrong credentials: the session fails with 401 and RetryCount counts the failures", async () => {
    const { acs, fleet } = await setup({}, { password: "wrong" });
    const dev = fleet.devices[0]!;
    const r = await dev.boot();
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/401/);
    expect((await dev.inform()).ok).toBe(false);
    acs.setAuth(undefined);
    expect((await dev.inform()).ok).toBe(true);
    const s = acs.sessions[0]!;
    expect(s.inform.retryCount).toBe(2);
    // Undelivered events are kept for the retry.
    expect(codes(s.inform)).toEqual(["0 BOOTSTRAP", "1 BOOT", "2 PERIODIC"]);
  });

  it("retries a failed session by itself after the back-off, with RetryCount", async () => {
    const { acs, fleet } = await setup({ failInforms: 1 }, { retry: true });
    const dev = fleet.devices[0]!;
    // 1 s minimum wait so the retry comes within 1-2 s.
    await dev.setLocalValue("Device.ManagementServer.CWMPRetryMinimumWaitInterval", "1");
    const r = await dev.boot();
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/503/) });
    await acs.waitForSessions(1);
    expect(acs.sessions[0]!.inform.retryCount).toBe(1);
    expect(codes(acs.sessions[0]!.inform)).toEqual(["0 BOOTSTRAP", "1 BOOT"]);
  });

  it("informs periodically with 2 PERIODIC", async () => {
    const { acs, fleet } = await setup({}, { periodicInterval: 1 });
    await fleet.devices[0]!.boot();
    await acs.waitForSessions(3);
    expect(codes(acs.sessions[1]!.inform)).toEqual(["2 PERIODIC"]);
    expect(codes(acs.sessions[2]!.inform)).toEqual(["2 PERIODIC"]);
    expect(param(acs.sessions[1]!.inform, "Device.ManagementServer.ParameterKey")).toBe("");
  });

  it("resends the Inform on fault 8005 and ends on an empty 200 too", async () => {
    const { acs, fleet } = await setup({ retryFirstInform: true, endWith200: true });
    const r = await fleet.devices[0]!.boot();
    expect(r.ok).toBe(true);
    expect(acs.sessions).toHaveLength(1);
  });

  it("answers a method it does not offer with fault 9000 and goes on", async () => {
    const upload = `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">up-1</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:Upload><CommandKey>k</CommandKey></cwmp:Upload></soap-env:Body></soap-env:Envelope>`;
    const { acs, fleet } = await setup({ script: () => [upload, { kind: "GetRPCMethods" }] });
    expect((await fleet.devices[0]!.boot()).ok).toBe(true);
    expect(acs.sessions[0]!.messages.map((m) => (m.kind === "Fault" ? `Fault ${m.code}` : m.kind))).toEqual(["Fault 9000", "GetRPCMethodsResponse"]);
  });

  it("power cut after the 2nd ACS request: the connection drops, committed changes survive the restart", async () => {
    const ssid = (value: string) => ({ kind: "SetParameterValues" as const, parameterList: [{ name: "Device.WiFi.SSID.1.SSID", value, type: "xsd:string" as const }], parameterKey: value });
    const { acs, fleet } = await setup({ script: (inf) => (codes(inf).includes("2 PERIODIC") ? [ssid("First"), ssid("Second"), { kind: "GetRPCMethods" }] : []) });
    const dev = fleet.devices[0]!;
    await dev.boot();
    const r = await dev.inform("2 PERIODIC", { killAfterAcsRequests: 2 });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/killed/);
    expect(dev.online).toBe(false);
    expect(acs.sessions[1]!.messages.map((m) => m.kind)).toEqual(["SetParameterValuesResponse"]);
    expect((await dev.inform()).ok).toBe(false); // powered off
    expect((await dev.restart()).ok).toBe(true);
    expect(dev.getValue("Device.WiFi.SSID.1.SSID")).toBe("First");
    const boot = acs.sessions.at(-1)!.inform;
    expect(codes(boot)).toEqual(["1 BOOT"]);
    expect(param(boot, "Device.ManagementServer.ParameterKey")).toBe("First");
    expect(boot.retryCount).toBe(0);
  });

  it("speaks cwmp-1-0 with 1/0 booleans for the legacy TR-098 model", async () => {
    const { acs, fleet } = await setup({ script: () => [{ kind: "GetParameterValues", parameterNames: ["InternetGatewayDevice.Time.Enable"] }] }, { model: "router-tr098" });
    await fleet.devices[0]!.boot();
    const s = acs.sessions[0]!;
    expect(s.namespace).toBe("urn:dslforum-org:cwmp-1-0");
    expect(s.inform.deviceId.serialNumber).toBe("OGN000000001");
    expect(param(s.inform, "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress")).toMatch(/^100\./);
    expect(s.messages[0]).toMatchObject({ parameterList: [{ value: "1", type: "xsd:boolean" }] });
  });
});
