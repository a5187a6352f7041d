import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";
import { CONFIG_FLAGS, ConfigError, configHelp, parseConfig, parseStoreSpec } from "../../acs/config.ts";
import { loadOrCreateNonceSecret } from "../../acs/data-dir.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), "flexacs-config-"));
  dirs.push(d);
  return d;
};

/** The ConfigError thrown by `fn`, so assertions can check which flag it names. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

test("defaults: CWMP on 0.0.0.0:7547, API on 127.0.0.1:3000, SQLite in ./data, default bootstrap pair flagged", () => {
  const c = parseConfig([], {});
  expect(c.cwmp).toMatchObject({ host: "0.0.0.0", port: 7547, tls: null, realm: "FlexACS", allowBasic: "tls-only", nonceSecret: null, bootstrapCredentialIsDefault: true });
  expect(c.cwmp.bootstrapCredential).toEqual({ username: "flexacs", password: "flexacs-bootstrap" });
  expect(c.api).toMatchObject({ host: "127.0.0.1", port: 3000, bodyLimitBytes: 1024 * 1024, onlineWindowMs: 600_000 });
  expect(c.dataDir).toBe(resolve("data"));
  expect(c.store).toEqual({ kind: "sqlite", path: resolve("data", "flexacs.db") });
  expect(c.logLevel).toBe("info");
  expect(c.demoFleet).toBe(0);
  expect(c.connectionRequestTimeoutMs).toBe(5000);
  expect(c.cwmp.sessionIdleTimeoutMs).toBe(30_000);
});

test("a flag wins over its environment variable, which wins over the default", () => {
  const env = { FLEXACS_CWMP_PORT: "8000", FLEXACS_API_PORT: "4000", FLEXACS_LOG_LEVEL: "debug" };
  const c = parseConfig(["--cwmp-port", "9000", "--log-level=warn"], env);
  expect(c.cwmp.port).toBe(9000);
  expect(c.api.port).toBe(4000);
  expect(c.logLevel).toBe("warn");
});

test("the store follows --data-dir unless --store names one", () => {
  expect(parseConfig(["--data-dir", "/srv/acs"], {}).store).toEqual({ kind: "sqlite", path: "/srv/acs/flexacs.db" });
  expect(parseConfig(["--data-dir", "/srv/acs", "--store", "sqlite:/var/db/x.db"], {}).store).toEqual({ kind: "sqlite", path: "/var/db/x.db" });
  expect(parseConfig([], { FLEXACS_STORE: "mongodb://user:pw@db1:27017/flexacs" }).store).toEqual({ kind: "mongodb", url: "mongodb://user:pw@db1:27017/flexacs" });
});

test("durations and sizes take units", () => {
  const c = parseConfig(["--session-idle-timeout", "2m", "--connection-request-timeout", "1500", "--online-window", "1h", "--body-limit", "512KiB", "--api-body-limit", "2MiB"], {});
  expect(c.cwmp.sessionIdleTimeoutMs).toBe(120_000);
  expect(c.connectionRequestTimeoutMs).toBe(1500);
  expect(c.api.onlineWindowMs).toBe(3_600_000);
  expect(c.cwmp.bodyLimitBytes).toBe(512 * 1024);
  expect(c.api.bodyLimitBytes).toBe(2 * 1024 * 1024);
});

test("bad values are refused with a message naming the flag or variable", () => {
  expect(configError(() => parseConfig(["--cwmp-port", "70000"], {})).message).toBe('--cwmp-port: must be an integer from 0 to 65535 (got "70000")');
  expect(configError(() => parseConfig([], { FLEXACS_API_PORT: "http" })).source).toBe("FLEXACS_API_PORT");
  expect(configError(() => parseConfig(["--log-level", "loud"], {})).message).toMatch(/^--log-level: must be one of fatal, error, warn, info, debug, trace, silent/);
  expect(configError(() => parseConfig(["--session-idle-timeout", "soon"], {})).source).toBe("--session-idle-timeout");
  expect(configError(() => parseConfig(["--body-limit", "0"], {})).source).toBe("--body-limit");
  expect(configError(() => parseConfig(["--demo-fleet", "-1"], {})).source).toBe("--demo-fleet");
  expect(configError(() => parseConfig(["--allow-basic", "always"], {})).source).toBe("--allow-basic");
  expect(configError(() => parseConfig(["--nonce-secret", "short"], {})).source).toBe("--nonce-secret");
  expect(configError(() => parseConfig(["--no-such-flag"], {})).message).toMatch(/^--no-such-flag: Unknown option/);
  expect(configError(() => parseConfig(["--cwmp-port"], {})).source).toBe("--cwmp-port");
});

test("--store accepts sqlite:PATH and mongodb:// only, without echoing credentials", () => {
  expect(parseStoreSpec("sqlite::memory:")).toEqual({ kind: "sqlite", path: ":memory:" });
  const err = configError(() => parseConfig(["--store", "postgres://admin:hunter2@db/acs"], {}));
  expect(err.source).toBe("--store");
  expect(err.message).not.toContain("hunter2");
  expect(configError(() => parseConfig(["--store", "sqlite:"], {})).source).toBe("--store");
});

test("TLS needs a readable certificate and key, given together", async () => {
  const dir = await tempDir();
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  await writeFile(cert, "CERT");
  await writeFile(key, "KEY");
  expect(parseConfig(["--tls-cert", cert, "--tls-key", key], {}).cwmp.tls).toEqual({ certFile: cert, keyFile: key });
  expect(configError(() => parseConfig(["--tls-cert", cert], {})).message).toBe("--tls-key: --tls-cert and --tls-key must be given together");
  expect(configError(() => parseConfig(["--tls-cert", cert, "--tls-key", join(dir, "missing.pem")], {})).source).toBe("--tls-key");
});

test("the bootstrap credential can be replaced or disabled", () => {
  const custom = parseConfig(["--bootstrap-username", "isp", "--bootstrap-password", "s3cret-boot"], {});
  expect(custom.cwmp.bootstrapCredential).toEqual({ username: "isp", password: "s3cret-boot" });
  expect(custom.cwmp.bootstrapCredentialIsDefault).toBe(false);
  expect(parseConfig(["--no-bootstrap"], {}).cwmp.bootstrapCredential).toBeNull();
  expect(parseConfig([], { FLEXACS_NO_BOOTSTRAP: "true" }).cwmp.bootstrapCredential).toBeNull();
});

test("--help lists every option with its environment variable and default", () => {
  const help = configHelp();
  for (const flag of Object.keys(CONFIG_FLAGS)) expect(help).toContain(`--${flag}`);
  expect(help).toMatch(/--cwmp-port VALUE .*\n\s+env FLEXACS_CWMP_PORT, default: 7547/);
  expect(help).toMatch(/env FLEXACS_API_HOST, default: 127\.0\.0\.1/);
  expect(help).toMatch(/env FLEXACS_DEMO_FLEET, default: 0/);
});

test("the nonce secret is generated once, owner-only, and kept across restarts", async () => {
  const dir = await tempDir();
  const first = await loadOrCreateNonceSecret(dir);
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  expect(await loadOrCreateNonceSecret(dir)).toBe(first);
  expect((await stat(join(dir, "nonce-secret"))).mode & 0o777).toBe(0o600);
  expect((await readFile(join(dir, "nonce-secret"), "utf8")).trim()).toBe(first);
});
