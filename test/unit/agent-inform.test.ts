// Inform construction and the pending-event rules of the CPE.

import { describe, expect, it } from "vitest";
import type { ModelHost } from "../../agent/datamodel/device-model.ts";
import { buildInform } from "../../agent/cwmp-client/inform.ts";
import { addEvent, afterFailure, afterReboot, withoutDelivered } from "../../agent/device/events.ts";
import { SimDevice } from "../../agent/drivers/sim/sim-driver.ts";
import { handleAcsRequest } from "../../agent/rpc/dispatch.ts";

const host: ModelHost = {
  now: () => Date.parse("2025-05-01T10:15:30.250Z"),
  crUrl: (d) => `http://127.0.0.1:7547/${d.ident.crPath}`,
  settings: { acsUrl: "http://127.0.0.1:7547/cwmp", username: "", password: "", periodicInterval: 0 },
};
const sim = { delayMs: 0, failureRate: 0, random: Math.random, diagnosticsDelayMs: 0 };
const router = () => new SimDevice("router-tr181", host, { serial: "HWA000000009", seed: 5, crPath: "crp" }, sim);
const names = (i: { parameterList: { name: string }[] }) => i.parameterList.map((p) => p.name);
const E = (eventCode: string, commandKey = "") => ({ eventCode, commandKey });

describe("Inform", () => {
  it("carries DeviceId, events, time without milliseconds, RetryCount and the forced parameters", () => {
    const { inform } = buildInform(router(), [E("1 BOOT")], 3);
    expect(inform.deviceId).toEqual({ manufacturer: "HomeWave Technologies", oui: "A4B1C2", productClass: "HW-AX3000", serialNumber: "HWA000000009" });
    expect(inform.currentTime).toBe("2025-05-01T10:15:30Z");
    expect(inform.retryCount).toBe(3);
    expect(inform.maxEnvelopes).toBe(1);
    expect(inform.events).toEqual([E("1 BOOT")]);
    expect(inform.parameterList).toContainEqual({ name: "Device.ManagementServer.ConnectionRequestURL", value: "http://127.0.0.1:7547/crp", type: "xsd:string" });
    expect(inform.parameterList).toHaveLength(7);
  });

  it("reports local changes of notified parameters once, with 4 VALUE CHANGE; not the ACS's own changes", () => {
    const dev = router();
    const d = dev.model;
    handleAcsRequest(d, { kind: "SetParameterAttributes", parameterList: [{ name: "Device.WiFi.SSID.1.SSID", notificationChange: true, notification: 1, accessListChange: false, accessList: [] }] });
    expect(buildInform(dev, [], 0).inform.events).toEqual([]);
    // The ACS sets it: no notification back.
    handleAcsRequest(d, { kind: "SetParameterValues", parameterList: [{ name: "Device.WiFi.SSID.1.SSID", value: "ByAcs", type: "xsd:string" }], parameterKey: "" });
    expect(buildInform(dev, [], 0).changed).toEqual([]);
    // The user sets it: reported.
    d.set("Device.WiFi.SSID.1.SSID", "ByUser");
    const built = buildInform(dev, [E("2 PERIODIC")], 0);
    expect(built.inform.events).toEqual([E("2 PERIODIC"), E("4 VALUE CHANGE")]);
    expect(names(built.inform)).toContain("Device.WiFi.SSID.1.SSID");
    expect(built.changed).toEqual([["Device.WiFi.SSID.1.SSID", "ByUser"]]);
  });

  it("reports a new SoftwareVersion (forced active notification)", () => {
    const dev = router();
    buildInform(dev, [], 0);
    dev.model.set("Device.DeviceInfo.SoftwareVersion", "3.3.0");
    expect(buildInform(dev, [E("1 BOOT")], 0).inform.events.map((e) => e.eventCode)).toEqual(["1 BOOT", "4 VALUE CHANGE"]);
  });

  it("adds enabled InformParameter entries whose EventList matches", () => {
    const dev = router();
    const d = dev.model;
    for (let i = 0; i < 2; i++) handleAcsRequest(d, { kind: "AddObject", objectName: "Device.ManagementServer.InformParameter.", parameterKey: "" });
    const set = (name: string, value: string, type: "xsd:string" | "xsd:boolean" = "xsd:string") => ({ name: `Device.ManagementServer.InformParameter.${name}`, value, type });
    handleAcsRequest(d, {
      kind: "SetParameterValues",
      parameterKey: "",
      parameterList: [
        set("1.Enable", "true", "xsd:boolean"), set("1.ParameterName", "Device.WiFi.Radio.1.Channel"),
        set("2.Enable", "true", "xsd:boolean"), set("2.ParameterName", "Device.DeviceInfo.UpTime"), set("2.EventList", "1 BOOT"),
      ],
    });
    expect(names(buildInform(dev, [E("2 PERIODIC")], 0).inform)).toContain("Device.WiFi.Radio.1.Channel");
    expect(names(buildInform(dev, [E("2 PERIODIC")], 0).inform)).not.toContain("Device.DeviceInfo.UpTime");
    expect(names(buildInform(dev, [E("1 BOOT")], 0).inform)).toContain("Device.DeviceInfo.UpTime");
  });
});

describe("pending events", () => {
  it("keeps single events once and M events once per CommandKey, in Inform order", () => {
    let l = addEvent([], "M Reboot", "a");
    l = addEvent(l, "1 BOOT");
    l = addEvent(l, "1 BOOT");
    l = addEvent(l, "M Reboot", "a");
    l = addEvent(l, "M Download", "b");
    l = addEvent(l, "0 BOOTSTRAP");
    expect(l).toEqual([E("0 BOOTSTRAP"), E("1 BOOT"), E("M Reboot", "a"), E("M Download", "b")]);
  });
  it("never retries 6 CONNECTION REQUEST; drops transient events on reboot", () => {
    const l = [E("0 BOOTSTRAP"), E("1 BOOT"), E("4 VALUE CHANGE"), E("6 CONNECTION REQUEST"), E("7 TRANSFER COMPLETE"), E("M Download", "x")];
    expect(afterFailure(l).map((e) => e.eventCode)).toEqual(["0 BOOTSTRAP", "1 BOOT", "4 VALUE CHANGE", "7 TRANSFER COMPLETE", "M Download"]);
    expect(afterReboot(l).map((e) => e.eventCode)).toEqual(["0 BOOTSTRAP", "7 TRANSFER COMPLETE", "M Download"]);
    expect(withoutDelivered([...l, E("2 PERIODIC")], l)).toEqual([E("2 PERIODIC")]);
  });
});
