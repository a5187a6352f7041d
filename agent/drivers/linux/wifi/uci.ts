// OpenWrt /etc/config/wireless (uci syntax): wifi-device sections are the
// radios, wifi-iface sections in mode "ap" the access points. The file is
// edited in place like `uci set` + `uci commit` would leave it: only the
// changed options are rewritten, removed or added at the end of their
// section; every other line stays. No uci library exists for Node, and the
// `uci` binary is not on a build host, hence this small parser.

import type { Band, WifiAccessPoint, WifiRadio, WifiState } from "./settings.ts";

interface Section {
  type: string;
  /** Named sections ('radio0'); anonymous ones are "@wifi-iface[1]" as uci shows them. */
  name: string;
  /** Line of the `config` statement and last line that belongs to the section. */
  start: number;
  last: number;
  options: Map<string, { line: number; value: string }>;
}

export interface UciFile {
  lines: string[];
  sections: Section[];
}

/** Splits a uci line into words: '…' (literal), "…" (backslash escapes) and bare parts, concatenated when adjacent. */
function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === "#") break;
    let w = "";
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error("unterminated ' quote");
        w += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        let j = i + 1;
        for (; j < line.length && line[j] !== '"'; j++) {
          if (line[j] === "\\" && j + 1 < line.length) j++;
          w += line[j];
        }
        if (j >= line.length) throw new Error('unterminated " quote');
        i = j + 1;
      } else if (c === "\\" && i + 1 < line.length) {
        w += line[i + 1];
        i += 2;
      } else {
        w += c;
        i++;
      }
    }
    out.push(w);
  }
  return out;
}

export function parseUci(text: string): UciFile {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const sections: Section[] = [];
  const count = new Map<string, number>();
  lines.forEach((line, n) => {
    let w: string[];
    try {
      w = words(line);
    } catch (err) {
      throw new Error(`line ${n + 1}: ${(err as Error).message}`);
    }
    if (w.length === 0) return;
    const cur = sections.at(-1);
    if (w[0] === "config") {
      const type = w[1] ?? "";
      const k = count.get(type) ?? 0;
      count.set(type, k + 1);
      sections.push({ type, name: w[2] ?? `@${type}[${k}]`, start: n, last: n, options: new Map() });
    } else if (w[0] === "option" && cur && w[1]) {
      cur.options.set(w[1], { line: n, value: w[2] ?? "" });
      cur.last = n;
    } else if (w[0] === "list" && cur) {
      cur.last = n;
    } else if (w[0] !== "package") {
      throw new Error(`line ${n + 1}: unexpected "${w[0]}"`);
    }
  });
  return { lines, sections };
}

const opt = (s: Section, key: string): string | undefined => s.options.get(key)?.value;

function bandOf(s: Section): Band {
  const band = opt(s, "band");
  if (band) return band === "5g" ? "5GHz" : band === "6g" ? "6GHz" : "2.4GHz";
  return /a$/.test(opt(s, "hwmode") ?? "") ? "5GHz" : "2.4GHz";
}

// OpenWrt `encryption` values (a +cipher suffix may follow) and TR-181 modes.
const ENCRYPTION: Record<string, string> = {
  none: "None",
  owe: "OWE",
  psk: "WPA-Personal",
  psk2: "WPA2-Personal",
  "psk-mixed": "WPA-WPA2-Personal",
  sae: "WPA3-Personal",
  "sae-mixed": "WPA3-Personal-Transition",
  wpa: "WPA-Enterprise",
  wpa2: "WPA2-Enterprise",
  "wpa-mixed": "WPA-WPA2-Enterprise",
  wpa3: "WPA3-Enterprise",
};
const WRITE_ENCRYPTION: Record<string, string> = {
  None: "none",
  "WPA2-Personal": "psk2",
  "WPA3-Personal": "sae",
  "WPA3-Personal-Transition": "sae-mixed",
  "WPA-WPA2-Personal": "psk-mixed",
};

export function readUci(f: UciFile): WifiState {
  const devices = f.sections.filter((s) => s.type === "wifi-device");
  const radios: WifiRadio[] = devices.map((s) => {
    const ch = opt(s, "channel") ?? "auto";
    return { name: s.name, band: bandOf(s), channel: ch === "auto" ? 0 : Number(ch) || 0, enabled: opt(s, "disabled") !== "1" };
  });
  const aps: WifiAccessPoint[] = [];
  for (const s of f.sections) {
    if (s.type !== "wifi-iface" || (opt(s, "mode") ?? "ap") !== "ap") continue;
    const radio = devices.findIndex((d) => d.name === opt(s, "device"));
    if (radio < 0) continue;
    aps.push({
      name: s.name,
      radio,
      iface: opt(s, "ifname") ?? "",
      ssid: opt(s, "ssid") ?? "",
      hidden: opt(s, "hidden") === "1",
      mode: ENCRYPTION[(opt(s, "encryption") ?? "none").split("+")[0]!] ?? (opt(s, "encryption") as string),
      passphrase: opt(s, "key") ?? "",
      enabled: opt(s, "disabled") !== "1" && radios[radio]!.enabled,
    });
  }
  return { radios, aps };
}

const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

/** The file with `next` applied; only options whose value changes are touched. */
export function renderUci(text: string, next: WifiState): string {
  const f = parseUci(text);
  const now = readUci(f);
  const edits = new Map<Section, Record<string, string | undefined>>();
  const edit = (name: string, key: string, value: string | undefined): void => {
    const s = f.sections.find((x) => x.name === name)!;
    edits.set(s, { ...edits.get(s), [key]: value });
  };
  next.radios.forEach((r, i) => {
    if (r.channel !== now.radios[i]!.channel) edit(r.name, "channel", r.channel === 0 ? "auto" : String(r.channel));
  });
  next.aps.forEach((a, i) => {
    const was = now.aps[i]!;
    if (a.ssid !== was.ssid) edit(a.name, "ssid", a.ssid);
    if (a.hidden !== was.hidden) edit(a.name, "hidden", a.hidden ? "1" : undefined);
    if (a.mode !== was.mode) edit(a.name, "encryption", WRITE_ENCRYPTION[a.mode]);
    if (a.passphrase !== was.passphrase) edit(a.name, "key", a.passphrase || undefined);
  });
  const lines: (string | null)[] = [...f.lines];
  const after = new Map<number, string[]>();
  for (const [s, opts] of edits) {
    for (const [key, value] of Object.entries(opts)) {
      const o = s.options.get(key);
      const indent = o ? /^\s*/.exec(f.lines[o.line]!)![0] : "\t";
      if (value === undefined) {
        if (o) lines[o.line] = null;
      } else if (o) lines[o.line] = `${indent}option ${key} ${quote(value)}`;
      else after.set(s.last, [...(after.get(s.last) ?? []), `${indent}option ${key} ${quote(value)}`]);
    }
  }
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (l !== null) out.push(l);
    out.push(...(after.get(i) ?? []));
  });
  return out.join("\n") + "\n";
}
