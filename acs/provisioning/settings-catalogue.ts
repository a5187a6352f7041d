// The one catalogue of abstract settings. Support staff, the REST API,
// provisioning and the profile validator speak these dotted keys
// ("wifi.5GHz.channel"), never TR-069 paths; firmware profiles map them to a
// model's parameters. Each leaf carries its metadata (access, secret, default)
// through zod's registry, so the key list, the defaults and the JSON Schema
// all derive from this single schema.
import { z } from "zod";

export const BANDS = ["2.4GHz", "5GHz"] as const;
export type Band = (typeof BANDS)[number];

export const SECURITY_MODES = ["wpa2-psk", "wpa2-wpa3-psk", "wpa3-sae", "wpa-wpa2-psk", "wep", "open"] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];
/** Accepted only with the band's `insecureOverride`, and then reported as a warning. */
export const INSECURE_SECURITY_MODES: readonly SecurityMode[] = ["wep", "open"];
/** Modes whose key is a WPA passphrase (8–63 printable ASCII) or a raw 64-hex PSK. */
export const PSK_SECURITY_MODES: readonly SecurityMode[] = ["wpa2-psk", "wpa2-wpa3-psk", "wpa-wpa2-psk"];

/** Channels allowed in France (ETSI): 2.4 GHz 1–13; 5 GHz UNII-1/2/2e up to 140. A model supports a subset. */
export const FRANCE_CHANNELS: Readonly<Record<Band, readonly number[]>> = {
  "2.4GHz": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  "5GHz": [36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140],
};

/** Europe/Paris as a POSIX TZ string (TR-181 Time.LocalTimeZone, TR-098 Time.LocalTimeZoneName). */
export const PARIS_POSIX_TZ = "CET-1CEST,M3.5.0,M10.5.0/3";

/**
 * rw: a device setting (needs an encoder in every profile that maps it);
 * ro: a reading decoded from the device; policy: a rule for the validator,
 * never sent to a device; object: a TR-069 object the engine drives (TR-143).
 */
export type Access = "rw" | "ro" | "policy" | "object";

export interface LeafMeta {
  access: Access;
  description: string;
  secret?: true;
  unit?: string;
  default?: unknown;
}

const leaf = <S extends z.ZodType>(schema: S, meta: LeafMeta): S => schema.meta({ ...meta });

// ---- value rules, each with a message that names what is wrong -------------

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
/** WEP-128 (104-bit) key: 13 ASCII characters or 26 hex digits. WEP-64 is not offered. */
const WEP_KEY = /^(?:[\x20-\x7e]{13}|[0-9a-fA-F]{26})$/;

export const isRawPsk = (passphrase: string): boolean => HEX64.test(passphrase);

const ssid = z.string().refine((s) => {
  const n = Buffer.byteLength(s, "utf8");
  return n >= 1 && n <= 32;
}, "must be 1 to 32 bytes of UTF-8");

const isWpaPassphrase = (s: string): boolean => PRINTABLE_ASCII.test(s) && s.length >= 8 && s.length <= 63;

// A WEP-128 key (13 ASCII characters) also satisfies this; the band rule below checks the mode.
const passphrase = z
  .string()
  .refine((s) => isRawPsk(s) || isWpaPassphrase(s), "must be 8 to 63 printable ASCII characters or 64 hex digits");

const channel = (band: Band) => {
  const allowed = FRANCE_CHANNELS[band];
  return z
    .union([z.literal("auto"), z.number().int()], { error: `must be "auto" or a channel number` })
    .superRefine((n, ctx) => {
      if (typeof n === "number" && !allowed.includes(n))
        ctx.addIssue({ code: "custom", message: `${n} is not a ${band} channel allowed in France (${summarise(allowed)})` });
    });
};

const host = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.:-]{0,62})$/, "must be a host name or IP address of at most 64 characters");

// std offset [dst [offset] [,start[/time],end[/time]]], e.g. CET-1CEST,M3.5.0,M10.5.0/3
const POSIX_TZ =
  /^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)[+-]?\d{1,2}(?::\d{2}){0,2}(?:(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)(?:[+-]?\d{1,2}(?::\d{2}){0,2})?(?:,(?:M\d{1,2}\.\d\.\d|J?\d{1,3})(?:\/[+-]?\d{1,3}(?::\d{2}){0,2})?){2})?$/;

