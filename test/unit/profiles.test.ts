import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isVendorPath, lookupObject, lookupParameter, readDataModels } from "../../acs/provisioning/bbf/data-model.ts";
import { ProfileError, type Profile } from "../../acs/provisioning/profile.ts";
import { createProfileRegistry, DEFAULT_PROFILE_DIR, loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import type { SettingKey, Settings } from "../../acs/provisioning/settings-catalogue.ts";
import { CATALOGUE, catalogueEntry, flattenSettings, unflattenSettings } from "../../acs/provisioning/settings-entries.ts";
import {
  objectPath,
  parameterValuesToSettings,
  profileReadPaths,
  settingsToParameterValues,
  SettingsError,
  validateSettingsForProfile,
} from "../../acs/provisioning/settings-mapping.ts";
import type { GetParameterValuesResponse, ParameterValue } from "../../acs/cwmp/messages.ts";
import { handleAcsRequest } from "../../agent/rpc/dispatch.ts";
import { MODEL_NAMES } from "../../agent/drivers/sim/model-spec.ts";
import { SimDevice } from "../../agent/drivers/sim/sim-driver.ts";
import { PROFILE_FIELD_ORDER } from "../../firmware-profiles/lib/types.ts";
import { ROUND_TRIPS } from "../fixtures/profiles/round-trips.ts";

const profiles = await loadProfiles();
const registry = createProfileRegistry(profiles);
const models = readDataModels();
const byFile = (file: string): Profile => profiles.find((p) => p.file === file)!;
const HOMEWAVE = byFile("firmware-profiles/homewave/hw-ax3000.ts");
const OLDGATE = byFile("firmware-profiles/oldgate/og-n300.ts");
const ZTE = byFile("firmware-profiles/zte/zxhn-h298a.ts");
const ONT = byFile("firmware-profiles/fiberlink/flo-g2425.ts");

// ---- named allow-lists: the only exemptions from the invariants below ----------

/** Writable settings of a group a profile maps (wifi.<band>, wan, …) that its model cannot set. */
const WRITABLE_SETTING_UNMAPPED_ALLOWED: Readonly<Record<string, readonly SettingKey[]>> = {
  // PPPoE straight on the WAN port: the model has no VLAN object.
  "firmware-profiles/homewave/hw-ax3000.ts": ["wan.vlan"],
  // No VLAN parameter, standard or vendor.
  "firmware-profiles/oldgate/og-n300.ts": ["wan.vlan"],
};

/** A catalogue key's group: "wifi.5GHz" for Wi-Fi keys, else the first segment. */
const groupOf = (key: string): string => {
  const path = catalogueEntry(key)!.path;
  return path[0] === "wifi" ? `wifi.${path[1]}` : path[0]!;
};

/** Settings without the keys `drop` selects (secrets that read back "", policies that never reach a device). */
function without(settings: Settings, drop: (key: string) => boolean): Settings {
  return unflattenSettings(new Map([...flattenSettings(settings)].filter(([k]) => !drop(k))));
}
const isPolicy = (key: string) => catalogueEntry(key)!.meta.access === "policy";
const isSecretOrPolicy = (key: string) => isPolicy(key) || catalogueEntry(key)!.meta.secret === true;

describe("profile invariants", () => {
  it("loads the four profiles", () => {
    expect(profiles.map((p) => p.file)).toEqual([
      "firmware-profiles/fiberlink/flo-g2425.ts",
      "firmware-profiles/homewave/hw-ax3000.ts",
      "firmware-profiles/oldgate/og-n300.ts",
      "firmware-profiles/zte/zxhn-h298a.ts",
    ]);
  });

  it("match keys (OUI, ProductClass, hardware version) are unique across profiles", () => {
    const keys = profiles.flatMap((p) => p.match.hardwareVersions.map((hw) => `${p.match.oui}/${p.match.productClass}/${hw}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  describe.each(profiles.map((p) => [p.file, p] as const))("%s", (_file, profile) => {
    it("lists its fields in the canonical order", () => {
      const keys = Object.keys(profile).filter((k) => k !== "file" && k !== "parameters");
      expect(keys).toEqual(PROFILE_FIELD_ORDER.filter((k) => k in profile));
    });

    it("is what the registry finds for each of its hardware versions", () => {
      for (const hardwareVersion of profile.match.hardwareVersions) {
        const device = { oui: profile.match.oui, productClass: profile.match.productClass, hardwareVersion, softwareVersion: "0" };
        expect(registry.find(device)).toBe(profile);
      }
    });

    it("has an encoder for every writable setting of each group it maps", () => {
      const mapped = new Set(profile.mapping.filter((r) => r[2].kind === "value" && r[2].encode).map((r) => r[0]));
      const groups = new Set(profile.mapping.map((r) => groupOf(r[0])));
      const allowed = WRITABLE_SETTING_UNMAPPED_ALLOWED[profile.file] ?? [];
      const missing: string[] = [];
      for (const e of CATALOGUE) {
        if (e.meta.access !== "rw" || !groups.has(groupOf(e.key))) continue;
        if (allowed.includes(e.key as SettingKey)) continue;
        if (!mapped.has(e.key)) missing.push(e.key);
      }
      expect(missing).toEqual([]);
      // An allow-list entry that the profile does map is stale.
      expect(allowed.filter((k) => mapped.has(k))).toEqual([]);
    });

    it("maps only paths of its data model, with the codec's type, writable where it writes", () => {
      const defs = models[profile.dataModel];
      const problems: string[] = [];
      for (const [key, path, codec] of profile.mapping) {
        if (codec.kind === "object") {
          if (!lookupObject(defs, path).ok) problems.push(path);
          continue;
        }
        // Vendor extensions are exempt from the BBF lookup only when the profile declares them.
        if (isVendorPath(path)) {
          if (!profile.vendorParameters?.[path]) problems.push(`${path} (undeclared vendor parameter)`);
          continue;
        }
        const p = lookupParameter(defs, path);
        if (!p.ok) problems.push(`${path}: ${p.reason}`);
        else if (p.def.t !== codec.type) problems.push(`${path}: ${codec.type} vs ${p.def.t}`);
        else if (codec.encode && catalogueEntry(key)!.meta.access === "rw" && !p.def.w) problems.push(`${path}: read-only`);
      }
      expect(problems).toEqual([]);
    });

    it("never imports another profile", () => {
      const file = resolve(DEFAULT_PROFILE_DIR, "..", profile.file);
      const specifiers = [...readFileSync(file, "utf8").matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!);
      const outsideLib = specifiers.filter((s) => !relative(join(DEFAULT_PROFILE_DIR, "lib"), resolve(dirname(file), s)).match(/^[^.]/));
      expect(specifiers.length).toBeGreaterThan(0);
      expect(outsideLib).toEqual([]);
    });

    it("has defaults the model accepts", () => {
      expect(validateSettingsForProfile(profile, profile.defaults)).toEqual({ ok: true, warnings: [] });
    });

    it("has a round-trip fixture", () => {
      expect(ROUND_TRIPS.some((rt) => rt.profile === profile.file)).toBe(true);
    });
  });
});

describe("round trips: settings → SetParameterValues → settings", () => {
  it.each(ROUND_TRIPS.map((rt) => [rt.name, rt] as const))("%s", (_name, rt) => {
    const profile = byFile(rt.profile);
    const values = settingsToParameterValues(profile, rt.settings);
    expect(values.map((v) => [v.name, v.value, v.type])).toEqual(rt.native);

    const readBack = new Map(values.map((v) => [v.name, v.value]));
    expect(parameterValuesToSettings(profile, readBack)).toEqual(without(rt.settings, isPolicy));

    // A CPE reads hidden/secured parameters back as "": the secrets are then unknown, not empty.
    const masked = new Map(values.map((v) => [v.name, profile.parameters.get(v.name)!.def.s ? "" : v.value]));
    expect(parameterValuesToSettings(profile, masked)).toEqual(without(rt.settings, isSecretOrPolicy));
  });

  it("reads an ONT's optical levels in dBm and its 64-bit counters as text, ignoring the no-data sentinel", () => {
    const read = parameterValuesToSettings(
      ONT,
      new Map([
        ["Device.Optical.Interface.1.OpticalSignalLevel", "-19870"],
        ["Device.Optical.Interface.1.TransmitOpticalLevel", "2310"],
        ["Device.IP.Interface.1.Stats.BytesSent", "18446744073709551615"],
        ["Device.IP.Interface.1.Stats.BytesReceived", "123456789012345678"],
        ["Device.Unmapped.Parameter", "1"],
      ]),
    );
    expect(read).toEqual({ linkRate: { opticalRxLevel: -19.87, opticalTxLevel: 2.31, wanBytesReceived: "123456789012345678" } });
    expect(objectPath(ONT, "linkRate.downloadDiagnostics")).toBe("Device.IP.Diagnostics.DownloadDiagnostics.");
    expect(objectPath(OLDGATE, "linkRate.uploadDiagnostics")).toBe("InternetGatewayDevice.UploadDiagnostics.");
  });
});

describe("a TR-098 and a TR-181 router", () => {
  const same: Settings = {
    wifi: { "2.4GHz": { ssid: "Flex-Home", passphrase: "correct-horse-battery", security: "wpa2-psk", channel: 6 } },
    wan: { mode: "pppoe", pppoe: { username: "0123456789@fibre.flexnet.example" } },
    time: { zone: "CET-1CEST,M3.5.0,M10.5.0/3" },
  };
  const tr181 = settingsToParameterValues(HOMEWAVE, same);
  const tr098 = settingsToParameterValues(OLDGATE, same);
  const valueOf = (list: ParameterValue[], name: string) => list.find((v) => v.name === name)?.value;

  it("get the same abstract settings through different paths", () => {
    expect(tr181.map((v) => v.name).filter((n) => tr098.some((w) => w.name === n))).toEqual([]);
    expect(valueOf(tr181, "Device.WiFi.SSID.1.SSID")).toBe("Flex-Home");
    expect(valueOf(tr098, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID")).toBe("Flex-Home");
    expect(valueOf(tr181, "Device.WiFi.AccessPoint.1.Security.ModeEnabled")).toBe("WPA2-Personal");
    const wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
    expect([valueOf(tr098, `${wlan}BeaconType`), valueOf(tr098, `${wlan}IEEE11iEncryptionModes`), valueOf(tr098, `${wlan}IEEE11iAuthenticationMode`)]).toEqual([
      "11i",
      "AESEncryption",
      "PSKAuthentication",
    ]);
    expect(valueOf(tr181, "Device.Time.LocalTimeZone")).toBe(valueOf(tr098, "InternetGatewayDevice.Time.LocalTimeZoneName"));
  });

  it("read back to the same settings", () => {
    const back181 = parameterValuesToSettings(HOMEWAVE, new Map(tr181.map((v) => [v.name, v.value])));
    const back098 = parameterValuesToSettings(OLDGATE, new Map(tr098.map((v) => [v.name, v.value])));
    expect(back181).toEqual(same);
    expect(back098).toEqual(same);
  });

  it("read TR-098 1/0 booleans and Huawei's WPAWPA2 beacon type", () => {
    const wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
    const read = parameterValuesToSettings(
      OLDGATE,
      new Map([
        [`${wlan}Enable`, "1"],
        [`${wlan}RadioEnabled`, "1"],
        [`${wlan}BeaconType`, "WPAWPA2"],
        [`${wlan}AutoChannelEnable`, "1"],
        [`${wlan}Channel`, "6"],
        [`${wlan}SSIDAdvertisementEnabled`, "0"],
      ]),
    );
    expect(read).toEqual({ wifi: { "2.4GHz": { enabled: true, security: "wpa-wpa2-psk", channel: "auto", hidden: true } } });
  });
});

describe("settings a model cannot take", () => {
  it("an unsupported 5 GHz channel names the field and the model's channels", () => {
    const r = validateSettingsForProfile(ZTE, { wifi: { "5GHz": { channel: 100 } } });
    expect(r).toEqual({
      ok: false,
      errors: [{ field: "wifi.5GHz.channel", message: "100 is not a channel this model supports (36, 40, 44, 48, 52, 56, 60, 64)" }],
    });
    expect(validateSettingsForProfile(HOMEWAVE, { wifi: { "5GHz": { channel: 100 } } }).ok).toBe(true);
  });

  it("a channel outside France's plan is refused for every model", () => {
    expect(validateSettingsForProfile(HOMEWAVE, { wifi: { "2.4GHz": { channel: 14 } } })).toEqual({
      ok: false,
      errors: [{ field: "wifi.2.4GHz.channel", message: "14 is not a 2.4GHz channel allowed in France (1–13)" }],
    });
  });

  it("an unsupported security mode names the field", () => {
    expect(validateSettingsForProfile(OLDGATE, { wifi: { "2.4GHz": { security: "wpa3-sae" } } })).toEqual({
      ok: false,
      errors: [{ field: "wifi.2.4GHz.security", message: "wpa3-sae is not supported by this model (wpa2-psk, wpa-wpa2-psk, wep, open)" }],
    });
    expect(() => settingsToParameterValues(HOMEWAVE, { wifi: { "5GHz": { security: "wpa-wpa2-psk" } } })).toThrow(
      new SettingsError([{ field: "wifi.5GHz.security", message: "wpa-wpa2-psk is not supported by this model (wpa2-psk, wpa2-wpa3-psk, wpa3-sae, open)" }]),
    );
  });

  it("insecure modes need the explicit override and then come back as a warning", () => {
    expect(validateSettingsForProfile(OLDGATE, { wifi: { "2.4GHz": { security: "open" } } })).toEqual({
      ok: false,
      errors: [{ field: "wifi.2.4GHz.security", message: "open is insecure: set insecureOverride to use it" }],
    });
    expect(validateSettingsForProfile(OLDGATE, { wifi: { "2.4GHz": { security: "open", insecureOverride: true } } })).toEqual({
      ok: true,
      warnings: [{ field: "wifi.2.4GHz.security", message: "open is insecure (allowed by insecureOverride)" }],
    });
    // The passphrase kept in the desired settings is not sent to an open network.
    const wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
    expect(settingsToParameterValues(OLDGATE, { wifi: { "2.4GHz": { security: "open", insecureOverride: true, passphrase: "kept-for-later" } } })).toEqual([
      { name: `${wlan}BasicEncryptionModes`, value: "None", type: "xsd:string" },
      { name: `${wlan}BeaconType`, value: "None", type: "xsd:string" },
    ]);
  });

  it("a missing band, an unmapped setting, a reading and a key the model cannot hold are named", () => {
    expect(validateSettingsForProfile(ONT, { wifi: { "5GHz": { ssid: "x", channel: 36 } }, wan: { vlan: 832 } })).toEqual({
      ok: false,
      errors: [
        { field: "wifi.5GHz", message: "this model has no 5GHz Wi-Fi" },
        { field: "wan.vlan", message: "this model has no parameter for this setting" },
      ],
    });
    expect(validateSettingsForProfile(HOMEWAVE, { linkRate: { wanEthernetBitRate: 1000 } })).toEqual({
      ok: false,
      errors: [{ field: "linkRate.wanEthernetBitRate", message: "is a reading of the device, not a setting" }],
    });
    // OldGate has no PreSharedKey table, so a raw 64-hex PSK has nowhere to go.
    expect(validateSettingsForProfile(OLDGATE, { wifi: { "2.4GHz": { passphrase: "ab".repeat(32) } } })).toEqual({
      ok: false,
      errors: [{ field: "wifi.2.4GHz.passphrase", message: "this model has no parameter that can take this value" }],
    });
    expect(validateSettingsForProfile(ZTE, { ntp: { servers: ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"] } })).toEqual({
      ok: false,
      errors: [{ field: "ntp.servers", message: "must list at most 5 servers" }],
    });
  });

  it("a passphrase is checked against the security mode in effect, from the profile defaults when not given", () => {
    expect(validateSettingsForProfile(HOMEWAVE, { wifi: { "5GHz": { passphrase: "ab".repeat(32), security: "wpa3-sae" } } })).toEqual({
      ok: false,
      errors: [{ field: "wifi.5GHz.passphrase", message: "wpa3-sae needs a passphrase, not a 64-hex PSK" }],
    });
    // Defaults say wpa2-psk: a raw PSK goes to Security.PreSharedKey.
    expect(settingsToParameterValues(HOMEWAVE, { wifi: { "5GHz": { passphrase: "AB".repeat(32) } } })).toEqual([
      { name: "Device.WiFi.AccessPoint.2.Security.PreSharedKey", value: "AB".repeat(32), type: "xsd:hexBinary" },
    ]);
  });
});

describe("profiles against the simulated models", () => {
  const host = {
    now: () => Date.parse("2026-05-04T10:00:00Z"),
    crUrl: () => "",
    settings: { acsUrl: "http://127.0.0.1:7547/", username: "", password: "", periodicInterval: 3600 },
  };
  const simOptions = { delayMs: 0, failureRate: 0, random: () => 0.5, diagnosticsDelayMs: 0 };
  const sims = MODEL_NAMES.map((name) => new SimDevice(name, host, { serial: `SIM-${name}`, seed: 424242, crPath: "cr" }, simOptions));

  const identityOf = (sim: SimDevice) => {
    const info = (p: string) => sim.model.get(`${sim.model.root}DeviceInfo.${p}`)!;
    return { oui: sim.deviceId.oui, productClass: sim.deviceId.productClass, hardwareVersion: info("HardwareVersion"), softwareVersion: info("SoftwareVersion") };
  };
  // Which profile each simulated device gets, found as the ACS would from its Inform.
  const simByProfile = new Map(sims.map((s) => [registry.find(identityOf(s))?.file, s]));
  const profileOf = (sim: SimDevice): Profile => registry.find(identityOf(sim))!;

  it("finds a profile for each simulated model, from the identity the device reports", () => {
    expect([...simByProfile.keys()].sort()).toEqual([ONT.file, HOMEWAVE.file, OLDGATE.file]);
    for (const sim of sims) {
      expect(profileOf(sim).match.manufacturer).toBe(sim.deviceId.manufacturer);
      expect(profileOf(sim).match.manufacturer).toBe(sim.model.get(`${sim.model.root}DeviceInfo.Manufacturer`));
    }
  });

  function read(sim: SimDevice, profile: Profile): Settings {
    const out = handleAcsRequest(sim.model, { kind: "GetParameterValues", parameterNames: profileReadPaths(profile) }, sim.readOptions);
    expect(out.response.kind).toBe("GetParameterValuesResponse");
    const list = (out.response as GetParameterValuesResponse).parameterList;
    return parameterValuesToSettings(profile, new Map(list.map((v) => [v.name, v.value])));
  }

  it.each(sims.map((s) => [s.name, s] as const))("%s: every mapped path exists there, writable where the profile writes", (_name, sim) => {
    const profile = profileOf(sim);
    const problems: string[] = [];
    for (const [key, path, codec] of profile.mapping) {
      const r = sim.model.resolve(path);
      if (codec.kind === "object") {
        if (r?.kind !== "object") problems.push(`${path}: no such object`);
      } else if (r?.kind !== "param") problems.push(`${path}: no such parameter`);
      else if (codec.encode && catalogueEntry(key)!.meta.access === "rw" && r.node.def.w !== 1) problems.push(`${path}: read-only`);
    }
    expect(problems).toEqual([]);
  });

  it("reads the factory state of each model", () => {
    const [hw, og, ont] = ["router-tr181", "router-tr098", "ont-tr181"].map((n) => sims.find((s) => s.name === n)!);
    const hwState = read(hw!, profileOf(hw!));
    expect(hwState.wifi?.["2.4GHz"]).toMatchObject({ enabled: true, security: "wpa2-psk", channel: 6, hidden: false });
    expect(hwState.wifi?.["5GHz"]).toMatchObject({ security: "wpa2-psk", channel: "auto" });
    expect(hwState.wan).toMatchObject({ mode: "pppoe" });
    expect(hwState.linkRate?.wanEthernetBitRate).toBe(1000);
    expect(hwState.time?.zone).toBe("CET-1CEST,M3.5.0,M10.5.0/3");
    expect(hwState.ntp?.servers).toEqual(["ntp1.flexnet.example", "pool.ntp.org"]);

    const ogState = read(og!, profileOf(og!));
    expect(ogState.wifi?.["2.4GHz"]).toMatchObject({ enabled: true, security: "wpa2-psk", channel: 6, hidden: false });
    expect(ogState.wan?.mode).toBe("pppoe");

    const ontProfile = profileOf(ont!);
    const ontState = read(ont!, ontProfile);
    const [rxMin, rxMax] = ontProfile.optical!.rxDbm;
    expect(ontState.linkRate?.opticalRxLevel).toBeGreaterThanOrEqual(rxMin);
    expect(ontState.linkRate?.opticalRxLevel).toBeLessThanOrEqual(rxMax);
    expect(ontState.wifi).toBeUndefined();
  });

  // The ZTE profile has no simulated device; its fixture is covered by the round-trip suite above.
  const simulated = ROUND_TRIPS.filter((rt) => simByProfile.has(rt.profile));
  it.each(simulated.map((rt) => [rt.name, rt] as const))("%s: the simulated device accepts it and reads it back", (_name, rt) => {
    const sim = simByProfile.get(rt.profile)!;
    const profile = profileOf(sim);
    const parameterList = settingsToParameterValues(profile, rt.settings);
    const out = handleAcsRequest(sim.model, { kind: "SetParameterValues", parameterList, parameterKey: "profile-test" });
    expect(out.response).toEqual({ kind: "SetParameterValuesResponse", status: 0 });
    const back = read(sim, profile);
    expect(without(back, (k) => !flattenSettings(rt.settings).has(k as SettingKey))).toEqual(without(rt.settings, isSecretOrPolicy));
  });
});

describe("a bad profile stops loading with file, field and reason", () => {
  const lib = (f: string) => pathToFileURL(join(DEFAULT_PROFILE_DIR, "lib", f)).href;
  const header = [
    `import { defineProfile } from "${lib("types.ts")}";`,
    `import { text, integer } from "${lib("codecs.ts")}";`,
    `import { tr181WifiBand } from "${lib("tr181.ts")}";`,
    `import { vlanId } from "${lib("wan-codecs.ts")}";`,
  ].join("\n");
  const FIRMWARE = `targetFirmware: { version: "1.1", fileName: "acme-1.1.bin", size: 1024, sha256: "${"0".repeat(64)}" }`;
  const profileSource = (o: { match?: string; mapping?: string; extra?: string; defaults?: string; wifi?: string }) => `${header}
export default defineProfile({
  match: ${o.match ?? `{ manufacturer: "Acme", oui: "ACCE55", productClass: "ACME-1", hardwareVersions: ["A"] }`},
  vendor: "Acme",
  model: "One",
  description: "test profile",
  dataModel: "tr181",
  mapping: [${o.mapping ?? `["management.periodicInformInterval", "Device.ManagementServer.PeriodicInformInterval", integer()]`}],
  ${o.extra ?? ""}
  defaults: ${o.defaults ?? "{}"},
  ${o.wifi ?? ""}
  ${FIRMWARE},
});
`;
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  /** Writes files (vendor/model.ts → source) into a fresh temp dir and loads it. */
  function loadFrom(files: Record<string, string>): Promise<Profile[]> {
    const root = mkdtempSync(join(tmpdir(), "flexacs-profiles-"));
    roots.push(root);
    for (const [name, src] of Object.entries(files)) {
      mkdirSync(join(root, dirname(name)), { recursive: true });
      writeFileSync(join(root, name), src);
    }
    return loadProfiles(root, models);
  }
  async function errorOf(files: Record<string, string>): Promise<ProfileError> {
    const err = await loadFrom(files).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProfileError);
    return err as ProfileError;
  }

  it("loads the valid base profile (so each case below fails for its own reason)", async () => {
    const loaded = await loadFrom({ "acme/one.ts": profileSource({}) });
    expect(loaded.map((p) => p.model)).toEqual(["One"]);
  });

  it.each([
    {
      case: "a path the data model does not have",
      src: { mapping: `["wifi.2.4GHz.ssid", "Device.WiFi.SSID.1.SSIDD", text]` },
      field: "mapping[0]",
      reason: "wifi.2.4GHz.ssid → Device.WiFi.SSID.1.SSIDD: Device:2.17 object Device.WiFi.SSID.{i}. has no parameter SSIDD (or it is obsoleted/deleted)",
    },
    {
      case: "a read-only path for a writable setting",
      src: { mapping: `["management.periodicInformInterval", "Device.ManagementServer.ParameterKey", text]` },
      field: "mapping[0]",
      reason: "management.periodicInformInterval → Device.ManagementServer.ParameterKey: management.periodicInformInterval is a writable setting but the parameter is read-only",
    },
    {
      case: "a codec of the wrong type",
      src: { mapping: `["management.acsUsername", "Device.ManagementServer.PeriodicInformInterval", text]` },
      field: "mapping[0]",
      reason: "management.acsUsername → Device.ManagementServer.PeriodicInformInterval: text has type string but the parameter is unsignedInt",
    },
    {
      case: "a table path without its instance number",
      src: { mapping: `["wifi.2.4GHz.ssid", "Device.WiFi.SSID.SSID", text]` },
      field: "mapping[0]",
      reason: "wifi.2.4GHz.ssid → Device.WiFi.SSID.SSID: Device.WiFi.SSID. is a table: the path needs an instance number",
    },
    {
      case: "an undeclared vendor parameter",
      src: { mapping: `["wan.vlan", "Device.Ethernet.Interface.1.X_ACME_VLAN", vlanId]` },
      field: "mapping[0]",
      reason: "wan.vlan → Device.Ethernet.Interface.1.X_ACME_VLAN: a vendor X_ parameter must be declared in vendorParameters",
    },
    {
      case: "a codec value the parameter's enumeration lacks",
      src: {
        mapping: `["wifi.2.4GHz.security", "Device.WiFi.AccessPoint.1.Security.ModeEnabled", { kind: "value", name: "wpa9", type: "string", values: ["WPA9-Personal"], encode: () => "WPA9-Personal" }]`,
      },
      field: "mapping[0]",
      reason: expect.stringContaining(`wpa9 can write "WPA9-Personal", which the parameter does not accept (None, WEP-64`),
    },
    {
      case: "a key outside the catalogue",
      src: { mapping: `["wifi.2.4GHz.colour", "Device.WiFi.SSID.1.SSID", text]` },
      field: "mapping[0]",
      reason: "wifi.2.4GHz.colour → Device.WiFi.SSID.1.SSID: wifi.2.4GHz.colour is not a key of the settings catalogue",
    },
    {
      case: "a malformed OUI",
      src: { match: `{ manufacturer: "Acme", oui: "acce5", productClass: "ACME-1", hardwareVersions: ["A"] }` },
      field: "match.oui",
      reason: "must be 6 upper-case hex digits",
    },
    {
      case: "a field profiles do not have",
      src: { extra: `colour: "blue",` },
      field: "colour",
      reason: "is not a field of a profile",
    },
    {
      case: "Wi-Fi rows without declared modes and channels",
      src: { mapping: `...tr181WifiBand({ band: "2.4GHz", radio: 1, ssid: 1, accessPoint: 1 })` },
      field: "wifi.2.4GHz",
      reason: "the mapping has 2.4GHz rows, so its security modes and channels must be declared",
    },
    {
      case: "defaults the model cannot take",
      src: {
        mapping: `...tr181WifiBand({ band: "2.4GHz", radio: 1, ssid: 1, accessPoint: 1 })`,
        wifi: `wifi: { "2.4GHz": { security: ["wpa2-psk"], channels: [1, 6, 11] } },`,
        defaults: `{ wifi: { "2.4GHz": { channel: 13 } } }`,
      },
      field: "defaults.wifi.2.4GHz.channel",
      reason: "13 is not a channel this model supports (1, 6, 11)",
    },
  ])("$case", async ({ src, field, reason }) => {
    const err = await errorOf({ "acme/one.ts": profileSource(src) });
    expect({ file: err.file, field: err.field, reason: err.reason }).toEqual({ file: expect.stringMatching(/acme\/one\.ts$/), field, reason });
    expect(err.message).toContain(`acme/one.ts: ${field}: `);
  });

  it("a second export", async () => {
    const err = await errorOf({ "acme/one.ts": `${profileSource({})}export const extra = 1;\n` });
    expect([err.field, err.reason]).toEqual(["(module)", "must have exactly one export, `export default defineProfile({...})` (found: default, extra)"]);
  });

  it("two profiles matching the same device", async () => {
    const err = await errorOf({ "acme/one.ts": profileSource({}), "acme/two.ts": profileSource({}) });
    expect([err.file, err.field]).toEqual([expect.stringMatching(/acme\/two\.ts$/), "match"]);
    expect(err.reason).toMatch(/^ACCE55\/ACME-1\/A is already matched by .*acme\/one\.ts \(make the firmware ranges disjoint\)$/);
  });

  it("but the same device on disjoint firmware ranges is fine, and the registry picks by version", async () => {
    const range = (min: string, max: string) =>
      `{ manufacturer: "Acme", oui: "ACCE55", productClass: "ACME-1", hardwareVersions: ["A"], firmware: { min: "${min}", max: "${max}" } }`;
    const loaded = await loadFrom({
      "acme/one.ts": profileSource({ match: range("1.0", "1.9.9") }),
      "acme/two.ts": profileSource({ match: range("2.0", "2.10") }),
    });
    const reg = createProfileRegistry(loaded);
    const find = (softwareVersion: string) => reg.find({ oui: "acce55", productClass: "ACME-1", hardwareVersion: "A", softwareVersion })?.file;
    expect(find("1.9.2")).toMatch(/one\.ts$/);
    expect(find("2.10")).toMatch(/two\.ts$/);
    expect(find("2.11")).toBeUndefined();
  });
});
