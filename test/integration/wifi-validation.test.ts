// Every Wi-Fi validation rule through the real API: a bad value gets 400
// with a message naming the field, and nothing is queued (line version,
// change records, audit, and the routers' sessions all unchanged). The
// HomeWave AX3000 and OldGate N300 are real simulated routers the ACS has
// met; the ZTE H298A (no simulator) is known to the ACS through the
// provisioning state its first contact would leave.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { newProvisioningState } from "../../acs/provisioning/provisioning-state.ts";
import { deviceIdOf } from "../../acs/sessions/device-id.ts";
import { lineBody, WifiAcs } from "../helpers/wifi-acs.ts";

let acs: WifiAcs;
const contacts = new Map<string, number | null>();

beforeAll(async () => {
  acs = await WifiAcs.start();
  for (const [lineId, model, prefix] of [["L-HW", "router-tr181", "HWVA"], ["L-OG", "router-tr098", "OGVA"]] as const) {
    const fleet = await acs.fleet({ count: 1, model, serialPrefix: prefix, channel: true });
    const d = fleet.devices[0]!;
    expect((await acs.call("POST", "/api/lines", { body: lineBody(lineId, d.serial, lineId === "L-OG" ? { wifi: { "2.4GHz": { ssid: "Martin-L-OG" } } } : {}) })).status).toBe(201);
    expect(await d.boot()).toMatchObject({ ok: true });
    contacts.set(lineId, (await acs.store.getDevice(deviceIdOf(d.drv.deviceId)!))!.lastInformAt);
  }
  expect((await acs.call("POST", "/api/lines", { body: lineBody("L-ZTE", "ZTEVA0001") })).status).toBe(201);
  const profile = (await loadProfiles()).find((p) => p.match.productClass === "ZXHN H298A")!;
  const id = deviceIdOf({ oui: "0019C6", productClass: "ZXHN H298A", serialNumber: "ZTEVA0001" })!;
  await acs.lines.putState({ ...newProvisioningState(id, "ZTEVA0001", "ZXHN H298A", Date.now()), standing: "line", lineId: "L-ZTE", role: "router", profile: profile.file, status: "provisioned" });
});
afterAll(async () => {
  await acs?.close();
});

const HEX64 = "0123456789abcdef".repeat(4);

/** [line, body (version added), field, message] */
const CASES: [string, Record<string, unknown>, string, string][] = [
  ["L-HW", { bands: { "2.4GHz": { ssid: "" } } }, "bands.2.4GHz.ssid", "must be 1 to 32 bytes of UTF-8"],
  ["L-HW", { bands: { "2.4GHz": { ssid: `${"é".repeat(16)}a` } } }, "bands.2.4GHz.ssid", "must be 1 to 32 bytes of UTF-8"],
  ["L-HW", { bands: { "5GHz": { ssid: 42 } } }, "bands.5GHz.ssid", "must be a string"],
  ["L-HW", { bands: { "2.4GHz": { passphrase: "7-chars" } } }, "bands.2.4GHz.passphrase", "must be 8 to 63 printable ASCII characters or 64 hex digits"],
  ["L-HW", { bands: { "2.4GHz": { passphrase: "x".repeat(64) } } }, "bands.2.4GHz.passphrase", "must be 8 to 63 printable ASCII characters or 64 hex digits"],
  ["L-HW", { bands: { "2.4GHz": { passphrase: "mot-de-passe-été" } } }, "bands.2.4GHz.passphrase", "must be 8 to 63 printable ASCII characters or 64 hex digits"],
  ["L-HW", { bands: { "5GHz": { security: "wpa3-sae", passphrase: HEX64 } } }, "bands.5GHz.passphrase", "wpa3-sae needs a passphrase, not a 64-hex PSK"],
  ["L-HW", { bands: { "2.4GHz": { channel: 14 } } }, "bands.2.4GHz.channel", "14 is not a 2.4GHz channel allowed in France (1–13)"],
  ["L-HW", { bands: { "2.4GHz": { channel: 0 } } }, "bands.2.4GHz.channel", "0 is not a 2.4GHz channel allowed in France (1–13)"],
  ["L-HW", { bands: { "2.4GHz": { channel: "7" } } }, "bands.2.4GHz.channel", 'must be "auto" or a channel number'],
  ["L-HW", { bands: { "5GHz": { channel: 165 } } }, "bands.5GHz.channel", "165 is not a 5GHz channel allowed in France (36, 40, 44, 48, 52, 56, 60, 64, …)"],
  ["L-ZTE", { bands: { "5GHz": { channel: 100 } } }, "bands.5GHz.channel", "100 is not a channel this model supports (36, 40, 44, 48, 52, 56, 60, 64)"],
  ["L-ZTE", { bands: { "5GHz": { security: "wpa3-sae" } } }, "bands.5GHz.security", "wpa3-sae is not supported by this model (wpa2-psk, wpa-wpa2-psk, open)"],
  ["L-HW", { bands: { "2.4GHz": { security: "wep", passphrase: "13-char-key!!" } }, confirmInsecure: true }, "bands.2.4GHz.security", "wep is not supported by this model (wpa2-psk, wpa2-wpa3-psk, wpa3-sae, open)"],
  ["L-HW", { bands: { "2.4GHz": { security: "wpa9" } } }, "bands.2.4GHz.security", "must be one of wpa2-psk, wpa2-wpa3-psk, wpa3-sae, wpa-wpa2-psk, wep, open"],
  ["L-OG", { bands: { "2.4GHz": { security: "wep", passphrase: "13-char-key!!" } } }, "bands.2.4GHz.security", "wep is insecure: send confirmInsecure: true to use it anyway"],
  ["L-HW", { bands: { "5GHz": { security: "open" } } }, "bands.5GHz.security", "open is insecure: send confirmInsecure: true to use it anyway"],
  ["L-OG", { bands: { "2.4GHz": { security: "wep", passphrase: "ten-chars!" } }, confirmInsecure: true }, "bands.2.4GHz.passphrase", "a WEP key must be 13 ASCII characters or 26 hex digits"],
  ["L-OG", { bands: { "5GHz": { ssid: "Martin-5G" } } }, "bands.5GHz", "this model has no 5GHz Wi-Fi"],
  ["L-HW", { bands: { "2.4GHz": { enabled: "yes" } } }, "bands.2.4GHz.enabled", "must be true or false"],
  ["L-HW", { bands: { "2.4GHz": { hidden: 1 } } }, "bands.2.4GHz.hidden", "must be true or false"],
  ["L-HW", { bands: { "6GHz": { ssid: "X" } } }, "bands.6GHz", "is not a band (2.4GHz, 5GHz)"],
  ["L-HW", { bands: { "2.4GHz": { password: "x" } } }, "bands.2.4GHz.password", "is not a Wi-Fi setting (enabled, ssid, passphrase, security, channel, hidden)"],
  ["L-HW", { bands: { "2.4GHz": {} } }, "bands.2.4GHz", "must be an object with at least one of enabled, ssid, passphrase, security, channel, hidden"],
  ["L-HW", { bands: {} }, "bands", "must be an object with at least one band (2.4GHz, 5GHz)"],
  ["L-HW", { bands: { "2.4GHz": { ssid: "X" } }, confirmInsecure: "yes" }, "confirmInsecure", "must be true or false"],
  ["L-HW", { bands: { "2.4GHz": { ssid: "X" } }, wifi: {} }, "wifi", "is not a field of a Wi-Fi change (version, bands, confirmInsecure)"],
  ["L-HW", { bands: { "2.4GHz": { ssid: "Martin-L-HW", channel: 6 } } }, "bands", "changes nothing: every value sent is already the line's"],
];