const credential = (what: string) =>
  z.string().max(256, `${what} must be at most 256 characters`);

const VLAN_RANGE = `must be "untagged" or a VLAN ID from 1 to 4094`;

const decimalCounter = z.string().regex(/^\d+$/, "must be a non-negative decimal integer");

// ---- the schema --------------------------------------------------------------

function wifiBand(band: Band) {
  return z
    .object({
      enabled: leaf(z.boolean(), { access: "rw", description: `${band} radio and its SSID on or off`, default: true }),
      ssid: leaf(ssid, { access: "rw", description: `${band} network name` }),
      passphrase: leaf(passphrase, { access: "rw", secret: true, description: `${band} Wi-Fi key` }),
      security: leaf(z.enum(SECURITY_MODES, { error: `must be one of ${SECURITY_MODES.join(", ")}` }), {
        access: "rw",
        description: `${band} security mode; wep and open need insecureOverride`,
        default: "wpa2-psk",
      }),
      channel: leaf(channel(band), { access: "rw", description: `${band} channel or "auto"`, default: "auto" }),
      hidden: leaf(z.boolean(), { access: "rw", description: `${band} SSID not broadcast`, default: false }),
      insecureOverride: leaf(z.literal(true, { error: "can only be true" }), {
        access: "policy",
        description: `explicit consent to an insecure ${band} security mode (wep, open)`,
      }),
    })
    .partial()
    .strict()
    .superRefine((b, ctx) => {
      const security = b.security ?? "wpa2-psk";
      if (INSECURE_SECURITY_MODES.includes(security) && !b.insecureOverride && b.security !== undefined)
        ctx.addIssue({ code: "custom", path: ["security"], message: `${security} is insecure: set insecureOverride to use it` });
      // A key that already fails the leaf rule is reported once, by the leaf.
      if (b.passphrase === undefined || !(isRawPsk(b.passphrase) || isWpaPassphrase(b.passphrase))) return;
      const problem = passphraseProblem(security, b.passphrase);
      if (problem) ctx.addIssue({ code: "custom", path: ["passphrase"], message: problem });
    });
}

/** Why a key does not fit a security mode, or undefined when it does. */
export function passphraseProblem(security: SecurityMode, key: string): string | undefined {
  if (security === "open") return undefined;
  if (security === "wep")
    return WEP_KEY.test(key) ? undefined : "a WEP key must be 13 ASCII characters or 26 hex digits";
  if (!isRawPsk(key) && !isWpaPassphrase(key)) return "must be 8 to 63 printable ASCII characters or 64 hex digits";
  if (security === "wpa3-sae" && isRawPsk(key)) return "wpa3-sae needs a passphrase, not a 64-hex PSK";
  if (security === "wpa2-wpa3-psk" && isRawPsk(key)) return "wpa2-wpa3-psk needs a passphrase usable by SAE, not a 64-hex PSK";
  return undefined;
}

