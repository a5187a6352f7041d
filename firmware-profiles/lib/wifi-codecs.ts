// Wi-Fi codecs: channel, security mode and key, for TR-181 (one ModeEnabled
// enumeration, one parameter per key kind) and TR-098 (BeaconType plus the
// encryption/authentication companions, KeyPassphrase or PreSharedKey).
import { parseBoolean } from "../../agent/datamodel/values.ts";
import { isRawPsk, PSK_SECURITY_MODES as PSK_MODES, type SecurityMode, type SettingKey } from "../../acs/provisioning/settings-catalogue.ts";
import type { EncodeContext, ValueCodec } from "./types.ts";

type Channel = "auto" | number;

/** Radio channel number; "auto" leaves it to the radio (see autoChannel). */
export const channelNumber: ValueCodec<Channel> = {
  kind: "value",
  name: "channelNumber",
  type: "unsignedInt",
  encode: (v) => (v === "auto" ? undefined : String(v)),
  decode: (raw, acc) => (/^\d+$/.test(raw) && raw !== "0" ? Number(raw) : acc),
};

/** AutoChannelEnable: true for "auto", false for a fixed channel. Folded after channelNumber. */
export const autoChannel: ValueCodec<Channel> = {
  kind: "value",
  name: "autoChannel",
  type: "boolean",
  encode: (v) => (v === "auto" ? "true" : "false"),
  decode: (raw, acc) => (parseBoolean(raw) === "true" ? "auto" : acc),
};

const invert = <K extends string>(m: Readonly<Partial<Record<SecurityMode, K>>>) =>
  new Map(Object.entries(m).map(([k, v]) => [v as string, k as SecurityMode]));

/** Enumeration codec for one security companion parameter; `read` maps raw values back where they are decisive. */
function securityEnum(
  name: string,
  write: Readonly<Partial<Record<SecurityMode, string>>>,
  read: (raw: string, acc: SecurityMode | undefined) => SecurityMode | undefined,
): ValueCodec<SecurityMode> {
  return { kind: "value", name, type: "string", values: [...new Set(Object.values(write))], encode: (v) => write[v], decode: read };
}

// ---- TR-181: Device.WiFi.AccessPoint.{i}.Security. ---------------------------

const TR181_MODES: Readonly<Record<SecurityMode, string>> = {
  "wpa2-psk": "WPA2-Personal",
  "wpa2-wpa3-psk": "WPA3-Personal-Transition",
  "wpa3-sae": "WPA3-Personal",
  "wpa-wpa2-psk": "WPA-WPA2-Personal",
  wep: "WEP-128",
  open: "None",
};
const TR181_MODES_READ = invert(TR181_MODES).set("WEP-64", "wep");

export const tr181ModeEnabled = securityEnum("tr181ModeEnabled", TR181_MODES, (raw, acc) => TR181_MODES_READ.get(raw) ?? acc);

/** MFPConfig: WPA3 requires management frame protection, transition mode offers it. */
export const tr181Mfp = securityEnum(
  "tr181Mfp",
  { "wpa3-sae": "Required", "wpa2-wpa3-psk": "Optional", "wpa2-psk": "Optional", "wpa-wpa2-psk": "Disabled" },
  (_raw, acc) => acc,
);

// ---- TR-098: …LANDevice.{i}.WLANConfiguration.{i}. ---------------------------

/** Folded before beaconType: tells WEP from open under BeaconType "Basic". */
export const tr098BasicEncryption = securityEnum(
  "tr098BasicEncryption",
  { wep: "WEPEncryption", open: "None", "wpa2-psk": "None", "wpa-wpa2-psk": "None" },
  (raw, acc) => (raw === "WEPEncryption" ? "wep" : acc),
);

const BEACON_READ: Readonly<Record<string, SecurityMode>> = {
  None: "open",
  "11i": "wpa2-psk",
  WPAand11i: "wpa-wpa2-psk",
  // Huawei firmware reports a non-standard value for mixed mode (tr069.md §4.1).
  WPAWPA2: "wpa-wpa2-psk",
};

