// The command line as an operator uses it: real child processes of
// acs/main.ts, a real ACS started by `start`, its API called over HTTP.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), "flexacs-cli-"));
  dirs.push(d);
  return d;
};

function spawnCli(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "acs/main.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FLEXACS_LOG_LEVEL: "info" } });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Runs a CLI command to completion. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

interface Server {
  child: ChildProcess;
  apiUrl: string;
  stdout(): string;
  /** Resolves with the first match of `re` in stdout, now or once it is printed. */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
}

/** Starts the ACS and resolves once its "FlexACS started" log line gives the API URL. */
function startServer(args: string[]): Promise<Server> {
  const child = spawnCli(["start", "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", ...args]);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const waitFor = (re: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = re.exec(out);
        if (m) {
          child.stdout!.off("data", check);
          child.off("exit", onExit);
          resolve(m);
        }
        return m !== null;
      };
      const onExit = (code: number | null): void => reject(new Error(`ACS exited (${code}) before printing ${re}: ${err}`));
      if (!check()) {
        child.stdout!.on("data", check);
        child.once("exit", onExit);
      }
    });
  return waitFor(/^\{.*"msg":"FlexACS started".*$/m).then((m) => ({ child, apiUrl: JSON.parse(m[0]).apiUrl, stdout: () => out, waitFor }));
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

const devicesStatus = async (apiUrl: string, token: string): Promise<number> =>
  (await fetch(new URL("/api/devices", apiUrl), { headers: { authorization: `Bearer ${token}` } })).status;

test("--help lists every option with its environment variable and default", async () => {
  const { code, stdout } = await run(["--help"]);
  expect(code).toBe(0);
  expect(stdout).toContain("flexacs token create --name NAME --role noc|support|admin");
  expect(stdout).toMatch(/--cwmp-port VALUE .*\n\s+env FLEXACS_CWMP_PORT, default: 7547/);
  expect(stdout).toMatch(/--api-port VALUE .*\n\s+env FLEXACS_API_PORT, default: 3000/);
  expect(stdout).toMatch(/--demo-fleet VALUE .*\n\s+env FLEXACS_DEMO_FLEET, default: 0/);
  expect(stdout).toMatch(/--store VALUE .*\n\s+env FLEXACS_STORE, default: sqlite:<data-dir>\/flexacs\.db/);
});

test("a bad flag value exits 2 with a message naming the flag", async () => {
  const [{ code, stderr }, mongo] = await Promise.all([
    run(["--cwmp-port", "99999"]),
    run(["token", "list", "--store", "mongodb://127.0.0.1:1/flexacs?serverSelectionTimeoutMS=300"]),
  ]);
  expect(code).toBe(2);
  expect(stderr).toContain('flexacs: --cwmp-port: must be an integer from 0 to 65535 (got "99999")');
  expect(mongo.code).toBe(1);
  expect(mongo.stderr).toContain("flexacs: cannot open the MongoDB store mongodb://127.0.0.1:1/flexacs?serverSelectionTimeoutMS=300: ");
});

test("token create prints a token that works against the API; list shows it; revoke stops it", async () => {
  const dataDir = await tempDir();
  const created = await run(["token", "create", "--name", "ops", "--role", "admin", "--data-dir", dataDir]);
  expect(created.code).toBe(0);
  const token = /^(flx_\S+)$/m.exec(created.stdout)?.[1];
  expect(token).toBeDefined();

  const server = await startServer(["--data-dir", dataDir]);
  expect(await devicesStatus(server.apiUrl, token!)).toBe(200);

  const [listed, duplicate, badRole, noName] = await Promise.all([
    run(["token", "list", "--data-dir", dataDir]),
    run(["token", "create", "--name", "ops", "--role", "noc", "--data-dir", dataDir]),
    run(["token", "create", "--name", "x", "--role", "root", "--data-dir", dataDir]),
    run(["token", "create", "--role", "noc", "--data-dir", dataDir]),
  ]);
  expect(listed.stdout).toMatch(/^ops\s+admin\s+created \d{4}-/m);
  expect(listed.stdout).not.toContain(token!);
  expect(duplicate.stderr).toContain('a token named "ops" already exists');
  expect(badRole.stderr).toContain("--role: must be one of noc, support, admin");
  expect(noName.stderr).toContain("--name: token create needs --name");
  expect([duplicate.code, badRole.code, noName.code]).toEqual([2, 2, 2]);

  const revoked = await run(["token", "revoke", "--name", "ops", "--data-dir", dataDir]);
  expect(revoked.code).toBe(0);
  expect(await devicesStatus(server.apiUrl, token!)).toBe(401);
  expect((await run(["token", "revoke", "--name", "ops", "--data-dir", dataDir])).code).toBe(2);
  expect(await stop(server.child)).toBe(0);
  // Tokens existed already: no first-start token was created or printed.
  expect(server.stdout()).not.toContain("first start");
});

test("a second ACS on the same SQLite store refuses to start; once the first is killed -9, a new one starts at once", async () => {
  const dataDir = await tempDir();
  const first = await startServer(["--data-dir", dataDir]);
  const second = await run(["start", "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", "--data-dir", dataDir]);
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`another FlexACS process serves ${join(dataDir, "flexacs.db")}`);
  expect(second.stderr).toContain("several instances share a MongoDB store");
  const token = (await first.waitFor(/^\s+(flx_\S+)$/m))[1]!;
  expect(await devicesStatus(first.apiUrl, token)).toBe(200);
  // The lock dies with its process: no stale lock after kill -9.
  first.child.kill("SIGKILL");
  await new Promise((resolve) => first.child.once("exit", resolve));
  const third = await startServer(["--data-dir", dataDir]);
  expect(await devicesStatus(third.apiUrl, token)).toBe(200);
  expect(await stop(third.child)).toBe(0);
});

