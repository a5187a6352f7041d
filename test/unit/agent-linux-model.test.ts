// The linux driver's TR-181 model over a sysfs tree laid out like
// /sys/class/net (a temp folder here; the netns integration test uses the
// real one): values, what is writable, Wi-Fi commits, agent-measured rates.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AcsRequest, CpeResponse, ParameterValue } from "../../acs/cwmp/messages.ts";
import type { ModelHost } from "../../agent/datamodel/device-model.ts";
import { buildLinuxTemplate } from "../../agent/drivers/linux/linux-model.ts";
import { LinuxDevice } from "../../agent/drivers/linux/linux-driver.ts";
import { InterfaceRates } from "../../agent/drivers/linux/rates.ts";
import { NetInterfaces } from "../../agent/drivers/linux/sysfs.ts";
import { WifiConfig } from "../../agent/drivers/linux/wifi/backend.ts";
import { wifiModel } from "../../agent/drivers/linux/wifi/wifi-model.ts";
import { handleAcsRequest } from "../../agent/rpc/dispatch.ts";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flx-linux-model-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function netdev(name: string, attrs: Record<string, string>, stats: Record<string, string> = {}): void {
  const d = join(dir, "net", name);
  mkdirSync(join(d, "statistics"), { recursive: true });
  for (const [k, v] of Object.entries({ ifindex: "2", ...attrs })) writeFileSync(join(d, k), `${v}\n`);
  for (const [k, v] of Object.entries(stats)) writeFileSync(join(d, "statistics", k), `${v}\n`);
}

function setup() {
  netdev("eth0", { operstate: "up", flags: "0x1003", carrier: "1", speed: "1000", duplex: "full", address: "0a:1b:2c:3d:4e:5f", mtu: "1500" }, { rx_bytes: "18446744073709551000", tx_bytes: "42", rx_packets: "7" });
  netdev("lan1", { operstate: "down", flags: "0x1002", address: "0a:1b:2c:3d:4e:60", mtu: "1500" });
  netdev("br-lan", { operstate: "up", flags: "0x1003", carrier: "1", address: "0a:1b:2c:3d:4e:61", mtu: "1500" });
  const conf = join(dir, "wlan0.conf");
  writeFileSync(conf, "interface=wlan0\nhw_mode=g\nchannel=6\nssid=Home\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=first-secret\n");
  const nets = new NetInterfaces(join(dir, "net"));
  const rates = new InterfaceRates(nets, ["eth0", "lan1", "br-lan"]);
  const wifi = WifiConfig.open({ backend: "hostapd", hostapd: [{ file: conf }], uciFile: join(dir, "none"), reloadCommand: `echo >> ${join(dir, "reloads")}`, reloadTimeoutS: 5 }, () => undefined)!;
  const wm = wifiModel(wifi, nets);
  const identity = { manufacturer: "ACME", oui: "0A1B2C", productClass: "R1", modelName: "R1", hardwareVersion: "A", softwareVersion: "1.2.3", serial: "SN1", mac: "0A:1B:2C:3D:4E:5F" };
  const template = buildLinuxTemplate({
    identity,
    layout: { ethernet: [{ name: "eth0", upstream: true }, { name: "lan1", upstream: false }], ip: [{ name: "eth0", lowerLayers: "Device.Ethernet.Interface.1" }, { name: "br-lan", lowerLayers: "Device.Ethernet.Interface.2" }] },
    nets,
    rates,
    uptime: () => 4242,
    ipv4: (n) => (n === "eth0" ? { address: "10.9.0.2", netmask: "255.255.255.252" } : undefined),
    wifi: wm,
  });
  const host: ModelHost = { now: Date.now, crUrl: () => "http://10.9.0.2:7547/x", settings: { acsUrl: "http://acs/", username: "u", password: "p", periodicInterval: 300 } };
  const drv = new LinuxDevice(host, { serial: "SN1", seed: 0, crPath: "x" }, { identity, template, wifi: wm, commands: { timeoutS: 5 }, informExtra: [] });
  return { drv, conf, rates };
}

const rpc = (drv: LinuxDevice, req: AcsRequest): CpeResponse => handleAcsRequest(drv.model, req).response;
function values(drv: LinuxDevice, names: string[]): Record<string, string> {
  const r = rpc(drv, { kind: "GetParameterValues", parameterNames: names });
  if (r.kind !== "GetParameterValuesResponse") throw new Error(JSON.stringify(r));
  return Object.fromEntries(r.parameterList.map((p) => [p.name, p.value]));
}
const pv = (name: string, value: string, type: ParameterValue["type"] = "xsd:string"): ParameterValue => ({ name, value, type });

