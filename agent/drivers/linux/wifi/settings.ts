// The Wi-Fi settings the agent manages, independent of where they are stored
// (hostapd files or OpenWrt uci): per radio its band and channel, per access
// point its SSID, visibility, security mode and passphrase. The layout (how
// many radios and access points) is the router's; only values change.

export type Band = "2.4GHz" | "5GHz" | "6GHz";

/** Modes the agent can write (TR-181 Security.ModesSupported). Reads may show others (e.g. WPA2-Enterprise). */
export const WRITABLE_MODES = ["None", "WPA2-Personal", "WPA3-Personal", "WPA3-Personal-Transition", "WPA-WPA2-Personal"] as const;

export interface WifiRadio {
  /** hostapd: the interface; uci: the wifi-device section name. */
  name: string;
  band: Band;
  /** 0 = automatic channel selection. */
  channel: number;
  enabled: boolean;
}

export interface WifiAccessPoint {
  /** hostapd: the file; uci: the wifi-iface section name (or its index). */
  name: string;
  /** Index into `radios`. */
  radio: number;
  /** Linux interface carrying the SSID ("" when the configuration does not say). */
  iface: string;
  ssid: string;
  hidden: boolean;
  mode: string;
  passphrase: string;
  enabled: boolean;
}

export interface WifiState {
  radios: WifiRadio[];
  aps: WifiAccessPoint[];
}

export type WifiField = "channel" | "ssid" | "mode" | "passphrase";

export interface WifiProblem {
  field: WifiField;
  /** Radio index for "channel", access point index otherwise. */
  index: number;
  message: string;
}

const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

const CHANNELS: Record<Band, number[]> = {
  "2.4GHz": range(1, 13),
  "5GHz": [...range(36, 64, 4), ...range(100, 144, 4), ...range(149, 165, 4)],
  "6GHz": range(1, 233, 4),
};

/** TR-181 PossibleChannels for a band: "1-13" or a comma-separated list. */
export const possibleChannels = (band: Band): string => (band === "2.4GHz" ? "1-13" : CHANNELS[band].join(","));

// Control characters would break (or inject lines into) the configuration files.
const CONTROL = /[\u0000-\u001f\u007f]/;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** Everything wrong with a state, before anything is written. */
export function validateWifi(s: WifiState): WifiProblem[] {
  const problems: WifiProblem[] = [];
  s.radios.forEach((r, index) => {
    if (r.channel !== 0 && !CHANNELS[r.band].includes(r.channel)) problems.push({ field: "channel", index, message: `channel ${r.channel} is not a ${r.band} channel` });
  });
  s.aps.forEach((ap, index) => {
    const bytes = Buffer.byteLength(ap.ssid, "utf8");
    if (bytes < 1 || bytes > 32) problems.push({ field: "ssid", index, message: "the SSID must be 1 to 32 bytes" });
    else if (CONTROL.test(ap.ssid)) problems.push({ field: "ssid", index, message: "the SSID must not contain control characters" });
    if (!(WRITABLE_MODES as readonly string[]).includes(ap.mode)) problems.push({ field: "mode", index, message: `mode ${ap.mode} is not supported` });
    if (ap.mode !== "None" || ap.passphrase !== "") {
      // WPA: 8-63 printable ASCII characters (a 64-digit PSK is not a passphrase).
      if (ap.passphrase.length < 8 || ap.passphrase.length > 63 || !PRINTABLE_ASCII.test(ap.passphrase)) {
        problems.push({ field: "passphrase", index, message: ap.mode === "None" ? "invalid passphrase" : `${ap.mode} needs a passphrase of 8 to 63 printable ASCII characters` });
      }
    }
  });
  return problems;
}

/** The values the agent writes, for comparing two states. */
export function editable(s: WifiState): unknown {
  return { r: s.radios.map((r) => r.channel), a: s.aps.map((a) => [a.ssid, a.hidden, a.mode, a.passphrase]) };
}
