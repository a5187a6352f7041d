// Zero-touch first boot over real sockets: simulated routers (agent fleet) of
// each model boot against a real ACS (CWMP listener + SQLite store +
// provisioning source) and end up with their line's settings, read back
// through the REST API; then factory reset, drift, quarantine, line changes,
// refusals and object instances.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ha1Of } from "../../acs/cwmp/digest.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";
import type { Fleet } from "../../agent/fleet/fleet.ts";
import { BOOTSTRAP, ProvisioningAcs, REALM } from "./helpers/provisioning-acs.ts";
import { ScriptedCpe } from "./helpers/scripted-cpe.ts";

const PARIS = "CET-1CEST,M3.5.0,M10.5.0/3";

function lineBody(id: string, router: string | null, over: Record<string, unknown> = {}) {
  return {
    id,
    subscriber: { id: `SUB-${id}`, name: `Subscriber ${id}` },
    address: `${id} avenue Jean Jaurès`,
    commune: "Lyon",
    rates: { download: { min: 100, max: 1000 }, upload: { min: 50, max: 500 } },
    wifi: {
      "2.4GHz": { ssid: `Martin-${id}`, passphrase: `pass-2g-${id}-secret`, channel: 11 },
      "5GHz": { ssid: `Martin-${id}-5G`, passphrase: `pass-5g-${id}-secret`, channel: 44 },
    },
    wan: { mode: "pppoe", pppoe: { username: `${id.toLowerCase()}@fibre.flexnet.example`, password: `ppp-${id}-pw` } },
    router: router === null ? { customerOwned: true } : { serial: router },
    ontSerial: null,
    ...over,
  };
}

let acs: ProvisioningAcs;
let rentals: RentalRepository;
const did = (fleet: Fleet, i = 0): string => {
  const d = fleet.devices[i]!;
  return `${d.getValue(`${d.drv.model.root}DeviceInfo.ManufacturerOUI`)}-${d.getValue(`${d.drv.model.root}DeviceInfo.ProductClass`)}-${d.serial}`;
};
const provisioning = async (deviceId: string) => (await acs.call("GET", `/api/devices/${deviceId}/provisioning`)).json;

beforeAll(async () => {
  // 5 GHz SSID enforced, the rest of Wi-Fi reported: both drift policies in one ACS.
  acs = await ProvisioningAcs.start({
    provisioning: { driftPolicies: { "": "enforce", wifi: "report", "wifi.5GHz.ssid": "enforce" } },
    rentals: (db) => createSqliteRentalRepository(db),
  });
  rentals = createSqliteRentalRepository(acs.db);
});
afterAll(async () => {
  await acs?.close();
});