describe("Wi-Fi change validation", () => {
  it.each(CASES)("%s %j → %s: %s", async (lineId, body, field, message) => {
    const { version } = (await acs.call("GET", `/api/lines/${lineId}/wifi`, { token: acs.tokens.support })).json;
    const r = await acs.call("PATCH", `/api/lines/${lineId}/wifi`, { token: acs.tokens.support, body: { version, ...body } });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual([{ field, message }]);
    expect(r.json.message).toBe(`${field}: ${message}`);
  });

  it("refuses a missing or bad version", async () => {
    for (const [version, message] of [[undefined, "is required: the line version the change is based on"], [0, "must be a whole number from 1"], ["1", "must be a whole number from 1"]] as const) {
      const r = await acs.call("PATCH", "/api/lines/L-HW/wifi", { token: acs.tokens.support, body: { version, bands: { "2.4GHz": { ssid: "X" } } } });
      expect(r).toMatchObject({ status: 400, json: { errors: [{ field: "version", message }] } });
    }
  });

  it("queued nothing for any of them: lines, change records, audit and routers untouched", async () => {
    for (const lineId of ["L-HW", "L-OG", "L-ZTE"]) {
      const wifi = (await acs.call("GET", `/api/lines/${lineId}/wifi`, { token: acs.tokens.support })).json;
      expect(wifi.version).toBe(1);
      expect(wifi.changes).toEqual([]);
      expect((await acs.call("GET", `/api/lines/${lineId}/audit`, { token: acs.tokens.support })).json.items).toEqual([]);
    }
    expect(await acs.store.listAudit({ action: "wifi.change" })).toEqual([]);
    for (const lineId of ["L-HW", "L-OG"]) {
      const { router } = (await acs.call("GET", `/api/lines/${lineId}/wifi`, { token: acs.tokens.support })).json;
      expect(Date.parse(router.lastInformAt)).toBe(contacts.get(lineId));
    }
  });

  it("accepts WEP once confirmed, and records the band as insecure", async () => {
    const { version } = (await acs.call("GET", "/api/lines/L-OG/wifi", { token: acs.tokens.support })).json;
    const r = await acs.call("PATCH", "/api/lines/L-OG/wifi", {
      token: acs.tokens.support, body: { version, bands: { "2.4GHz": { security: "wep", passphrase: "13-char-key!!" } }, confirmInsecure: true },
    });
    expect(r).toMatchObject({ status: 202, json: { change: { insecure: ["2.4GHz"] } } });
    const done = (await acs.call("GET", `/api/wifi-changes/${r.json.changeId}?waitMs=20000`, { token: acs.tokens.support })).json;
    expect(done.status).toBe("applied");
    const wifi = (await acs.call("GET", "/api/lines/L-OG/wifi", { token: acs.tokens.support })).json;
    expect(wifi.bands["2.4GHz"]).toMatchObject({ security: "wep", insecure: true, passphrase: "********" });
    expect(wifi.device["2.4GHz"]).toMatchObject({ security: "wep" });
  });
});
