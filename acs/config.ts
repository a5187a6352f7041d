// The ACS configuration: read once from command-line flags and FLEXACS_*
// environment variables (a flag wins over its variable, a variable over the
// default), validated, and passed down as one typed object. The option table
// below is the single source for parsing, defaults and `--help`.

import { accessSync, constants } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { LOG_LEVELS, type LogLevel } from "./logger.ts";

export type StoreSpec = { kind: "sqlite"; path: string } | { kind: "mongodb"; url: string };

export interface AcsConfig {
  dataDir: string;
  store: StoreSpec;
  logLevel: LogLevel;
  instanceId: string;
  cwmp: {
    host: string;
    port: number;
    tls: { certFile: string; keyFile: string } | null;
    realm: string;
    /** Shared credential CPEs use until they get their own; null disables it. */
    bootstrapCredential: { username: string; password: string } | null;
    /** True when the bootstrap credential is the documented default pair (startup warns). */
    bootstrapCredentialIsDefault: boolean;
    allowBasic: "tls-only" | "never";
    /** null: generated once and kept in <dataDir>/nonce-secret (see acs/data-dir.ts). */
    nonceSecret: string | null;
    bodyLimitBytes: number;
    sessionIdleTimeoutMs: number;
    /** Base URL CPEs use to reach this listener (firmware download URLs); null: the Host each device used. */
    publicUrl: string | null;
  };
  api: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** A device is online when its last Inform is at most this old. */
    onlineWindowMs: number;
  };
  connectionRequestTimeoutMs: number;
  /** Simulated devices to start in-process against this ACS (0: none). */
  demoFleet: number;
  firmwareMaxBytes: number;
  /** Days after an exchange or a termination's effective date to return a rented router. */
  rentalReturnDays: number;
}

export class ConfigError extends Error {
  /** `source` is the flag or environment variable that carried the bad value. */
  constructor(readonly source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = "ConfigError";
  }
}

/** The documented well-known bootstrap pair (README); startup warns while it is in use. */
export const DEFAULT_BOOTSTRAP_USERNAME = "flexacs";
export const DEFAULT_BOOTSTRAP_PASSWORD = "flexacs-bootstrap";

interface OptionSpec<T, F = never> {
  flag: string;
  env: string;
  /** As shown by --help; also the raw value parsed when nothing is given (unless `fallback`). */
  default: string;
  help: string;
  boolean?: true;
  /** Value when neither flag nor variable is set and `default` is descriptive only. */
  fallback?: () => F;
  parse: (raw: string) => T;
}

const opt = <T, F = never>(spec: OptionSpec<T, F>): OptionSpec<T, F> => spec;

const integer = (min: number, max: number) => (raw: string): number => {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`must be an integer from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
};
const port = integer(0, 65535);

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
function duration(raw: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(raw);
  if (!m || Number(m[1]) === 0) throw new Error(`must be a positive duration such as 5000, 30s, 10m or 1h (got "${raw}"; a bare number is milliseconds)`);
  return Number(m[1]) * UNIT_MS[m[2] ?? "ms"]!;
}

const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024 };
function size(raw: string): number {
  const m = /^(\d+)(B|KiB|MiB)?$/.exec(raw);
  if (!m || Number(m[1]) === 0) throw new Error(`must be a positive size such as 65536, 512KiB or 10MiB (got "${raw}")`);
  return Number(m[1]) * UNIT_BYTES[m[2] ?? "B"]!;
}

const nonEmpty = (raw: string): string => {
  if (raw.trim() === "") throw new Error("must not be empty");
  return raw;
};

function oneOf<const T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(", ")} (got "${raw}")`);
    return raw as T;
  };
}

function bool(raw: string): boolean {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new Error(`must be true or false (got "${raw}")`);
}

function readableFile(raw: string): string {
  const path = resolve(nonEmpty(raw));
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new Error(`cannot read file ${path}`);
  }
  return path;
}