describe("first boot", () => {
  let tr181: Fleet;
  let tr098: Fleet;
  let ont: Fleet;

  beforeAll(async () => {
    tr181 = await acs.fleet("router-tr181", 1, "HWAA");
    tr098 = await acs.fleet("router-tr098", 1, "OGNA");
    ont = await acs.fleet("ont-tr181", 1, "FLOGA");
    const imported = await acs.call("POST", "/api/lines/import", {
      body: [
        lineBody("L-181", tr181.devices[0]!.serial, { ontSerial: ont.devices[0]!.serial }),
        lineBody("L-098", tr098.devices[0]!.serial, { wifi: lineBody("L-181", null).wifi, wan: { mode: "pppoe", pppoe: { username: "l-181@fibre.flexnet.example", password: "ppp-L-098-pw" } } }),
      ],
    });
    expect(imported).toMatchObject({ status: 200, json: { imported: 2, rejectedRows: 0 } });
  });

  it("routers of each model boot once and hold their line's exact Wi-Fi, WAN and management settings", async () => {
    for (const fleet of [tr181, tr098, ont]) {
      const r = await fleet.devices[0]!.boot();
      // One SetParameterValues with everything, one read to verify.
      expect(r).toMatchObject({ ok: true, rpcs: 2 });
    }
    const d = tr181.devices[0]!;
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("Martin-L-181");
    expect(d.getValue("Device.WiFi.SSID.2.SSID")).toBe("Martin-L-181-5G");
    expect(d.getValue("Device.WiFi.AccessPoint.1.Security.KeyPassphrase")).toBe("pass-2g-L-181-secret");
    expect(d.getValue("Device.WiFi.AccessPoint.2.Security.KeyPassphrase")).toBe("pass-5g-L-181-secret");
    expect(d.getValue("Device.WiFi.AccessPoint.1.Security.ModeEnabled")).toBe("WPA2-Personal");
    expect(d.getValue("Device.WiFi.Radio.1.Channel")).toBe("11");
    expect(d.getValue("Device.WiFi.Radio.1.AutoChannelEnable")).toBe("false");
    expect(d.getValue("Device.WiFi.Radio.2.Channel")).toBe("44");
    expect(d.getValue("Device.PPP.Interface.1.Username")).toBe("l-181@fibre.flexnet.example");
    expect(d.getValue("Device.PPP.Interface.1.Password")).toBe("ppp-L-181-pw");
    expect(d.getValue("Device.IP.Interface.1.LowerLayers")).toBe("Device.PPP.Interface.1");
    expect(d.getValue("Device.Time.LocalTimeZone")).toBe(PARIS);
    expect(d.getValue("Device.Time.NTPServer1")).toBe("ntp1.flexnet.example");
    expect(d.getValue("Device.ManagementServer.PeriodicInformEnable")).toBe("true");

    const view = await provisioning(did(tr181));
    expect(view).toMatchObject({ standing: "line", lineId: "L-181", role: "router", status: "provisioned", credentials: { generation: 1, confirmed: true } });
    const line = (await acs.call("GET", "/api/lines/L-181")).json;
    const { passphrase: _a, ...band24 } = line.wifi["2.4GHz"];
    const { passphrase: _b, ...band5 } = line.wifi["5GHz"];
    expect(view.settings.wifi).toEqual({
      "2.4GHz": { ...band24, enabled: true, security: "wpa2-psk", hidden: false },
      "5GHz": { ...band5, enabled: true, security: "wpa2-psk", hidden: false },
    });
    expect(view.settings.wan).toEqual({ mode: "pppoe", pppoe: { username: "l-181@fibre.flexnet.example" } });
    expect(view.settings.ntp).toEqual({ servers: ["ntp1.flexnet.example", "pool.ntp.org"] });
    expect(view.settings.time).toEqual({ zone: PARIS });
    const interval = view.settings.management.periodicInformInterval;
    expect(interval).toBeGreaterThanOrEqual(3240);
    expect(interval).toBeLessThanOrEqual(3960);
    expect(String(interval)).toBe(d.getValue("Device.ManagementServer.PeriodicInformInterval"));
    expect(JSON.stringify(view)).not.toContain("pass-2g-L-181-secret");
    expect(line.wifi["2.4GHz"].passphrase).toBe("********");
    expect(line.devices).toEqual([{ deviceId: did(ont), role: "ont", status: "provisioned" }, { deviceId: did(tr181), role: "router", status: "provisioned" }]);
  });

  it("replaces the bootstrap credentials by per-device ones, stored as the store contract says", async () => {
    for (const fleet of [tr181, tr098, ont]) {
      const d = fleet.devices[0]!;
      const root = d.drv.model.root;
      const id = did(fleet);
      const username = d.getValue(`${root}ManagementServer.Username`)!;
      const password = d.getValue(`${root}ManagementServer.Password`)!;
      expect(username).toBe(id);
      expect(password).not.toBe(BOOTSTRAP.password);
      expect(password.length).toBeGreaterThanOrEqual(20);
      const creds = await acs.store.getCredentials(id);
      expect(creds).toEqual({
        cpeUsername: id,
        cpeHa1: ha1Of(id, REALM, password),
        connectionRequestUsername: d.crCredentials().username,
        connectionRequestPassword: d.crCredentials().password,
      });
      expect(d.crCredentials().username).toBe(`cr-${id}`);
      expect((await acs.store.getDevice(id))!.tags).toEqual([]);
      // The next session authenticates with them, and nothing is left to do.
      expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });
    }
    // The bootstrap credential no longer opens a session for a provisioned serial.
    const d = tr181.devices[0]!;
    const cpe = new ScriptedCpe({ url: acs.cwmpUrl, ...BOOTSTRAP, deviceId: { manufacturer: "HomeWave Technologies", oui: "A4B1C2", productClass: "HW-AX3000", serialNumber: d.serial } });
    expect((await cpe.inform(["2 PERIODIC"])).status).toBe(401);
    cpe.close();
  });

  it("gives a TR-098 and a TR-181 router the same abstract settings through different paths", async () => {
    const a = (await provisioning(did(tr181))).settings;
    const b = (await provisioning(did(tr098))).settings;
    expect(b.wifi["2.4GHz"]).toEqual(a.wifi["2.4GHz"]);
    expect(b.wan).toEqual(a.wan);
    expect(b.time).toEqual(a.time);
    expect(b.ntp).toEqual(a.ntp);
    const t = tr181.devices[0]!;
    const o = tr098.devices[0]!;
    const wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
    expect([o.getValue(`${wlan}SSID`), t.getValue("Device.WiFi.SSID.1.SSID")]).toEqual(["Martin-L-181", "Martin-L-181"]);
    expect([o.getValue(`${wlan}KeyPassphrase`), t.getValue("Device.WiFi.AccessPoint.1.Security.KeyPassphrase")]).toEqual(["pass-2g-L-181-secret", "pass-2g-L-181-secret"]);
    expect([o.getValue(`${wlan}BeaconType`), o.getValue(`${wlan}IEEE11iEncryptionModes`), o.getValue(`${wlan}IEEE11iAuthenticationMode`)]).toEqual(["11i", "AESEncryption", "PSKAuthentication"]);
    expect([o.getValue(`${wlan}Channel`), o.getValue(`${wlan}AutoChannelEnable`)]).toEqual(["11", "false"]);
    expect(o.getValue("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Username")).toBe("l-181@fibre.flexnet.example");
    expect(o.getValue("InternetGatewayDevice.Time.LocalTimeZoneName")).toBe(PARIS);
    // The single-band model has no 5 GHz: that part of the line is listed as not applicable, not an error.
    expect(await provisioning(did(tr098))).toMatchObject({ status: "provisioned", unsupported: ["wifi.5GHz"], problems: [] });
  });

  it("re-provisions a factory-reset router, with new credentials", async () => {
    const d = tr181.devices[0]!;
    const id = did(tr181);
    const before = await acs.store.getCredentials(id);
    const applied = acs.named("provisioning.applied").length;
    const r = await d.factoryReset();
    // A read (does it still hold its credentials? no: a reset), everything set with new ones, the read-back.
    expect(r).toMatchObject({ ok: true, rpcs: 3 });
    expect(acs.named("provisioning.applied").slice(applied)).toMatchObject([{ deviceId: id, bootstrap: true }]);
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("Martin-L-181");
    expect(d.getValue("Device.PPP.Interface.1.Password")).toBe("ppp-L-181-pw");
    expect(await provisioning(id)).toMatchObject({ status: "provisioned", credentials: { generation: 2, confirmed: true } });
    const after = await acs.store.getCredentials(id);
    expect(after!.cpeHa1).toBe(ha1Of(id, REALM, d.getValue("Device.ManagementServer.Password")!));
    expect(after!.cpeHa1).not.toBe(before!.cpeHa1);
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });
  });

  it("keeps the credentials of a router that bootstraps again without a reset (its ACS URL changed)", async () => {
    const d = tr098.devices[0]!;
    const id = did(tr098);
    const before = await acs.store.getCredentials(id);
    await d.setLocalValue("InternetGatewayDevice.ManagementServer.URL", `${acs.cwmpUrl}/moved`);
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true });
    expect(await provisioning(id)).toMatchObject({ status: "provisioned", credentials: { generation: 1, confirmed: true } });
    expect(await acs.store.getCredentials(id)).toEqual(before);
    expect((await acs.store.getDevice(id))!.tags).toEqual([]);
    expect((await acs.store.getDevice(id))!.lastEvents).toContain("0 BOOTSTRAP");
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });
  });

  it("reports a locally changed SSID as drift, and sets an enforced one back", async () => {
    const d = tr181.devices[0]!;
    const id = did(tr181);
    await d.setLocalValue("Device.WiFi.SSID.1.SSID", "neighbour-changed-it");
    await d.setLocalValue("Device.WiFi.SSID.2.SSID", "also-changed");
    // After a reboot the ACS reads the settings (1 RPC), reports both, and sets the 5 GHz one back (1 more, then a verify).
    expect(await d.reboot()).toMatchObject({ ok: true, rpcs: 3 });
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("neighbour-changed-it");
    expect(d.getValue("Device.WiFi.SSID.2.SSID")).toBe("Martin-L-181-5G");
    const view = await provisioning(id);
    expect(view.drift).toEqual([
      expect.objectContaining({ key: "wifi.2.4GHz.ssid", expected: "Martin-L-181", actual: "neighbour-changed-it", policy: "report", corrected: false }),
      expect.objectContaining({ key: "wifi.5GHz.ssid", expected: "Martin-L-181-5G", actual: "also-changed", policy: "enforce", corrected: true }),
    ]);
    expect(acs.named("provisioning.drift").at(-1)).toMatchObject({ deviceId: id, drift: [{ key: "wifi.2.4GHz.ssid" }, { key: "wifi.5GHz.ssid" }] });
    const audit = await acs.store.listAudit({ deviceId: id, action: "provisioning.drift" });
    expect(audit[0]!.detail).toMatchObject({ drift: [{ key: "wifi.2.4GHz.ssid", actual: "neighbour-changed-it" }, { key: "wifi.5GHz.ssid" }] });
    // Reported drift is not fought: a periodic session leaves it alone.
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("neighbour-changed-it");
  });

  it("applies a line change at the next Inform, setting only what differs", async () => {
    const d = tr098.devices[0]!;
    const id = did(tr098);
    const line = (await acs.call("GET", "/api/lines/L-098")).json;
    // The change wakes the router (connection request); its session applies it.
    const applied = acs.next("provisioning.applied", (p) => p.deviceId === id);
    const settled = acs.next("provisioning.status", (p) => p.deviceId === id && p.status === "provisioned");
    const patched = await acs.call("PATCH", "/api/lines/L-098", { body: { version: line.version, wifi: { "2.4GHz": { ssid: "Renamed-by-support", channel: 6 } } } });
    expect(patched).toMatchObject({ status: 200, json: { version: line.version + 1 } });
    expect(await applied).toEqual({ deviceId: id, parameterKey: expect.any(String), keys: ["wifi.2.4GHz.channel", "wifi.2.4GHz.ssid"], bootstrap: false });
    await settled;
    const wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
    expect([d.getValue(`${wlan}SSID`), d.getValue(`${wlan}Channel`), d.getValue(`${wlan}KeyPassphrase`)]).toEqual(["Renamed-by-support", "6", "pass-2g-L-181-secret"]);
    const view = await provisioning(id);
    expect(view.settings.wifi["2.4GHz"]).toMatchObject({ ssid: "Renamed-by-support", channel: 6 });
    expect(d.getValue("InternetGatewayDevice.ManagementServer.ParameterKey")).toBe(view.appliedKey);
  });
});

