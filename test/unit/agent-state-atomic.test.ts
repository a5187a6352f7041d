// Device state survives being killed mid-write: after SIGKILL at random
// moments the state file always parses and is one complete version.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StateStore } from "../../agent/state/device-state.ts";

const dir = mkdtempSync(join(tmpdir(), "agent-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runAndKill(serial: string, afterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/state-writer.ts"), dir, serial], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), afterMs));
    child.once("exit", (_code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`writer exited on its own (${signal})`))));
  });
}

describe("state file atomicity", () => {
  it("is always readable and whole after the writer is killed mid-write", async () => {
    const store = new StateStore(dir);
    const seen = new Set<number>();
    for (let round = 0; round < 6; round++) {
      await runAndKill("HWA000000001", 15 + round * 37);
      const s = await store.load("HWA000000001");
      expect(s).toBeDefined();
      const values = s!.data.values!;
      expect(createHash("sha1").update(JSON.stringify(values)).digest("hex")).toBe(s!.crPath);
      expect(values["Device.WiFi.SSID.1.SSID"]).toBe(`v${s!.retryCount}`);
      seen.add(s!.retryCount);
    }
    // Each round wrote many versions; the survivors differ from round to round.
    expect(seen.size).toBeGreaterThan(1);
  }, 60_000);

  it("moves a corrupt state file aside instead of losing it", async () => {
    const store = new StateStore(dir);
    writeFileSync(store.pathOf("BROKEN1"), "{not json");
    await expect(store.load("BROKEN1")).rejects.toThrow(/moved to/);
    expect(readdirSync(dir).some((f) => f.startsWith("BROKEN1.json.corrupt-"))).toBe(true);
    expect(await store.load("BROKEN1")).toBeUndefined();
  });
});
