// The router agent's configuration: one JSON file (default
// /etc/flexacs/agent.json), validated once at start-up. Relative paths are
// resolved against the file's folder. Bad input gives one line per problem,
// naming the key: `interfaces.wan.ip: Invalid input: expected string …`.
//
// zod/mini rather than zod: the full zod weighs 454 KB and 7.6 MB of RSS in
// the bundle (measured with esbuild, Node 20), zod/mini 20 KB and 0.5 MB.

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());

export const DEFAULT_CONFIG_FILE = "/etc/flexacs/agent.json";
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const text = z.string().check(z.minLength(1));
const ifName = z.string().check(z.regex(/^[A-Za-z0-9_.:@-]{1,15}$/, "must be a Linux interface name (1-15 characters)"));
const regex = z.string().check(
  z.refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, "must be a valid regular expression"),
);
const int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const httpUrl = z.string().check(z.refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), "must be an http:// or https:// URL"));

/** Where a value comes from: a constant, a file (first line, or a regex's first group), a command's output, an interface's MAC. */
const source = z.union([
  z.strictObject({ value: text }),
  z.strictObject({ file: text, pattern: z.optional(regex) }),
  z.strictObject({ command: text, pattern: z.optional(regex) }),
  z.strictObject({ interface: ifName }),
]);
export type SourceSpec = z.infer<typeof source>;

const side = z.strictObject({
  /** The IP interface (Device.IP.Interface) of this side, e.g. "eth0", "pppoe-wan", "br-lan". */
  ip: ifName,
  /** Its Ethernet ports (Device.Ethernet.Interface), e.g. ["eth0"] or ["lan1", "lan2"]. */
  ports: z._default(z.array(ifName), []),
});

const schema = z.strictObject({
  acs: z.strictObject({
    url: httpUrl,
    /** JSON {username, password, connectionRequestUsername?, connectionRequestPassword?}, mode 0600. */
    credentialsFile: z.optional(text),
    /** PEM bundle trusted for an https ACS besides the system CAs. */
    caFile: z.optional(text),
  }),
  stateDir: z._default(text, "/var/lib/flexacs-agent"),
  logLevel: z._default(z.enum(LOG_LEVELS), "info"),
  device: z.prefault(
    z.strictObject({
      manufacturer: z._default(text, "FlexACS"),
      /** 6 hex digits; default: the first half of the device MAC. */
      oui: z.optional(z.string().check(z.regex(/^[0-9A-Fa-f]{6}$/, "must be 6 hexadecimal digits"))),
      productClass: z._default(text, "LinuxRouter"),
      modelName: z.optional(text),
      hardwareVersion: z._default(source, { value: "1.0" }),
      softwareVersion: z._default(source, { file: "/etc/os-release", pattern: "VERSION_ID=\"?([^\"\\n]+)" }),
      /** Default: the device MAC without colons. */
      serialNumber: z.optional(source),
      /** Default: the MAC of the first WAN port (or of the WAN IP interface). */
      macAddress: z.optional(source),
    }),
    {},
  ),
  /** Which interfaces are WAN and LAN: configured, never guessed. */
  interfaces: z.strictObject({ wan: side, lan: z.optional(side) }),
  connectionRequest: z.prefault(
    z.strictObject({
      port: z._default(int(0, 65535), 7547),
      listen: z._default(text, "0.0.0.0"),
      /** Host written in ConnectionRequestURL; default: the first IPv4 address of the WAN IP interface. */
      host: z.optional(text),
    }),
    {},
  ),
  wifi: z.prefault(
    z.strictObject({
      /** auto: uci when uciFile exists, else hostapd when files are listed, else none. */
      backend: z._default(z.enum(["auto", "hostapd", "uci", "none"]), "auto"),
      hostapd: z._default(z.array(z.strictObject({ file: text, band: z.optional(z.enum(["2.4GHz", "5GHz", "6GHz"])) })), []),
      uciFile: z._default(text, "/etc/config/wireless"),
      /** Run after the files are written; a non-zero exit rolls them back. */
      reloadCommand: z.optional(text),
      reloadTimeoutS: z._default(int(1, 600), 30),
    }),
    {},
  ),
  commands: z.prefault(
    z.strictObject({
      reboot: z.optional(text),
      factoryReset: z.optional(text),
      timeoutS: z._default(int(1, 3600), 60),
      /** The system should be down this long after an accepted reboot; else the agent exits so its supervisor restarts it. */
      restartGraceS: z._default(int(10, 86_400), 300),
    }),
    {},
  ),
  intervals: z.prefault(
    z.strictObject({
      /** Factory PeriodicInformInterval (the ACS may change it); 0 = no periodic Inform. */
      periodicInformS: z._default(int(0, 2 ** 31), 300),
      /** Interface rate window (X_FLEXACS_ rate parameters) and active-notification checks. */
      rateSampleS: z._default(int(1, 3600), 60),
      ontPollS: z._default(int(5, 3600), 60),
    }),
    {},
  ),
  /** SNMP target of the ONT in front of the router (IF-MIB of one of its interfaces). */
  ont: z.optional(
    z.strictObject({
      host: text,
      port: z._default(int(1, 65535), 161),
      community: text,
      ifIndex: z._default(int(1, 2 ** 31 - 1), 1),
      timeoutMs: z._default(int(100, 60_000), 2000),
    }),
  ),
});