describe("devices on no line", () => {
  it("quarantines an unknown serial: management settings only, no subscriber data, listed for the NOC", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAQ");
    const d = fleet.devices[0]!;
    const factorySsid = d.getValue("Device.WiFi.SSID.1.SSID");
    const factoryPpp = d.getValue("Device.PPP.Interface.1.Username");
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 2 });
    const id = did(fleet);
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe(factorySsid);
    expect(d.getValue("Device.PPP.Interface.1.Username")).toBe(factoryPpp);
    expect(d.getValue("Device.ManagementServer.Username")).toBe(id);
    expect(d.getValue("Device.ManagementServer.Password")).not.toBe(BOOTSTRAP.password);
    expect(Number(d.getValue("Device.ManagementServer.PeriodicInformInterval"))).toBeGreaterThanOrEqual(3240);
    expect((await acs.store.getDevice(id))!.tags).toEqual(["quarantined"]);
    expect(acs.named("device.quarantined")).toContainEqual({ deviceId: id, serial: d.serial, standing: "unknown", remoteAddress: "127.0.0.1" });
    const list = await acs.call("GET", "/api/quarantine?standing=unknown", { token: acs.tokens.noc });
    expect(list.status).toBe(200);
    expect(list.json.items).toContainEqual(expect.objectContaining({ deviceId: id, serial: d.serial, standing: "unknown", status: "provisioned", lastRemoteAddress: "127.0.0.1" }));
    expect(Object.keys((await provisioning(id)).settings)).toEqual(["management"]);
    // A later contact shows in the list: last seen is the device's last Inform.
    const seen = (items: { deviceId: string; lastSeenAt: string }[]) => Date.parse(items.find((i) => i.deviceId === id)!.lastSeenAt);
    const before = seen(list.json.items);
    await new Promise((r) => setTimeout(r, 5));
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });
    const after = seen((await acs.call("GET", "/api/quarantine?standing=unknown", { token: acs.tokens.noc })).json.items);
    expect(after).toBeGreaterThan(before);
    expect(after).toBe((await acs.store.getDevice(id))!.lastInformAt);
  });
});