/** BeaconType: the decisive TR-098 security parameter. TR-098 has no WPA3. */
export const tr098BeaconType = securityEnum(
  "tr098BeaconType",
  { open: "None", wep: "Basic", "wpa2-psk": "11i", "wpa-wpa2-psk": "WPAand11i" },
  (raw, acc) => (raw === "Basic" ? (acc === "wep" ? "wep" : "open") : (BEACON_READ[raw] ?? acc)),
);

export const tr098Ieee11iEncryption = securityEnum(
  "tr098Ieee11iEncryption",
  { "wpa2-psk": "AESEncryption", "wpa-wpa2-psk": "TKIPandAESEncryption" },
  (_raw, acc) => acc,
);
export const tr098Ieee11iAuthentication = securityEnum(
  "tr098Ieee11iAuthentication",
  { "wpa2-psk": "PSKAuthentication", "wpa-wpa2-psk": "PSKAuthentication" },
  (_raw, acc) => acc,
);
export const tr098WpaEncryption = securityEnum(
  "tr098WpaEncryption",
  { "wpa-wpa2-psk": "TKIPandAESEncryption" },
  (_raw, acc) => acc,
);
export const tr098WpaAuthentication = securityEnum(
  "tr098WpaAuthentication",
  { "wpa-wpa2-psk": "PSKAuthentication" },
  (_raw, acc) => acc,
);

// ---- keys: which parameter carries the band's key depends on its security ----

const SAE_MODES: readonly SecurityMode[] = ["wpa3-sae", "wpa2-wpa3-psk"];

type KeyRule = (key: string, security: SecurityMode) => string | undefined;

/** A key codec: `rule` decides from the band's effective security whether (and what) to write. */
function keyCodec(
  name: string,
  type: "string" | "hexBinary",
  securityKey: SettingKey,
  rule: KeyRule,
  /** True when the parameter is derived from another key row (a PSK from the passphrase): earlier rows win on read. */
  derived: boolean,
): ValueCodec<string> {
  const securityOf = (ctx: EncodeContext) => (ctx.value(securityKey) as SecurityMode | undefined) ?? "wpa2-psk";
  return {
    kind: "value",
    name,
    type,
    encode: (v, ctx) => rule(v, securityOf(ctx)),
    decode: (raw, acc) => (raw === "" ? acc : derived ? (acc ?? raw) : raw),
  };
}

/** TR-181 Security.KeyPassphrase: WPA/WPA2 passphrase (also the WPA2 half of transition mode). */
export const tr181KeyPassphrase = (securityKey: SettingKey) =>
  keyCodec("tr181KeyPassphrase", "string", securityKey, (k, s) => (PSK_MODES.includes(s) && !isRawPsk(k) ? k : undefined), false);

/** TR-181 Security.SAEPassphrase: WPA3 (and transition) password. */
export const tr181SaePassphrase = (securityKey: SettingKey) =>
  keyCodec("tr181SaePassphrase", "string", securityKey, (k, s) => (SAE_MODES.includes(s) ? k : undefined), false);

/** TR-181 Security.PreSharedKey: a raw 64-hex PSK; read back, it is derived from the passphrase. */
export const tr181PreSharedKey = (securityKey: SettingKey) =>
  keyCodec("tr181PreSharedKey", "hexBinary", securityKey, (k, s) => (PSK_MODES.includes(s) && isRawPsk(k) ? k : undefined), true);

/** TR-098 WLANConfiguration.KeyPassphrase: WPA passphrase, or the WEP key it generates the WEP keys from. */
export const tr098KeyPassphrase = (securityKey: SettingKey) =>
  keyCodec("tr098KeyPassphrase", "string", securityKey, (k, s) => ((PSK_MODES.includes(s) && !isRawPsk(k)) || s === "wep" ? k : undefined), false);

/** TR-098 WLANConfiguration.PreSharedKey.{i}.PreSharedKey: a raw 64-hex PSK. */
export const tr098PreSharedKey = (securityKey: SettingKey) =>
  keyCodec("tr098PreSharedKey", "string", securityKey, (k, s) => (PSK_MODES.includes(s) && isRawPsk(k) ? k : undefined), true);