export type AgentConfig = z.infer<typeof schema> & { /** The file it was read from. */ file: string };

export class AgentConfigError extends Error {
  override name = "AgentConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** Validates a parsed config object; `file` anchors relative paths. */
export function parseAgentConfig(raw: unknown, file: string): AgentConfig {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new AgentConfigError(r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`));
  }
  const c = r.data;
  const base = dirname(resolve(file));
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const src = <T extends SourceSpec | undefined>(s: T): T => (s && "file" in s ? { ...s, file: abs(s.file) } : s);
  const problems: string[] = [];
  const ports = [...c.interfaces.wan.ports, ...(c.interfaces.lan?.ports ?? [])];
  if (new Set(ports).size !== ports.length) problems.push("interfaces: an Ethernet port is listed twice");
  if (c.interfaces.lan && c.interfaces.lan.ip === c.interfaces.wan.ip) problems.push("interfaces.lan.ip: must differ from interfaces.wan.ip");
  if (c.wifi.backend === "hostapd" && c.wifi.hostapd.length === 0) problems.push("wifi.hostapd: list at least one hostapd configuration file for backend \"hostapd\"");
  if (problems.length) throw new AgentConfigError(problems);
  return {
    ...c,
    file: resolve(file),
    acs: { ...c.acs, credentialsFile: c.acs.credentialsFile && abs(c.acs.credentialsFile), caFile: c.acs.caFile && abs(c.acs.caFile) },
    stateDir: abs(c.stateDir),
    device: { ...c.device, hardwareVersion: src(c.device.hardwareVersion), softwareVersion: src(c.device.softwareVersion), serialNumber: src(c.device.serialNumber), macAddress: src(c.device.macAddress) },
    wifi: { ...c.wifi, hostapd: c.wifi.hostapd.map((h) => ({ ...h, file: abs(h.file) })), uciFile: abs(c.wifi.uciFile) },
  };
}

/** Reads and validates the config file. */
export function loadAgentConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new AgentConfigError([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AgentConfigError([`${file}: not valid JSON (${(err as Error).message})`]);
  }
  return parseAgentConfig(raw, file);
}

export interface AcsCredentialsFile {
  username: string;
  password: string;
  connectionRequestUsername?: string;
  connectionRequestPassword?: string;
}

const credentials = z.strictObject({
  username: z.string(),
  password: z.string(),
  connectionRequestUsername: z.optional(z.string()),
  connectionRequestPassword: z.optional(z.string()),
});

/** The bootstrap ACS credentials (and optional connection-request credentials); none without a file. */
export function loadCredentials(file: string | undefined): AcsCredentialsFile {
  if (!file) return { username: "", password: "" };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new AgentConfigError([`acs.credentialsFile: ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  const r = credentials.safeParse(raw);
  // Never echo the values: only which key is wrong.
  if (!r.success) throw new AgentConfigError(r.error.issues.map((i) => `acs.credentialsFile: ${i.path.join(".") || "(top level)"}: ${i.code === "unrecognized_keys" ? i.message : "must be a string"}`));
  return r.data;
}