test("first start on an empty store prints a working admin token once, and never logs it", async () => {
  const dataDir = await tempDir();
  const first = await startServer(["--data-dir", dataDir]);
  const token = (await first.waitFor(/^\s+(flx_\S+)$/m))[1]!;
  expect(first.stdout()).toContain('created the API token "admin" (role admin)');
  expect(await devicesStatus(first.apiUrl, token)).toBe(200);
  expect(await stop(first.child)).toBe(0);
  // Printed in the banner (and its curl example), in no log line.
  const logLines = first.stdout().split("\n").filter((l) => l.startsWith("{"));
  expect(logLines.length).toBeGreaterThan(0);
  expect(logLines.some((l) => l.includes(token))).toBe(false);
  expect(logLines.some((l) => l.includes("documented default bootstrap credential"))).toBe(true);

  const second = await startServer(["--data-dir", dataDir]);
  expect(await devicesStatus(second.apiUrl, token)).toBe(200);
  expect(await stop(second.child)).toBe(0);
  expect(second.stdout()).not.toContain("flx_");
});

test("start --demo-fleet N registers N simulated devices of mixed models", async () => {
  const dataDir = await tempDir();
  const server = await startServer(["--data-dir", dataDir, "--demo-fleet", "4"]);
  const token = (await server.waitFor(/^\s+(flx_\S+)$/m))[1]!;
  const booted = JSON.parse((await server.waitFor(/^\{.*"msg":"demo fleet booted".*$/m))[0]);
  expect(booted).toMatchObject({ devices: 4, failed: 0 });
  const res = await fetch(new URL("/api/devices?online=true", server.apiUrl), { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { total: number; items: { dataModel: string }[] };
  expect(body.total).toBe(4);
  expect(new Set(body.items.map((d) => d.dataModel))).toEqual(new Set(["tr181", "tr098"]));
  expect(await stop(server.child)).toBe(0);
});