describe("insecure Wi-Fi", () => {
  it("applies WEP only by explicit override, and flags it", async () => {
    const fleet = await acs.fleet("router-tr098", 1, "OGNW");
    const d = fleet.devices[0]!;
    const id = did(fleet);
    const refused = await acs.call("POST", "/api/lines", { body: lineBody("L-WEP", d.serial, { wifi: { "2.4GHz": { ssid: "Legacy", security: "wep", passphrase: "13charWEPkey!" } } }) });
    expect(refused).toMatchObject({ status: 400, json: { errors: [{ field: "wifi.2.4GHz.security", message: "wep is insecure: set insecureOverride to use it" }] } });
    const created = await acs.call("POST", "/api/lines", {
      body: lineBody("L-WEP", d.serial, { wifi: { "2.4GHz": { ssid: "Legacy", security: "wep", passphrase: "13charWEPkey!", insecureOverride: true } } }),
    });
    expect(created).toMatchObject({ status: 201, json: { warnings: [{ field: "wifi.2.4GHz.security", message: "wep is insecure (allowed by insecureOverride)" }] } });
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 2 });
    const wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
    expect([d.getValue(`${wlan}BeaconType`), d.getValue(`${wlan}BasicEncryptionModes`), d.getValue(`${wlan}KeyPassphrase`)]).toEqual(["Basic", "WEPEncryption", "13charWEPkey!"]);
    expect((await acs.store.getDevice(id))!.tags).toEqual(["insecure-wifi"]);
    const view = await provisioning(id);
    expect(view).toMatchObject({ status: "provisioned", warnings: [{ field: "wifi.2.4GHz.security", message: "wep is insecure (allowed by insecureOverride)" }] });
    expect(view.settings.wifi["2.4GHz"].security).toBe("wep");
  });
});

