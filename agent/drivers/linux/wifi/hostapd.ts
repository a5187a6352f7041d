// hostapd.conf: one file per radio, its first BSS is the access point the
// agent manages (lines after the first `bss=` belong to extra BSSes and are
// left alone). Edits keep every other line, comment and order as they were;
// only the keys whose value changes are rewritten, removed or appended.

import type { Band, WifiAccessPoint, WifiRadio } from "./settings.ts";

interface Line {
  key?: string;
  value?: string;
}

export interface HostapdFile {
  lines: string[];
  /** Index of the first `bss=` line (or lines.length): the end of the primary BSS. */
  end: number;
  /** Last occurrence of each key in the primary BSS, as hostapd applies them. */
  keys: Map<string, number>;
}

export function parseHostapd(text: string): HostapdFile {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const keys = new Map<string, number>();
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const l = parseLine(lines[i]!);
    if (l.key === "bss") {
      end = i;
      break;
    }
    if (l.key) keys.set(l.key, i);
  }
  return { lines, end, keys };
}

function parseLine(line: string): Line {
  if (line.startsWith("#")) return {};
  const eq = line.indexOf("=");
  // hostapd takes "key=value" literally: no spaces around "=", the value runs to the end of the line.
  return eq > 0 ? { key: line.slice(0, eq), value: line.slice(eq + 1) } : {};
}

const get = (f: HostapdFile, key: string): string | undefined => {
  const i = f.keys.get(key);
  return i === undefined ? undefined : parseLine(f.lines[i]!).value;
};

/** ssid= (raw), or ssid2= as "quoted", P"printf-escaped" or hex. */
function readSsid(f: HostapdFile): string {
  const ssid2 = get(f, "ssid2");
  if (ssid2 !== undefined) {
    const q = /^P?"(.*)"$/.exec(ssid2);
    if (q) return q[1]!.replace(/\\(.)/g, "$1");
    if (/^([0-9a-fA-F]{2})+$/.test(ssid2)) return Buffer.from(ssid2, "hex").toString("utf8");
  }
  return get(f, "ssid") ?? "";
}

function readMode(f: HostapdFile): string {
  const wpa = Number(get(f, "wpa") ?? "0");
  if (!wpa) return "None";
  const mgmt = (get(f, "wpa_key_mgmt") ?? "WPA-PSK").split(/\s+/);
  const psk = mgmt.some((m) => m === "WPA-PSK" || m === "WPA-PSK-SHA256");
  const sae = mgmt.includes("SAE");
  if (mgmt.some((m) => m.startsWith("WPA-EAP"))) return wpa === 3 ? "WPA-WPA2-Enterprise" : wpa === 1 ? "WPA-Enterprise" : "WPA2-Enterprise";
  if (wpa === 3) return "WPA-WPA2-Personal";
  if (wpa === 1) return "WPA-Personal";
  if (sae && psk) return "WPA3-Personal-Transition";
  return sae ? "WPA3-Personal" : "WPA2-Personal";
}

function readBand(f: HostapdFile): Band {
  const mode = get(f, "hw_mode") ?? "b";
  if (mode !== "a") return "2.4GHz";
  const opClass = Number(get(f, "op_class") ?? "0");
  return opClass >= 131 && opClass <= 137 ? "6GHz" : "5GHz";
}

export function readHostapd(f: HostapdFile, name: string, bandOverride?: Band): { radio: WifiRadio; ap: Omit<WifiAccessPoint, "radio"> } {
  const iface = get(f, "interface") ?? "";
  const ch = get(f, "channel") ?? "0";
  return {
    radio: { name: iface || name, band: bandOverride ?? readBand(f), channel: ch === "acs_survey" ? 0 : Number(ch) || 0, enabled: true },
    ap: {
      name,
      iface,
      ssid: readSsid(f),
      hidden: (get(f, "ignore_broadcast_ssid") ?? "0") !== "0",
      mode: readMode(f),
      passphrase: get(f, "wpa_passphrase") ?? "",
      enabled: true,
    },
  };
}

