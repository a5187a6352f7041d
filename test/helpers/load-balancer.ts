// A load balancer in front of several ACS instances, for multi-instance tests:
// Debian's HAProxy on 127.0.0.1, installed with apt-get when the machine lacks
// it (a fresh CI machine does), started in the foreground in a temp folder.
//
// Round robin per HTTP request, made sticky per CWMP session: a session lives
// in the memory of the instance that answered its Inform (the state machine,
// the RPC in flight), so every request carrying that session's cookie goes
// back there. HAProxy learns the cookie from the instance's Set-Cookie
// (stick store-response) and routes by it (stick on). A request without a
// session cookie (an Inform, a Digest retry) goes round robin; the Digest
// nonce is signed with the shared --nonce-secret, so either instance accepts
// the answer to the other's challenge. Health checks every 300 ms take a dead
// instance out within a second; its sticky entries are then ignored.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../bench/lib/processes.ts";

const execFileAsync = promisify(execFile);

export interface LoadBalancer {
  /** http://127.0.0.1:PORT/ of the balancer. */
  url: string;
  stop(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[load-balancer] ${message}\n`);
}

async function haproxyPath(): Promise<string | null> {
  for (const path of ["/usr/sbin/haproxy", "/usr/bin/haproxy"]) {
    try {
      await execFileAsync(path, ["-v"]);
      return path;
    } catch {
      // not there
    }
  }
  return null;
}

async function aptInstall(): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => execFileAsync("apt-get", ["install", "-y", "--no-install-recommends", "haproxy"], { env, maxBuffer: 64 << 20 });
  try {
    await install();
  } catch {
    // A fresh machine has no package lists yet.
    log("apt-get install failed: running apt-get update, then installing again");
    await execFileAsync("apt-get", ["update"], { env, maxBuffer: 64 << 20 });
    await install();
  }
}

/** The HAProxy binary, installed from Debian's packages when missing. */
export async function ensureHaproxy(): Promise<string> {
  const found = await haproxyPath();
  if (found) return found;
  log("HAProxy is not installed: installing Debian's haproxy package with apt-get (needs root, once per machine)...");
  try {
    await aptInstall();
  } catch (err) {
    throw new Error(`cannot install haproxy with apt-get (the multi-instance test needs a load balancer): ${(err as Error).message}`);
  }
  const installed = await haproxyPath();
  if (!installed) throw new Error("apt-get installed haproxy but no haproxy binary is in /usr/sbin or /usr/bin");
  log(`installed ${installed}`);
  return installed;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export function haproxyConfig(port: number, backends: readonly { name: string; port: number }[]): string {
  return `global
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout check 1s
  # A request whose instance refuses the connection goes to another one.
  retries 2
  option redispatch

frontend cwmp
  bind 127.0.0.1:${port}
  default_backend acs

backend acs
  balance roundrobin
  stick-table type string len 64 size 100k expire 10m
  stick on req.cook(session)
  stick store-response res.cook(session)
${backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check inter 300ms fall 2 rise 1`).join("\n")}
`;
}

/** Starts HAProxy balancing over `backends` (their CWMP ports on 127.0.0.1). */
export async function startLoadBalancer(backends: readonly { name: string; port: number }[]): Promise<LoadBalancer> {
  const binary = await ensureHaproxy();
  const dir = await mkdtemp(join(tmpdir(), "flexacs-lb-"));
  const port = await freePort();
  const config = join(dir, "haproxy.cfg");
  await writeFile(config, haproxyConfig(port, backends));
  const child: ChildProcess = spawn(binary, ["-f", config, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const keep = (d: Buffer): void => {
    output.push(d.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not start on 127.0.0.1:${port}:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/`, stop };
}
