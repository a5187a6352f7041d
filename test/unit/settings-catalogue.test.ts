import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PARIS_POSIX_TZ, settingsSchema } from "../../acs/provisioning/settings-catalogue.ts";
import { CATALOGUE, CATALOGUE_DEFAULTS, flattenSettings, unflattenSettings, validateSettings } from "../../acs/provisioning/settings-entries.ts";

const errorsOf = (input: unknown) => {
  const r = validateSettings(input);
  return r.ok ? [] : r.errors;
};

describe("settings catalogue", () => {
  it("derives its dotted keys, access and defaults from the one schema", () => {
    const keys = CATALOGUE.map((e) => e.key);
    expect(keys).toContain("wifi.2.4GHz.passphrase");
    expect(keys).toContain("management.connectionRequestPassword");
    expect(CATALOGUE.filter((e) => e.meta.secret).map((e) => e.key)).toEqual([
      "wifi.2.4GHz.passphrase",
      "wifi.5GHz.passphrase",
      "wan.pppoe.password",
      "management.acsPassword",
      "management.connectionRequestPassword",
    ]);
    expect(CATALOGUE.filter((e) => e.meta.access === "object").map((e) => e.key)).toEqual([
      "linkRate.downloadDiagnostics",
      "linkRate.uploadDiagnostics",
    ]);
    expect(CATALOGUE_DEFAULTS.wifi?.["5GHz"]).toEqual({ enabled: true, security: "wpa2-psk", channel: "auto", hidden: false });
    expect(CATALOGUE_DEFAULTS.time?.zone).toBe(PARIS_POSIX_TZ);
    // The same metadata reaches API clients through JSON Schema.
    const json = z.toJSONSchema(settingsSchema, { unrepresentable: "any" }) as { properties: Record<string, any> };
    expect(json.properties.wifi.properties["5GHz"].properties.passphrase).toMatchObject({ access: "rw", secret: true });
  });

  it("keeps band keys whole when flattening ('2.4GHz' holds a dot)", () => {
    const flat = flattenSettings({ wifi: { "2.4GHz": { ssid: "x" } }, ntp: { servers: ["a.example"] } });
    expect([...flat]).toEqual([
      ["wifi.2.4GHz.ssid", "x"],
      ["ntp.servers", ["a.example"]],
    ]);
    expect(unflattenSettings(flat)).toEqual({ wifi: { "2.4GHz": { ssid: "x" } }, ntp: { servers: ["a.example"] } });
  });

  it("measures an SSID in UTF-8 bytes", () => {
    expect(errorsOf({ wifi: { "2.4GHz": { ssid: "é".repeat(16) } } })).toEqual([]);
    expect(errorsOf({ wifi: { "2.4GHz": { ssid: "é".repeat(17) } } })).toEqual([{ field: "wifi.2.4GHz.ssid", message: "must be 1 to 32 bytes of UTF-8" }]);
    expect(errorsOf({ wifi: { "2.4GHz": { ssid: "" } } })).toEqual([{ field: "wifi.2.4GHz.ssid", message: "must be 1 to 32 bytes of UTF-8" }]);
  });

  it("takes a WPA passphrase of 8 to 63 printable ASCII characters or a 64-hex PSK", () => {
    const passphrase = (p: string, security?: string) => errorsOf({ wifi: { "5GHz": { passphrase: p, ...(security ? { security } : {}) } } });
    expect(passphrase("12345678")).toEqual([]);
    expect(passphrase("x".repeat(63))).toEqual([]);
    expect(passphrase("0123456789abcdef".repeat(4))).toEqual([]);
    const bad = [{ field: "wifi.5GHz.passphrase", message: "must be 8 to 63 printable ASCII characters or 64 hex digits" }];
    expect(passphrase("1234567")).toEqual(bad);
    expect(passphrase("x".repeat(64))).toEqual(bad);
    expect(passphrase("clé-wifi-secrète")).toEqual(bad);
    expect(passphrase("0123456789abcdef".repeat(4), "wpa3-sae")).toEqual([
      { field: "wifi.5GHz.passphrase", message: "wpa3-sae needs a passphrase, not a 64-hex PSK" },
    ]);
    expect(passphrase("0123456789abc", "wep")).toEqual([{ field: "wifi.5GHz.security", message: "wep is insecure: set insecureOverride to use it" }]);
    expect(passphrase("too-short-for-wep", "wep")).toEqual([
      { field: "wifi.5GHz.security", message: "wep is insecure: set insecureOverride to use it" },
      { field: "wifi.5GHz.passphrase", message: "a WEP key must be 13 ASCII characters or 26 hex digits" },
    ]);
  });

  it("accepts France's channels only, and POSIX time zones", () => {
    expect(errorsOf({ wifi: { "2.4GHz": { channel: 13 }, "5GHz": { channel: "auto" } } })).toEqual([]);
    expect(errorsOf({ wifi: { "5GHz": { channel: 165 } } })).toEqual([
      { field: "wifi.5GHz.channel", message: "165 is not a 5GHz channel allowed in France (36, 40, 44, 48, 52, 56, 60, 64, …)" },
    ]);
    expect(errorsOf({ wifi: { "5GHz": { channel: "best" } } })).toEqual([{ field: "wifi.5GHz.channel", message: 'must be "auto" or a channel number' }]);
    expect(errorsOf({ time: { zone: PARIS_POSIX_TZ } })).toEqual([]);
    expect(errorsOf({ time: { zone: "Europe/Paris" } })).toEqual([
      { field: "time.zone", message: `must be a POSIX TZ string such as ${PARIS_POSIX_TZ}` },
    ]);
  });

  it("names unknown keys and out-of-range numbers", () => {
    expect(errorsOf({ wifi: { "6GHz": {} }, wan: { vlan: 0 }, management: { periodicInformInterval: 5 } })).toEqual([
      { field: "wifi.6GHz", message: "is not a setting of the catalogue" },
      { field: "wan.vlan", message: 'must be "untagged" or a VLAN ID from 1 to 4094' },
      { field: "management.periodicInformInterval", message: "must be at least 60 seconds" },
    ]);
  });
});
