// Durability of the SQLite store: a writer process is killed with SIGKILL in
// the middle of its write loop, several times; after each kill the database
// must pass integrity_check and hold everything the writer reported committed,
// and a write cut short must be all-or-nothing.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { HOT_DEVICE, PARAMS_PER_DEVICE, deviceId, deviceParams } from "./sqlite-kill9-writer.ts";

const WRITER = fileURLToPath(new URL("./sqlite-kill9-writer.ts", import.meta.url));
const ROOT = join(dirname(WRITER), "..", "..");

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Runs the writer from `first` until it has reported `commits` iterations, then SIGKILLs it. Returns the last reported i. */
async function writeThenKill(db: string, first: number, commits: number, delayMs: number): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, db, String(first)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
  let last = first - 1;
  let reported = 0;
  // Every line is read, including those still in the pipe when the kill lands.
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^committed (\d+)$/.exec(line);
    if (!match) throw new Error(`unexpected writer output: ${line}`);
    last = Number(match[1]);
    // The delay moves the kill to a different phase of the write loop each round.
    if (++reported === commits) setTimeout(() => child.kill("SIGKILL"), delayMs);
  }
  const signal = await exited;
  if (signal !== "SIGKILL") throw new Error(`writer stopped on its own (${String(signal)}): ${stderr}`);
  return last;
}

function integrityCheck(path: string): unknown {
  const raw = new Database(path);
  try {
    return raw.pragma("integrity_check", { simple: true });
  } finally {
    raw.close();
  }
}

describe("SQLite store under kill -9", () => {
  it("keeps every reported commit and stays consistent across repeated kills mid-write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flexacs-kill9-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "acs.db");
    let next = 0;
    for (const [commits, delayMs] of [[10, 0], [3, 2], [25, 5], [7, 9], [15, 13], [4, 1]] as const) {
      const last = await writeThenKill(db, next, commits, delayMs);
      expect(last).toBeGreaterThanOrEqual(next + commits - 1);
      expect(integrityCheck(db)).toBe("ok");

      const store = await openSqliteStore(db);
      try {
        for (let i = 0; i <= last; i++) {
          const device = await store.getDevice(deviceId(i));
          expect(device?.lastInformAt).toBe(i);
          const params = await store.getParameters(deviceId(i), ["Device.Hosts."]);
          expect(params.size).toBe(PARAMS_PER_DEVICE);
          expect(params).toEqual(deviceParams(i));
          const tasks = await store.listTasks({ deviceId: deviceId(i) });
          expect(tasks.some((t) => t.args["i"] === i)).toBe(true);
        }
        // The iteration the kill interrupted: each call committed whole or not at all.
        const cut = await store.getParameters(deviceId(last + 1), ["Device.Hosts."]);
        expect([0, PARAMS_PER_DEVICE]).toContain(cut.size);
        const counter = (await store.getParameters(HOT_DEVICE, ["Device.Counter"])).get("Device.Counter")?.value;
        expect([String(last), String(last + 1)]).toContain(counter);
      } finally {
        await store.close();
      }
      next = last + 1;
    }
  }, 120_000); // six writer start-ups (tsx) on a busy machine
});