describe("linux TR-181 model", () => {
  it("reads interfaces from sysfs: status, speed, MAC, exact 64-bit counters, WAN/LAN roles", () => {
    const { drv } = setup();
    const v = values(drv, ["Device.Ethernet.", "Device.IP.Interface.1.", "Device.DeviceInfo.UpTime"]);
    expect(v).toMatchObject({
      "Device.Ethernet.InterfaceNumberOfEntries": "2",
      "Device.Ethernet.Interface.1.Name": "eth0",
      "Device.Ethernet.Interface.1.Upstream": "true",
      "Device.Ethernet.Interface.1.Status": "Up",
      "Device.Ethernet.Interface.1.CurrentBitRate": "1000",
      "Device.Ethernet.Interface.1.DuplexMode": "Full",
      "Device.Ethernet.Interface.1.MACAddress": "0A:1B:2C:3D:4E:5F",
      "Device.Ethernet.Interface.1.Stats.BytesReceived": "18446744073709551000",
      "Device.Ethernet.Interface.1.Stats.BytesSent": "42",
      "Device.Ethernet.Interface.2.Upstream": "false",
      "Device.Ethernet.Interface.2.Status": "Down",
      "Device.Ethernet.Interface.2.Enable": "false",
      "Device.Ethernet.Interface.2.CurrentBitRate": "0",
      "Device.IP.Interface.1.IPv4Address.1.IPAddress": "10.9.0.2",
      "Device.IP.Interface.1.LowerLayers": "Device.Ethernet.Interface.1",
      "Device.IP.Interface.1.Stats.PacketsReceived": "7",
      "Device.DeviceInfo.UpTime": "4242",
    });
  });

  it("offers as writable only what it applies: Ethernet and IP settings are read-only", () => {
    const { drv } = setup();
    const r = rpc(drv, { kind: "SetParameterValues", parameterList: [pv("Device.Ethernet.Interface.1.Enable", "false", "xsd:boolean"), pv("Device.IP.Interface.1.Name", "x")], parameterKey: "k" });
    expect(r).toMatchObject({ kind: "Fault", code: 9003, setParameterValuesFaults: [{ faultCode: 9008 }, { faultCode: 9008 }] });
    expect(rpc(drv, { kind: "AddObject", objectName: "Device.IP.Interface.", parameterKey: "k" })).toMatchObject({ kind: "Fault", code: 9005 });
    const names = rpc(drv, { kind: "GetParameterNames", parameterPath: "Device.WiFi.SSID.1.", nextLevel: true });
    if (names.kind !== "GetParameterNamesResponse") throw new Error("GPN");
    expect(names.parameterList.filter((p) => p.writable).map((p) => p.name)).toEqual(["Device.WiFi.SSID.1.SSID"]);
  });

  it("Wi-Fi: values come from the hostapd file; a set is written there and read back from it", async () => {
    const { drv, conf } = setup();
    expect(values(drv, ["Device.WiFi.SSID.1.SSID", "Device.WiFi.Radio.1.Channel", "Device.WiFi.AccessPoint.1.Security.ModeEnabled"])).toEqual({
      "Device.WiFi.SSID.1.SSID": "Home",
      "Device.WiFi.Radio.1.Channel": "6",
      "Device.WiFi.AccessPoint.1.Security.ModeEnabled": "WPA2-Personal",
    });
    const out = handleAcsRequest(drv.model, {
      kind: "SetParameterValues",
      parameterList: [pv("Device.WiFi.SSID.1.SSID", "Office"), pv("Device.WiFi.Radio.1.Channel", "11", "xsd:unsignedInt")],
      parameterKey: "wifi-1",
    });
    expect(out.response.kind).toBe("SetParameterValuesResponse");
    expect(await drv.commit(out.changed!)).toBeUndefined();
    expect(readFileSync(conf, "utf8")).toMatch(/^ssid=Office$/m);
    expect(readFileSync(conf, "utf8")).toMatch(/^channel=11$/m);
    // Someone edits the file on the router: the ACS reads the file's value, not a stale copy.
    writeFileSync(conf, readFileSync(conf, "utf8").replace("ssid=Office", "ssid=Edited"));
    expect(values(drv, ["Device.WiFi.SSID.1.SSID"])["Device.WiFi.SSID.1.SSID"]).toBe("Edited");
  });

  it("Wi-Fi: a value the router cannot take is refused per parameter with 9007", async () => {
    const { drv, conf } = setup();
    const before = readFileSync(conf, "utf8");
    const out = handleAcsRequest(drv.model, { kind: "SetParameterValues", parameterList: [pv("Device.WiFi.AccessPoint.1.Security.ModeEnabled", "None")], parameterKey: "k" });
    expect(out.response.kind).toBe("SetParameterValuesResponse");
    // None with the passphrase kept is fine; a 9-byte emoji SSID too; but 33 bytes is not.
    const bad = handleAcsRequest(drv.model, { kind: "SetParameterValues", parameterList: [pv("Device.WiFi.SSID.1.SSID", "ééééééééééééééééé")], parameterKey: "k2" });
    expect(bad.response.kind).toBe("SetParameterValuesResponse");
    expect(await drv.commit(bad.changed!)).toMatchObject({ code: 9003, setParameterValuesFaults: [{ parameterName: "Device.WiFi.SSID.1.SSID", faultCode: 9007 }] });
    expect(readFileSync(conf, "utf8")).toBe(before);
  });

  it("rates: bit/s between two samples (across a 64-bit wrap), -1 before a second sample", () => {
    const { drv, rates } = setup();
    const rx = "Device.IP.Interface.1.Stats.X_FLEXACS_ReceiveRate";
    rates.sample(1_000_000);
    expect(values(drv, [rx])[rx]).toBe("-1");
    writeFileSync(join(dir, "net/eth0/statistics/rx_bytes"), `${(18446744073709551000n + 12_500_000n) % 2n ** 64n}\n`);
    rates.sample(1_010_000);
    expect(values(drv, ["Device.IP.Interface.1.Stats."])).toMatchObject({ [rx]: "10000000", "Device.IP.Interface.1.Stats.X_FLEXACS_SendRate": "0", "Device.IP.Interface.1.Stats.X_FLEXACS_RateWindow": "10000" });
  });
});