describe("credentials changing hands", () => {
  it("never locks out a router whose first provisioning was cut short", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAK");
    const d = fleet.devices[0]!;
    const id = did(fleet);
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-CUT", d.serial) })).status).toBe(201);
    // Power cut as the SetParameterValues with the new credentials arrives: the router keeps the bootstrap ones.
    d.online = true;
    expect(await d.inform("1 BOOT", { killAfterAcsRequests: 1 })).toMatchObject({ ok: false });
    expect(d.getValue("Device.ManagementServer.Password")).toBe(BOOTSTRAP.password);
    // The ACS already holds the new credential, and still admits the bootstrap one for this device.
    expect((await acs.store.getCredentials(id))!.cpeUsername).toBe(id);
    expect((await acs.store.getDevice(id))!.tags).toEqual(["credentials-pending"]);
    // Back on (no 0 BOOTSTRAP any more: it was delivered): admitted, provisioned.
    expect(await d.restart()).toMatchObject({ ok: true });
    expect(d.getValue("Device.ManagementServer.Username")).toBe(id);
    expect(await provisioning(id)).toMatchObject({ status: "provisioned", credentials: { generation: 1, confirmed: true } });
    expect((await acs.store.getDevice(id))!.tags).toEqual([]);
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });
  });
});

describe("devices on no line (rented routers)", () => {
  it("lists a router marked returned that contacts the ACS again, with where it connected from, and gives it no subscriber data", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAT");
    const d = fleet.devices[0]!;
    const id = did(fleet);
    // Still named by its old line, but back in the warehouse's books: the rental state wins.
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-RET", d.serial) })).status).toBe(201);
    const at = Date.now();
    await rentals.addRouters([{ serial: d.serial, mac: "a4:b1:c2:00:00:01", model: "HW-AX3000" }], at, "it");
    await rentals.applyChanges([{
      serial: d.serial, expectedVersion: 1, key: "ship-and-return", at, actor: "it", patch: {},
      steps: [{ from: "in_stock", to: "shipped", reason: null, detail: {} }, { from: "shipped", to: "returned", reason: "refused delivery", detail: {} }],
    }]);
    const factorySsid = d.getValue("Device.WiFi.SSID.1.SSID");
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 2 });
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe(factorySsid);
    expect(d.getValue("Device.ManagementServer.Username")).toBe(id);
    expect((await acs.store.getDevice(id))!.tags).toEqual(["returned"]);
    const listed = await acs.call("GET", "/api/quarantine?standing=returned", { token: acs.tokens.noc });
    expect(listed.json.items).toEqual([expect.objectContaining({ deviceId: id, serial: d.serial, standing: "returned", lastRemoteAddress: "127.0.0.1" })]);
    const audit = await acs.store.listAudit({ deviceId: id, action: "provisioning.quarantine" });
    expect(audit[0]!.detail).toEqual({ serial: d.serial, standing: "returned", remoteAddress: "127.0.0.1" });
  });
});