type Edits = Record<string, string | undefined>;

/** hostapd keys for a security mode (undefined = remove the line). */
function securityKeys(mode: string): Edits {
  switch (mode) {
    case "None":
      return { wpa: "0", wpa_key_mgmt: undefined, wpa_pairwise: undefined, rsn_pairwise: undefined, ieee80211w: undefined };
    case "WPA2-Personal":
      return { wpa: "2", wpa_key_mgmt: "WPA-PSK", wpa_pairwise: undefined, rsn_pairwise: "CCMP", ieee80211w: undefined };
    case "WPA3-Personal":
      return { wpa: "2", wpa_key_mgmt: "SAE", wpa_pairwise: undefined, rsn_pairwise: "CCMP", ieee80211w: "2" };
    case "WPA3-Personal-Transition":
      return { wpa: "2", wpa_key_mgmt: "WPA-PSK SAE", wpa_pairwise: undefined, rsn_pairwise: "CCMP", ieee80211w: "1" };
    case "WPA-WPA2-Personal":
      return { wpa: "3", wpa_key_mgmt: "WPA-PSK", wpa_pairwise: "TKIP CCMP", rsn_pairwise: "CCMP", ieee80211w: undefined };
    default:
      throw new Error(`mode ${mode} cannot be written`);
  }
}

const PLAIN_SSID = /^[\u0021-\u007e]([\u0020-\u007e]*[\u0021-\u007e])?$/;

/**
 * The file with `radio` and `ap` applied. Only what differs from the file's
 * current reading is touched, so settings the operator tuned by hand (e.g.
 * ieee80211w on WPA2) stay unless the mode itself changes.
 */
export function renderHostapd(text: string, radio: WifiRadio, ap: WifiAccessPoint): string {
  const f = parseHostapd(text);
  const now = readHostapd(f, ap.name);
  const edits: Edits = {};
  if (radio.channel !== now.radio.channel) edits.channel = radio.channel === 0 ? "acs_survey" : String(radio.channel);
  if (ap.ssid !== now.ap.ssid) {
    // Plain ASCII goes in ssid=; anything else (UTF-8, edge spaces) as hex in ssid2=, which hostapd prefers.
    const plain = PLAIN_SSID.test(ap.ssid);
    Object.assign(edits, plain ? { ssid: ap.ssid, ssid2: undefined } : { ssid: undefined, ssid2: Buffer.from(ap.ssid, "utf8").toString("hex"), utf8_ssid: "1" });
  }
  if (ap.hidden !== now.ap.hidden) edits.ignore_broadcast_ssid = ap.hidden ? "1" : undefined;
  if (ap.mode !== now.ap.mode) Object.assign(edits, securityKeys(ap.mode));
  if (ap.passphrase !== now.ap.passphrase) Object.assign(edits, { wpa_passphrase: ap.passphrase || undefined, wpa_psk: undefined });
  return applyEdits(f, edits);
}

function applyEdits(f: HostapdFile, edits: Edits): string {
  const lines = [...f.lines];
  const drop = new Set<number>();
  const append: string[] = [];
  for (const [key, value] of Object.entries(edits)) {
    // Every occurrence in the primary BSS: the last one wins in hostapd, earlier ones must not linger.
    const at = lines.slice(0, f.end).flatMap((l, i) => (parseLine(l).key === key ? [i] : []));
    if (value === undefined) at.forEach((i) => drop.add(i));
    else if (at.length) {
      at.slice(0, -1).forEach((i) => drop.add(i));
      lines[at.at(-1)!] = `${key}=${value}`;
    } else append.push(`${key}=${value}`);
  }
  const head = lines.slice(0, f.end).filter((_, i) => !drop.has(i));
  return [...head, ...append, ...lines.slice(f.end)].join("\n") + "\n";
}
