// The router agent as a real process for integration tests: built once per
// test file into a temp folder with the production build (esbuild bundle),
// started with `node agent.js --config …` (optionally inside a network
// namespace through `ip netns exec`), its JSON log lines collected.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAgentBundle, type AgentBundle } from "../../../agent/router/packaging/build.ts";

export interface BuiltAgent extends AgentBundle {
  dir: string;
  cleanup(): void;
}

export async function buildAgent(): Promise<BuiltAgent> {
  const dir = mkdtempSync(join(tmpdir(), "flx-agent-bundle-"));
  const b = await buildAgentBundle(dir);
  return { ...b, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export class AgentProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  private constructor(readonly child: ChildProcess) {
    let buf = "";
    child.stderr!.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.stderr.push(line);
        let parsed: LogLine | undefined;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          continue;
        }
        this.logs.push(parsed);
        this.waiters = this.waiters.filter((w) => (w.pred(parsed!) ? (w.resolve(parsed!), false) : true));
      }
    });
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  /** `node <bundle> --config <file>`, inside `netns` when given. */
  static start(bundle: string, config: string, netns?: string): AgentProcess {
    const node = [process.execPath, bundle, "--config", config];
    const [cmd, ...args] = netns ? ["ip", "netns", "exec", netns, ...node] : node;
    return new AgentProcess(spawn(cmd!, args, { stdio: ["ignore", "ignore", "pipe"] }));
  }

  /** Resolves with the first log line (already seen or future) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean): Promise<LogLine> {
    const seen = this.logs.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** SIGKILL: a power cut, as far as the agent can tell. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    return this.exited;
  }
}

/** Writes a JSON file readable by its owner only (configurations and credentials). */
export function writeJson(file: string, value: unknown): string {
  writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  return file;
}