export function parseStoreSpec(raw: string): StoreSpec {
  if (raw.startsWith("sqlite:") && raw.length > "sqlite:".length) {
    const path = raw.slice("sqlite:".length);
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  if (/^mongodb(\+srv)?:\/\/[^/\s]+/.test(raw)) return { kind: "mongodb", url: raw };
  throw new Error(`must be sqlite:PATH or mongodb://HOST/DB (got "${raw.replace(/\/\/[^@/]*@/, "//…@")}")`);
}

const OPTIONS = {
  cwmpPort: opt({ flag: "cwmp-port", env: "FLEXACS_CWMP_PORT", default: "7547", help: "CPE-facing CWMP listener port (0: any free port)", parse: port }),
  cwmpHost: opt({ flag: "cwmp-host", env: "FLEXACS_CWMP_HOST", default: "0.0.0.0", help: "CWMP listener address", parse: nonEmpty }),
  apiPort: opt({ flag: "api-port", env: "FLEXACS_API_PORT", default: "3000", help: "REST API / dashboard listener port (0: any free port)", parse: port }),
  apiHost: opt({ flag: "api-host", env: "FLEXACS_API_HOST", default: "127.0.0.1", help: "REST API listener address (internal: keep it off the CPE network)", parse: nonEmpty }),
  dataDir: opt({ flag: "data-dir", env: "FLEXACS_DATA_DIR", default: "./data", help: "directory for the database, the nonce secret and demo-fleet state", parse: (raw) => resolve(nonEmpty(raw)) }),
  store: opt({ flag: "store", env: "FLEXACS_STORE", default: "sqlite:<data-dir>/flexacs.db", help: "database: sqlite:PATH (one instance), or mongodb://HOST[:PORT]/DB (several instances share it)", fallback: () => null, parse: parseStoreSpec }),
  bootstrapUsername: opt({ flag: "bootstrap-username", env: "FLEXACS_BOOTSTRAP_USERNAME", default: DEFAULT_BOOTSTRAP_USERNAME, help: "bootstrap CPE username (well-known default: change it)", parse: nonEmpty }),
  bootstrapPassword: opt({ flag: "bootstrap-password", env: "FLEXACS_BOOTSTRAP_PASSWORD", default: DEFAULT_BOOTSTRAP_PASSWORD, help: "bootstrap CPE password (well-known default: change it)", parse: nonEmpty }),
  noBootstrap: opt({ flag: "no-bootstrap", env: "FLEXACS_NO_BOOTSTRAP", default: "false", boolean: true, help: "refuse CPEs that have no per-device credential yet", parse: bool }),
  realm: opt({ flag: "realm", env: "FLEXACS_REALM", default: "FlexACS", help: "HTTP Digest realm presented to CPEs", parse: nonEmpty }),
  nonceSecret: opt({ flag: "nonce-secret", env: "FLEXACS_NONCE_SECRET", default: "generated, kept in <data-dir>/nonce-secret", help: "secret signing Digest nonces (share it between ACS instances)", fallback: () => null, parse: (raw) => {
    if (raw.length < 16) throw new Error("must be at least 16 characters");
    return raw;
  } }),
  tlsCert: opt({ flag: "tls-cert", env: "FLEXACS_TLS_CERT", default: "none (plain HTTP)", help: "PEM certificate file for the CWMP listener (with --tls-key)", fallback: () => null, parse: readableFile }),
  tlsKey: opt({ flag: "tls-key", env: "FLEXACS_TLS_KEY", default: "none", help: "PEM private key file for the CWMP listener (with --tls-cert)", fallback: () => null, parse: readableFile }),
  allowBasic: opt({ flag: "allow-basic", env: "FLEXACS_ALLOW_BASIC", default: "tls-only", help: "accept HTTP Basic from CPEs: tls-only or never (Digest is always accepted)", parse: oneOf(["tls-only", "never"]) }),
  bodyLimit: opt({ flag: "body-limit", env: "FLEXACS_BODY_LIMIT", default: "4MiB", help: "largest CWMP request body", parse: size }),
  apiBodyLimit: opt({ flag: "api-body-limit", env: "FLEXACS_API_BODY_LIMIT", default: "1MiB", help: "largest REST API request body (bigger: 413)", parse: size }),
  sessionIdleTimeout: opt({ flag: "session-idle-timeout", env: "FLEXACS_SESSION_IDLE_TIMEOUT", default: "30s", help: "CWMP session dropped after this long without a request", parse: duration }),
  connectionRequestTimeout: opt({ flag: "connection-request-timeout", env: "FLEXACS_CONNECTION_REQUEST_TIMEOUT", default: "5s", help: "time allowed for one connection request to a CPE", parse: duration }),
  onlineWindow: opt({ flag: "online-window", env: "FLEXACS_ONLINE_WINDOW", default: "10m", help: "a device is online when it informed within this window (2x a 300 s periodic interval)", parse: duration }),
  logLevel: opt({ flag: "log-level", env: "FLEXACS_LOG_LEVEL", default: "info", help: `log level: ${LOG_LEVELS.join(", ")}`, parse: oneOf(LOG_LEVELS) }),
  cwmpPublicUrl: opt({ flag: "cwmp-public-url", env: "FLEXACS_CWMP_PUBLIC_URL", default: "none (the host each CPE used)", help: "base URL CPEs reach the CWMP listener at, for firmware download URLs", fallback: () => null, parse: (raw) => {
    const u = new URL(nonEmpty(raw));
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("must be an http:// or https:// URL");
    return u.origin;
  } }),
  firmwareMaxSize: opt({ flag: "firmware-max-size", env: "FLEXACS_FIRMWARE_MAX_SIZE", default: "512MiB", help: "largest firmware image accepted for upload", parse: size }),
  // Offer sheet: the return deadline is not stated; business-rules.md sets a configurable 30-day default.
  rentalReturnDays: opt({ flag: "rental-return-days", env: "FLEXACS_RENTAL_RETURN_DAYS", default: "30", help: "days after an exchange or the end of a contract to return a rented router", parse: integer(1, 365) }),
  demoFleet: opt({ flag: "demo-fleet", env: "FLEXACS_DEMO_FLEET", default: "0", help: "start N simulated devices (mixed models) in-process against this ACS", parse: integer(0, 100_000) }),
  instanceId: opt({ flag: "instance-id", env: "FLEXACS_INSTANCE_ID", default: "<hostname>-<pid>", help: "name of this ACS instance (leases between instances)", fallback: () => `${hostname()}-${process.pid}`, parse: nonEmpty }),
};

type Values = { [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K] extends OptionSpec<infer T, infer F> ? T | F : never };

/** parseArgs descriptors for every configuration flag, for commands that add their own flags. */
export const CONFIG_FLAGS: NonNullable<ParseArgsConfig["options"]> = Object.fromEntries(
  Object.values(OPTIONS).map((o) => [o.flag, { type: o.boolean ? "boolean" : "string" }]),
);

/** Builds the configuration from parsed flag values (by flag name) and the environment. */
export function buildConfig(flags: Record<string, string | boolean | undefined | (string | boolean)[]>, env: NodeJS.ProcessEnv): AcsConfig {
  const v = {} as Record<string, unknown>;
  for (const [key, o] of Object.entries(OPTIONS) as [string, OptionSpec<unknown, unknown>][]) {
    const flag = flags[o.flag];
    const envValue = env[o.env] === "" ? undefined : env[o.env];
    const [source, raw] = flag !== undefined ? [`--${o.flag}`, String(flag)] : envValue !== undefined ? [o.env, envValue] : ["default", undefined];
    try {
      v[key] = raw !== undefined ? o.parse(raw) : o.fallback ? o.fallback() : o.parse(o.default);
    } catch (err) {
      throw new ConfigError(source, (err as Error).message);
    }
  }
  const values = v as Values;
  if ((values.tlsCert === null) !== (values.tlsKey === null)) {
    throw new ConfigError(values.tlsCert === null ? "--tls-cert" : "--tls-key", "--tls-cert and --tls-key must be given together");
  }
  const bootstrap = values.noBootstrap ? null : { username: values.bootstrapUsername, password: values.bootstrapPassword };
  return {
    dataDir: values.dataDir,
    store: values.store ?? { kind: "sqlite", path: resolve(values.dataDir, "flexacs.db") },
    logLevel: values.logLevel,
    instanceId: values.instanceId,
    cwmp: {
      host: values.cwmpHost,
      port: values.cwmpPort,
      tls: values.tlsCert !== null && values.tlsKey !== null ? { certFile: values.tlsCert, keyFile: values.tlsKey } : null,
      realm: values.realm,
      bootstrapCredential: bootstrap,
      bootstrapCredentialIsDefault: bootstrap !== null && bootstrap.username === DEFAULT_BOOTSTRAP_USERNAME && bootstrap.password === DEFAULT_BOOTSTRAP_PASSWORD,
      allowBasic: values.allowBasic,
      nonceSecret: values.nonceSecret,
      bodyLimitBytes: values.bodyLimit,
      sessionIdleTimeoutMs: values.sessionIdleTimeout,
      publicUrl: values.cwmpPublicUrl,
    },
    api: { host: values.apiHost, port: values.apiPort, bodyLimitBytes: values.apiBodyLimit, onlineWindowMs: values.onlineWindow },
    connectionRequestTimeoutMs: values.connectionRequestTimeout,
    demoFleet: values.demoFleet,
    firmwareMaxBytes: values.firmwareMaxSize,
    rentalReturnDays: values.rentalReturnDays,
  };
}

/** Parses the `start` command line: configuration flags only (unknown flags are errors). */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): AcsConfig {
  return buildConfig(parseFlags(argv, CONFIG_FLAGS).values, env);
}

/** parseArgs in strict mode, its errors turned into ConfigErrors naming the flag. */
export function parseFlags(argv: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    const message = (err as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? "command line";
    throw new ConfigError(flag, message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}

/** The option table as shown by --help: flag, meaning, environment variable, default. */
export function configHelp(): string {
  const rows = Object.values(OPTIONS).map((o) => ({ left: `  --${o.flag}${o.boolean ? "" : " VALUE"}`, o }));
  const w = Math.max(...rows.map((r) => r.left.length)) + 2;
  return rows.map(({ left, o }) => `${left.padEnd(w)}${o.help}\n${" ".repeat(w)}env ${o.env}, default: ${o.default}`).join("\n");
}
