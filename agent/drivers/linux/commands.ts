// Configured shell commands (Wi-Fi reload, reboot, factory reset, identity
// sources): run with /bin/sh -c under a timeout; the first lines of the error
// output are kept for the fault or log message. Never rejects.

import { spawn } from "node:child_process";

export interface CommandResult {
  ok: boolean;
  /** Exit code, or null when killed (timeout) or not started. */
  code: number | null;
  /** "exit 1: <stderr>", "timed out after 20 s", … ("" when ok). */
  error: string;
  /** Standard output (up to 64 KB) when `capture` was asked, else "". */
  output: string;
}

export interface CommandOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  capture?: boolean;
}

const KEEP_ERR = 2048;
const KEEP_OUT = 65_536;

export function runCommand(command: string, opts: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    let err = "";
    let out = "";
    let timedOut = false;
    const child = spawn("/bin/sh", ["-c", command], {
      stdio: ["ignore", opts.capture ? "pipe" : "ignore", "pipe"],
      env: { ...process.env, ...opts.env },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.stdout?.on("data", (c: Buffer) => {
      if (out.length < KEEP_OUT) out += c.toString("utf8");
    });
    child.stderr?.on("data", (c: Buffer) => {
      if (err.length < KEEP_ERR) err += c.toString("utf8");
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, code: null, error: `cannot run: ${e.message}`, output: "" });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const detail = err.trim().split("\n").slice(0, 3).join(" / ").slice(0, 300);
      if (timedOut) resolve({ ok: false, code: null, error: `timed out after ${Math.round(opts.timeoutMs / 1000)} s`, output: out });
      else if (code === 0) resolve({ ok: true, code, error: "", output: out });
      else resolve({ ok: false, code, error: `exit ${code}${detail ? `: ${detail}` : ""}`, output: out });
    });
  });
}
