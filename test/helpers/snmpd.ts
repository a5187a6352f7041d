// A real Debian snmpd on 127.0.0.1 whose IF-MIB values the test controls
// (recipe: /work/shared/reference/snmp-test-peer.md §1). Each peer has its own
// config, state file and persistent dir in a temp dir, on a free UDP port; the
// built-in if-mib modules are disabled so the pass_persist helper serves
// ifTable/ifXTable, while sysUpTime stays snmpd's own.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import snmp from "snmp-native";

export interface SimInterface {
  index: number;
  descr: string;
  /** IF-MIB ifOperStatus: 1 up, 2 down, … */
  operStatus: number;
  /** ifHighSpeed, Mbit/s. */
  highSpeed: number;
  /** ifHCInOctets / ifHCOutOctets (ifIn/OutOctets are these mod 2^32). */
  inOctets: bigint;
  outOctets: bigint;
  /** false: the agent has no HC counters (32-bit only). */
  hc?: boolean;
}

export interface SnmpdPeer {
  port: number;
  /** Replaces the served values atomically; the next request sees them. */
  setInterfaces(interfaces: SimInterface[]): Promise<void>;
  /** Stops and starts snmpd on the same port: sysUpTime starts again from 0. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const SNMPD_CANDIDATES = ["/usr/sbin/snmpd", "/usr/bin/snmpd"];
const PASS_HELPER = fileURLToPath(new URL("./ifsim-pass.mjs", import.meta.url));

const findSnmpd = (): string | undefined => SNMPD_CANDIDATES.find((p) => existsSync(p));

/** Path of snmpd, installing the Debian package first when it is missing. */
export function ensureSnmpd(): string {
  const found = findSnmpd();
  if (found) return found;
  console.log("[snmpd helper] snmpd not found: installing the Debian package (apt-get install -y snmpd)");
  if (process.getuid?.() !== 0) throw new Error("snmpd is not installed and installing it needs root: run `apt-get install -y snmpd`");
  const apt = (...args: string[]) =>
    spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 480_000 });
  let r = apt("install", "-y", "snmpd");
  if (r.status !== 0) {
    console.log("[snmpd helper] install failed, refreshing package lists (apt-get update) and retrying");
    apt("update");
    r = apt("install", "-y", "snmpd");
  }
  const path = findSnmpd();
  if (r.status !== 0 || !path) throw new Error(`apt-get install -y snmpd failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`);
  console.log(`[snmpd helper] installed ${path}`);
  return path;
}

/** A UDP port on 127.0.0.1 that nothing is bound to (at the time of asking). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const serialize = (interfaces: SimInterface[]) =>
  JSON.stringify({ interfaces }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** Asks for sysUpTime and one object in each pass_persist subtree (which spawns the helpers) until all answer. */
async function waitReady(port: number, deadlineMs: number, output: () => string): Promise<void> {
  const session = new snmp.Session({ host: "127.0.0.1", port, community: "public", timeouts: [200] });
  session.on("error", () => {});
  const get = (oid: number[]) =>
    new Promise<boolean>((resolve) => session.get({ oid }, (err, vbs) => resolve(!err && !!vbs && vbs[0]!.type < 0x80)));
  try {
    while (Date.now() < deadlineMs) {
      if ((await get([1, 3, 6, 1, 2, 1, 1, 3, 0])) && (await get([1, 3, 6, 1, 2, 1, 2, 1, 0])) && (await get([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15, 1]))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`snmpd on 127.0.0.1:${port} not ready in time; output:\n${output().slice(-2000)}`);
  } finally {
    session.close();
  }
}

export async function startSnmpd(initial: SimInterface[]): Promise<SnmpdPeer> {
  const snmpd = ensureSnmpd();
  const dir = await mkdtemp(join(tmpdir(), "flexacs-snmpd-"));
  const statePath = join(dir, "ifsim.json");
  const setInterfaces = async (interfaces: SimInterface[]) => {
    await writeFile(`${statePath}.tmp`, serialize(interfaces));
    await rename(`${statePath}.tmp`, statePath); // the helper never sees a half-written file
  };
  await setInterfaces(initial);
  let port = await freeUdpPort();
  let child: ChildProcess | undefined;
  let output = "";

  const launch = async () => {
    const pass = (rootOid: string) => `pass_persist ${rootOid} ${process.execPath} ${PASS_HELPER} ${statePath} ${rootOid}`;
    await writeFile(
      join(dir, "snmpd.conf"),
      [
        `agentAddress udp:127.0.0.1:${port}`,
        "rocommunity public 127.0.0.1",
        "sysDescr FlexACS test ONT",
        `[snmp] persistentDir ${join(dir, "persist")}`,
        "master no",
        "dontLogTCPWrappersConnects yes",
        pass(".1.3.6.1.2.1.2"),
        pass(".1.3.6.1.2.1.31"),
        "",
      ].join("\n"),
    );
    output = "";
    // -I -ifTable,ifXTable,interface,smux: one leading "-" for the whole list;
    // smux off or snmpd also listens on TCP 0.0.0.0:199.
    const c = spawn(snmpd, ["-f", "-Lo", "-C", "-c", join(dir, "snmpd.conf"), "-I", "-ifTable,ifXTable,interface,smux", "-p", join(dir, "snmpd.pid")], {
      env: { ...process.env, MIBS: "", SNMP_PERSISTENT_DIR: join(dir, "persist") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    c.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    c.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child = c;
    await waitReady(port, Date.now() + 15_000, () => output);
  };

  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill("SIGTERM");
    const timer = setTimeout(() => c.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };

  // The probed port may be taken again before snmpd binds it: retry on a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      await kill();
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      port = await freeUdpPort();
    }
  }

  return {
    get port() {
      return port;
    },
    setInterfaces,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
