// Debian Chromium driven by playwright-core for the dashboard tests. When
// /usr/bin/chromium is missing it is installed with apt-get (update first);
// the tests never skip. Each browser gets a fresh profile in a temp dir
// (--user-data-dir, via launchPersistentContext: playwright refuses the flag
// in `args`), removed by close().

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Headless, no GPU, and nothing that reaches beyond loopback (updates, sync, QUIC, background requests). */
export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.log(`[chromium helper] ${CHROMIUM} not found: installing the Debian package (apt-get update && apt-get install -y chromium)`);
  if (process.getuid?.() !== 0) throw new Error("chromium is not installed and installing it needs root: run `apt-get update && apt-get install -y chromium`");
  const apt = (...args: string[]) =>
    spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 900_000 });
  const update = apt("update");
  if (update.status !== 0) throw new Error(`apt-get update failed (exit ${update.status}): ${(update.stderr || String(update.error)).slice(-2000)}`);
  const install = apt("install", "-y", "chromium");
  if (install.status !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(`apt-get install -y chromium failed (exit ${install.status}): ${(install.stderr || install.stdout || String(install.error)).slice(-2000)}`);
  }
  console.log(`[chromium helper] installed ${CHROMIUM}`);
  return CHROMIUM;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1366, height: 768 }): Promise<Browser> {
  const executablePath = ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "flexacs-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_FLAGS, headless: true, viewport });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
}
