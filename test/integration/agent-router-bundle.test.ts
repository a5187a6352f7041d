// The router agent as shipped: one JavaScript file (npm run build:agent),
// under 1 MB, without the ACS's server code, that runs with `node agent.js`
// from a folder holding nothing else: --help, --check, and a real session.

import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleProblems } from "../../agent/router/packaging/build.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";
import { AgentProcess, buildAgent, writeJson, type BuiltAgent } from "./helpers/router-agent.ts";

let bundle: BuiltAgent;
let empty: string;
let acs: AcsUnderTest;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  bundle = await buildAgent();
  empty = mkdtempSync(join(tmpdir(), "flx-empty-"));
  copyFileSync(bundle.file, join(empty, "agent.js"));
  acs = await AcsUnderTest.start();
});

afterAll(async () => {
  await agent?.stop();
  await acs?.close();
  bundle?.cleanup();
  rmSync(empty, { recursive: true, force: true });
});

/** `node agent.js …` in the empty folder (asynchronously: the ACS it talks to runs in this process). */
const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, ["agent.js", ...args], { cwd: empty, encoding: "utf8", timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });

describe("the agent bundle", () => {
  it("is one file under 1 MB with the installers next to it, and no server package or ACS server code", () => {
    expect(bundle.bytes).toBeLessThan(1024 * 1024);
    expect(readdirSync(bundle.dir).sort()).toEqual(["THIRD-PARTY-LICENSES.txt", "agent.example.json", "agent.js", "flexacs-agent.init", "flexacs-agent.service", "install.sh", "package.json"]);
    for (const banned of ["better-sqlite3", "mongodb", "fastify", "@fastify/websocket"]) expect(bundle.packages).not.toContain(banned);
    expect(bundle.inputs.filter((i) => i.startsWith("acs/")).every((i) => i.startsWith("acs/cwmp/"))).toBe(true);
    // The guard the build applies would have caught them.
    expect(bundleProblems(["node_modules/fastify/fastify.js", "acs/api/server.ts", "acs/cwmp/codec.ts"])).toEqual([
      "server package in the agent bundle: fastify (node_modules/fastify/fastify.js)",
      "ACS server code in the agent bundle: acs/api/server.ts",
    ]);
  });

  it("runs from an empty folder: --help", async () => {
    expect(readdirSync(empty)).toEqual(["agent.js"]);
    const r = await run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: node agent.js [--config FILE] [--check]");
  });

  it("--check validates the configuration and reaches the ACS; a bad key is named and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flx-check-"));
    try {
      writeJson(join(dir, "credentials.json"), BOOT);
      const good = writeJson(join(dir, "good.json"), {
        acs: { url: acs.url, credentialsFile: "credentials.json" },
        stateDir: join(dir, "state"),
        device: { oui: "A1B2C3", serialNumber: { value: "CHK1" }, softwareVersion: { value: "1.0" } },
        interfaces: { wan: { ip: "lo" } },
      });
      const ok = await run(["--check", "--config", good]);
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`^ok   ACS ${acs.url.replace(/[.]/g, "\\.")} answers \\(HTTP \\d+\\)$`, "m"));
      expect(ok.stdout).toMatch(/^ok   identity: OUI A1B2C3, product class LinuxRouter, serial CHK1, software 1\.0$/m);

      const bad = writeJson(join(dir, "bad.json"), { acs: { url: "http://127.0.0.1:9/" }, interfaces: { wan: { ip: "no-such-if0", ports: ["no-such-if0"] } }, wifi: { backend: "hostapd", hostapd: [{ file: "missing.conf" }] } });
      const r = await run(["--check", "--config", bad]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("FAIL interfaces.wan.ports: no interface no-such-if0");
      expect(r.stdout).toMatch(/^FAIL wifi: .*missing\.conf/m);
      expect(r.stdout).toMatch(/^FAIL ACS http:\/\/127\.0\.0\.1:9\/ unreachable: connect ECONNREFUSED/m);

      writeFileSync(join(dir, "typo.json"), JSON.stringify({ acs: { url: acs.url }, interfaces: { wan: { ip: "lo" } }, intervals: { periodicInform: 60 } }));
      const typo = await run(["--config", join(dir, "typo.json")]);
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain('intervals: Unrecognized key: "periodicInform"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("install.sh puts the agent and a private configuration in place, and keeps an edited one on upgrade", async () => {
    const root = mkdtempSync(join(tmpdir(), "flx-install-"));
    try {
      const env = { ...process.env, PREFIX: join(root, "opt"), ETC: join(root, "etc"), SERVICE: "none" };
      const install = (): Promise<string> =>
        new Promise((resolve, reject) => execFile("sh", [join(bundle.dir, "install.sh")], { env, encoding: "utf8" }, (err, out) => (err ? reject(err) : resolve(out))));
      expect(await install()).toContain(`install.sh: no service installed; run: node ${join(root, "opt")}/agent.js --config ${join(root, "etc")}/agent.json`);
      expect(readdirSync(join(root, "opt")).sort()).toEqual(["THIRD-PARTY-LICENSES.txt", "agent.js", "package.json"]);
      for (const f of ["agent.json", "credentials.json"]) expect(statSync(join(root, "etc", f)).mode & 0o777).toBe(0o600);
      const cfg = JSON.parse(readFileSync(join(root, "etc", "agent.json"), "utf8")) as { acs: { credentialsFile: string }; stateDir: string };
      expect(cfg.acs.credentialsFile).toBe(join(root, "etc", "credentials.json"));
      expect(cfg.stateDir).toBe(join(root, "etc", "state"));
      writeFileSync(join(root, "etc", "agent.json"), JSON.stringify({ ...cfg, logLevel: "debug" }));
      await install();
      expect(JSON.parse(readFileSync(join(root, "etc", "agent.json"), "utf8"))).toMatchObject({ logLevel: "debug" });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("runs from an empty folder: boots against FlexACS (0 BOOTSTRAP + 1 BOOT), its state file beside it", async () => {
    const config = writeJson(join(empty, "agent.json"), {
      acs: { url: acs.url, credentialsFile: "credentials.json" },
      stateDir: "state",
      device: { oui: "A1B2C3", productClass: "BundleRouter", serialNumber: { value: "BUNDLE1" }, softwareVersion: { value: "3.1.4" } },
      interfaces: { wan: { ip: "lo" } },
      connectionRequest: { port: 0, listen: "127.0.0.1" },
    });
    writeJson(join(empty, "credentials.json"), BOOT);
    agent = AgentProcess.start(join(empty, "agent.js"), config);
    const informed = await acs.next("device.informed", (e) => e.deviceId === "A1B2C3-BundleRouter-BUNDLE1");
    expect(informed.events).toEqual(["0 BOOTSTRAP", "1 BOOT"]);
    await acs.next("session.ended", (e) => e.deviceId === "A1B2C3-BundleRouter-BUNDLE1");
    expect(await acs.store.getDevice("A1B2C3-BundleRouter-BUNDLE1")).toMatchObject({ softwareVersion: "3.1.4", dataModel: "tr181" });
    expect(await agent.stop()).toBe(0);
    agent = undefined;
    expect(readdirSync(join(empty, "state"))).toEqual(["BUNDLE1.json"]);
  });
});
