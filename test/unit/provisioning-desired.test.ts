// The desired state of a device (profile ⊕ line ⊕ management ⊕ NTP/time),
// its ParameterKey, the per-device jitter, and encoding a subset of it.

import { beforeAll, describe, expect, it } from "vitest";
import type { Line } from "../../acs/lines/line.ts";
import {
  computeDesired, desiredFor, encodeKeys, jitteredInterval, parameterKeyOf, readPaths, valueHash, type DesiredInput,
} from "../../acs/provisioning/desired-state.ts";
import { issueCredentials } from "../../acs/provisioning/device-credentials.ts";
import type { Profile } from "../../acs/provisioning/profile.ts";
import { loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { PARIS_POSIX_TZ } from "../../acs/provisioning/settings-catalogue.ts";

let byClass: (pc: string) => Profile;
beforeAll(async () => {
  const all = await loadProfiles();
  byClass = (pc) => all.find((p) => p.match.productClass === pc)!;
});

const LINE: Pick<Line, "wifi" | "wan"> = {
  wifi: {
    "2.4GHz": { ssid: "Dupont", passphrase: "dupont passphrase", channel: 11 },
    "5GHz": { ssid: "Dupont-5G", passphrase: "dupont passphrase 5", security: "wpa3-sae" },
  },
  wan: { mode: "pppoe", vlan: 835, pppoe: { username: "dupont@isp", password: "ppp-pw" } },
};
const CREDS = { ...issueCredentials("DEV-1", 1), cpePassword: "cpe-password-1", connectionRequestPassword: "cr-password-1" };

function input(over: Partial<DesiredInput> & { profile: Profile }): DesiredInput {
  return { scope: "router", line: LINE, periodicInformInterval: 3500, credentials: CREDS, ...over };
}

describe("computeDesired", () => {
  it("is the profile and catalogue defaults, the line's Wi-Fi and WAN, the management settings, NTP and Europe/Paris", () => {
    const d = computeDesired(input({ profile: byClass("HW-AX3000") }));
    const plain = Object.fromEntries([...d.values].map(([k, v]) => [k, v.value]));
    expect(plain).toEqual({
      "wifi.2.4GHz.enabled": true, "wifi.2.4GHz.ssid": "Dupont", "wifi.2.4GHz.passphrase": "dupont passphrase",
      "wifi.2.4GHz.security": "wpa2-psk", "wifi.2.4GHz.channel": 11, "wifi.2.4GHz.hidden": false,
      "wifi.5GHz.enabled": true, "wifi.5GHz.ssid": "Dupont-5G", "wifi.5GHz.passphrase": "dupont passphrase 5",
      "wifi.5GHz.security": "wpa3-sae", "wifi.5GHz.channel": "auto", "wifi.5GHz.hidden": false,
      "wan.mode": "pppoe", "wan.pppoe.username": "dupont@isp", "wan.pppoe.password": "ppp-pw",
      "management.periodicInformInterval": 3500, "management.acsUsername": "DEV-1", "management.acsPassword": "cpe-password-1",
      "management.connectionRequestUsername": "cr-DEV-1", "management.connectionRequestPassword": "cr-password-1",
      "ntp.servers": ["ntp1.flexnet.example", "pool.ntp.org"], "time.zone": PARIS_POSIX_TZ,
    });
    expect([...d.values].filter(([, v]) => v.secret).map(([k]) => k).sort()).toEqual([
      "management.acsPassword", "management.connectionRequestPassword", "wan.pppoe.password", "wifi.2.4GHz.passphrase", "wifi.5GHz.passphrase",
    ]);
    // This model has no VLAN parameter: not applicable, listed, not an error.
    expect(d.unsupported).toEqual(["wan.vlan"]);
    expect(d.problems).toEqual([]);
    expect(d.parameterKey).toMatch(/^fx[A-Za-z0-9_-]{30}$/);
  });

  it("gives an ONT management, NTP and time only, and an unknown device management only", () => {
    const ont = computeDesired(input({ profile: byClass("FLO-G2425"), scope: "ont" }));
    expect([...ont.values.keys()].every((k) => /^(management|ntp|time)\./.test(k))).toBe(true);
    expect(ont.values.has("time.zone")).toBe(true);
    const quarantined = computeDesired(input({ profile: byClass("HW-AX3000"), scope: "management" }));
    expect([...quarantined.values.keys()].sort()).toEqual([
      "management.acsPassword", "management.acsUsername", "management.connectionRequestPassword", "management.connectionRequestUsername", "management.periodicInformInterval",
    ]);
  });

  it("skips a band the model lacks (not applicable) and a value it cannot take (a problem naming the field)", () => {
    const og = computeDesired(input({ profile: byClass("OG-N300"), line: { wifi: { ...LINE.wifi, "2.4GHz": { ssid: "x", security: "wpa3-sae" } }, wan: { mode: "ipoe" } } }));
    expect(og.unsupported).toEqual(["wifi.5GHz"]);
    expect(og.problems).toEqual([{ field: "wifi.2.4GHz.security", message: "wpa3-sae is not supported by this model (wpa2-psk, wpa-wpa2-psk, wep, open)" }]);
    expect(og.values.get("wifi.2.4GHz.security")?.value).toBe("wpa2-psk"); // the profile's default stays desired
    expect(og.values.get("wifi.2.4GHz.ssid")?.value).toBe("x");
    const zte = computeDesired(input({ profile: byClass("ZXHN H298A"), line: { wifi: { "5GHz": { channel: 100 } }, wan: { mode: "pppoe", vlan: 835, pppoe: { username: "u", password: "p" } } } }));
    expect(zte.problems).toEqual([{ field: "wifi.5GHz.channel", message: "100 is not a channel this model supports (36, 40, 44, 48, 52, 56, 60, 64)" }]);
    expect(zte.values.get("wifi.5GHz.channel")?.value).toBe("auto");
    expect(zte.values.get("wan.vlan")?.value).toBe(835);
    expect(zte.unsupported).toEqual([]);
  });

  it("has a ParameterKey that follows the desired state, and survives forgetting the confirmed password", () => {
    const hw = byClass("HW-AX3000");
    const a = computeDesired(input({ profile: hw }));
    expect(computeDesired(input({ profile: hw })).parameterKey).toBe(a.parameterKey);
    const renamed = computeDesired(input({ profile: hw, line: { ...LINE, wifi: { ...LINE.wifi, "2.4GHz": { ...LINE.wifi["2.4GHz"], ssid: "Other" } } } }));
    expect(renamed.parameterKey).not.toBe(a.parameterKey);
    const confirmed = computeDesired(input({
      profile: hw, credentials: { ...CREDS, cpePassword: null, confirmed: true }, confirmedAcsPasswordHash: valueHash("cpe-password-1"),
    }));
    expect(confirmed.values.get("management.acsPassword")).toEqual({ value: undefined, hash: valueHash("cpe-password-1"), secret: true, sendable: false });
    expect(confirmed.parameterKey).toBe(a.parameterKey);
    expect(parameterKeyOf(new Map())).toHaveLength(32);
  });
});

describe("jitteredInterval", () => {
  it("spreads devices deterministically within ±fraction, inside the catalogue's bounds", () => {
    const values = Array.from({ length: 200 }, (_, i) => jitteredInterval(3600, `dev-${i}`, 0.1));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(3240);
    expect(Math.max(...values)).toBeLessThanOrEqual(3960);
    expect(new Set(values).size).toBeGreaterThan(100);
    expect(jitteredInterval(3600, "dev-7", 0.1)).toBe(values[7]);
    expect(jitteredInterval(60, "dev-1", 0.5)).toBeGreaterThanOrEqual(60);
    expect(jitteredInterval(86_400, "dev-1", 0.5)).toBeLessThanOrEqual(86_400);
  });
});

describe("encodeKeys and readPaths", () => {
  it("encodes only the keys asked for, in the context of the whole desired state", () => {
    const hw = byClass("HW-AX3000");
    const d = computeDesired(input({ profile: hw }));
    expect(encodeKeys(hw, d, ["wifi.5GHz.ssid"])).toEqual({ keys: ["wifi.5GHz.ssid"], values: [{ name: "Device.WiFi.SSID.2.SSID", value: "Dupont-5G", type: "xsd:string" }] });
    // A WPA3 passphrase goes to SAEPassphrase: the band's security travels with it.
    const pass = encodeKeys(hw, d, ["wifi.5GHz.passphrase"]);
    expect(pass.keys).toEqual(["wifi.5GHz.passphrase", "wifi.5GHz.security"]);
    expect(pass.values.map((v) => `${v.name}=${v.value}`)).toEqual([
      "Device.WiFi.AccessPoint.2.Security.SAEPassphrase=dupont passphrase 5",
      "Device.WiFi.AccessPoint.2.Security.ModeEnabled=WPA3-Personal",
      "Device.WiFi.AccessPoint.2.Security.MFPConfig=Required",
    ]);
    expect(encodeKeys(hw, d, ["wifi.5GHz.ssid", "wifi.5GHz.passphrase"], ["wifi.5GHz.security"]).keys).toEqual(["wifi.5GHz.ssid"]);
    expect(encodeKeys(hw, d, ["wifi.2.4GHz.channel"]).values.map((v) => v.name)).toEqual(["Device.WiFi.Radio.1.Channel", "Device.WiFi.Radio.1.AutoChannelEnable"]);
  });

  it("never reads secrets back (they read empty)", () => {
    const hw = byClass("HW-AX3000");
    const d = computeDesired(input({ profile: hw }));
    const paths = readPaths(hw, d, d.values.keys());
    expect(paths).toContain("Device.WiFi.SSID.1.SSID");
    expect(paths).toContain("Device.ManagementServer.Username");
    expect(paths.some((p) => /Passphrase|Password|PreSharedKey/.test(p))).toBe(false);
  });
});

describe("desiredFor", () => {
  it("computes again as soon as any input differs, and only then", () => {
    const profile = byClass("HW-AX3000");
    const creds = { ...CREDS };
    const first = desiredFor(input({ profile, credentials: creds }));
    expect(desiredFor(input({ profile, credentials: creds }))).toBe(first);
    // A line edited (a new object, as every store reads a changed line) changes the desired state.
    const renamed = { ...LINE, wifi: { ...LINE.wifi, "2.4GHz": { ...LINE.wifi["2.4GHz"]!, ssid: "Renamed" } } };
    const edited = desiredFor(input({ profile, credentials: creds, line: renamed }));
    expect(edited.values.get("wifi.2.4GHz.ssid")?.value).toBe("Renamed");
    expect(edited.parameterKey).not.toBe(first.parameterKey);
    const changes: Partial<DesiredInput>[] = [
      { line: LINE }, { scope: "management" }, { periodicInformInterval: 3600 }, { confirmedAcsPasswordHash: "h" },
      { ntpServers: ["ntp.example"] }, { timeZone: "UTC0" }, { profile: byClass("FLO-G2425"), scope: "ont" },
    ];
    let last = edited;
    for (const change of changes) {
      const next = desiredFor(input({ profile, credentials: creds, line: renamed, ...change }));
      expect(next).toEqual(computeDesired(input({ profile, credentials: creds, line: renamed, ...change })));
      expect(next.parameterKey).not.toBe(last.parameterKey);
      last = next;
    }
    // Other credentials (a new generation after a factory reset): their own desired state.
    const other = desiredFor(input({ profile, credentials: { ...creds, cpePassword: "new-password" } }));
    expect(other.values.get("management.acsPassword")?.value).toBe("new-password");
  });
});