describe("faults and object instances", () => {
  it("records a value the device refuses with its cause, applies the rest, and recovers once the line is fixed", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAR");
    const d = fleet.devices[0]!;
    const id = did(fleet);
    // This unit's radio offers channels 1-11 only; the line asks for 13.
    await d.setLocalValue("Device.WiFi.Radio.1.PossibleChannels", "1-11");
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-REF", d.serial, { wifi: { "2.4GHz": { ssid: "Refused-13", channel: 13 } } }) })).status).toBe(201);
    // SetParameterValues refused, the same without the channel, then the read-back.
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 3 });
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("Refused-13");
    expect(d.getValue("Device.WiFi.Radio.1.Channel")).toBe("6");
    expect(d.getValue("Device.ManagementServer.Username")).toBe(id);
    const view = await provisioning(id);
    expect(view).toMatchObject({ status: "fault", credentials: { confirmed: true }, fault: { code: "cwmp.9003", attempts: 1, notBefore: null } });
    expect(view.fault.message).toContain("wifi.2.4GHz.channel (Device.WiFi.Radio.1.Channel): 9007");
    const faults = await acs.store.listFaults({ deviceId: id });
    expect(faults).toEqual([expect.objectContaining({ channel: "provision", code: "cwmp.9003" })]);
    // Held: the same value is not sent again at the next Inform.
    expect(await d.inform("2 PERIODIC")).toMatchObject({ ok: true, rpcs: 0 });

    const settled = acs.next("provisioning.status", (p) => p.deviceId === id && p.status === "provisioned");
    expect((await acs.call("PATCH", "/api/lines/L-REF", { body: { wifi: { "2.4GHz": { channel: 11 } } } })).status).toBe(200);
    await settled;
    expect(d.getValue("Device.WiFi.Radio.1.Channel")).toBe("11");
    expect(await provisioning(id)).toMatchObject({ status: "provisioned", fault: null });
    expect(await acs.store.listFaults({ deviceId: id })).toEqual([]);
  });

  it("adds an object instance the device lacks, then applies the settings under it", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAI");
    const d = fleet.devices[0]!;
    const id = did(fleet);
    d.drv.model.restore({ tables: { "Device.PPP.Interface.": [[], 1] } }); // shipped without a PPP interface
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-OBJ", d.serial) })).status).toBe(201);
    // SetParameterValues (9005 under PPP.Interface.1.), AddObject, SetParameterValues, read-back.
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 4 });
    expect(d.getValue("Device.PPP.Interface.1.Username")).toBe("l-obj@fibre.flexnet.example");
    expect(await provisioning(id)).toMatchObject({ status: "provisioned", fault: null });
  });

  it("deletes an instance created under another number than the profile's, and applies everything else", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAM");
    const d = fleet.devices[0]!;
    const id = did(fleet);
    d.drv.model.restore({ tables: { "Device.PPP.Interface.": [[], 2] } });
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-MIS", d.serial) })).status).toBe(201);
    // SetParameterValues, AddObject (creates 2), DeleteObject, SetParameterValues without the WAN, read-back.
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 5 });
    expect(d.getValue("Device.PPP.Interface.2.Enable")).toBeUndefined();
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("Martin-L-MIS");
    const view = await provisioning(id);
    expect(view).toMatchObject({ status: "fault", fault: { code: "provisioning.instance_mismatch", notBefore: null } });
    expect(view.fault.message).toBe("the profile expects Device.PPP.Interface.1. but the device created Device.PPP.Interface.2. (deleted again); skipped: wan.mode, wan.pppoe.username, wan.pppoe.password");
  });
});