export const settingsSchema = z
  .object({
    wifi: z.object({ "2.4GHz": wifiBand("2.4GHz"), "5GHz": wifiBand("5GHz") }).partial().strict(),
    wan: z
      .object({
        mode: leaf(z.enum(["pppoe", "ipoe"], { error: "must be pppoe or ipoe" }), {
          access: "rw",
          description: "how the WAN gets its address",
        }),
        vlan: leaf(
          z.union([z.literal("untagged"), z.number().int().min(1, VLAN_RANGE).max(4094, VLAN_RANGE)], {
            error: VLAN_RANGE,
          }),
          { access: "rw", description: "802.1Q VLAN of the WAN link" },
        ),
        pppoe: z
          .object({
            username: leaf(credential("the PPPoE username").max(64, "must be at most 64 characters"), {
              access: "rw",
              description: "PPPoE login",
            }),
            password: leaf(credential("the PPPoE password").max(64, "must be at most 64 characters"), {
              access: "rw",
              secret: true,
              description: "PPPoE password",
            }),
          })
          .partial()
          .strict(),
      })
      .partial()
      .strict(),
    management: z
      .object({
        periodicInformInterval: leaf(
          z.number().int().min(60, "must be at least 60 seconds").max(86_400, "must be at most 86400 seconds (one day)"),
          { access: "rw", unit: "s", description: "seconds between periodic Informs", default: 3600 },
        ),
        acsUsername: leaf(credential("the ACS username"), { access: "rw", description: "CPE → ACS HTTP auth user" }),
        acsPassword: leaf(credential("the ACS password"), { access: "rw", secret: true, description: "CPE → ACS HTTP auth password" }),
        connectionRequestUsername: leaf(credential("the username"), { access: "rw", description: "ACS → CPE connection request user" }),
        connectionRequestPassword: leaf(credential("the password"), {
          access: "rw",
          secret: true,
          description: "ACS → CPE connection request password",
        }),
      })
      .partial()
      .strict(),
    ntp: z
      .object({
        servers: leaf(z.array(host).min(1, "must list at least one server").max(5, "must list at most 5 servers"), {
          access: "rw",
          description: "NTP servers in order of preference",
        }),
      })
      .partial()
      .strict(),
    time: z
      .object({
        zone: leaf(z.string().regex(POSIX_TZ, `must be a POSIX TZ string such as ${PARIS_POSIX_TZ}`), {
          access: "rw",
          description: "local time zone (POSIX TZ)",
          default: PARIS_POSIX_TZ,
        }),
      })
      .partial()
      .strict(),
    linkRate: z
      .object({
        wanEthernetBitRate: leaf(z.number().int().nonnegative(), {
          access: "ro",
          unit: "Mbit/s",
          description: "current PHY rate of the WAN Ethernet port (0 = unknown)",
        }),
        opticalRxLevel: leaf(z.number(), { access: "ro", unit: "dBm", description: "optical receive level" }),
        opticalTxLevel: leaf(z.number(), { access: "ro", unit: "dBm", description: "optical transmit level" }),
        wanBytesSent: leaf(decimalCounter, { access: "ro", unit: "byte", description: "WAN interface byte counter, sent" }),
        wanBytesReceived: leaf(decimalCounter, { access: "ro", unit: "byte", description: "WAN interface byte counter, received" }),
        downloadDiagnostics: leaf(z.never(), { access: "object", description: "TR-143 download diagnostics object" }),
        uploadDiagnostics: leaf(z.never(), { access: "object", description: "TR-143 upload diagnostics object" }),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** A (partial) set of abstract settings; every leaf is optional. */
export type Settings = z.infer<typeof settingsSchema>;

// ---- dotted keys, derived from the schema's type -----------------------------

type Leaves<T, P extends string = ""> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends infer V
    ? [V] extends [never]
      ? [`${P}${K}`, never]
      : V extends string | number | boolean | readonly unknown[]
        ? [`${P}${K}`, V]
        : Leaves<V, `${P}${K}.`>
    : never;
}[keyof T & string];

type AllLeaves = Leaves<Settings>;
/** Every dotted key of the catalogue, e.g. "wifi.5GHz.channel". */
export type CatalogueKey = AllLeaves[0];
/** Keys that hold a value (settings and readings). */
export type SettingKey = Exclude<AllLeaves, [string, never]>[0];
/** Keys that name a TR-069 object rather than a value (TR-143 diagnostics). */
export type ObjectKey = Extract<AllLeaves, [string, never]>[0];
export type SettingValue<K extends SettingKey> = Extract<AllLeaves, [K, unknown]>[1];

/** "1–13" for a run of consecutive numbers, else the first items then "…". */
export function summarise(list: readonly (string | number)[], max = 8): string {
  const first = list[0];
  const last = list[list.length - 1];
  if (list.length > 2 && typeof first === "number" && typeof last === "number" && last - first === list.length - 1)
    return `${first}–${last}`;
  return list.length <= max ? list.join(", ") : `${list.slice(0, max).join(", ")}, …`;
}
