// The data directory: created on first start; holds the nonce secret so that
// Digest nonces issued before a restart stay valid after it.

import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const NONCE_SECRET_FILE = "nonce-secret";

export async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}

/** Reads <dataDir>/nonce-secret, creating it (owner-only) when absent. */
export async function loadOrCreateNonceSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, NONCE_SECRET_FILE);
  try {
    await writeFile(file, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const secret = (await readFile(file, "utf8")).trim();
  if (secret.length < 16) throw new Error(`${file} holds no usable nonce secret (under 16 characters): delete it to have a new one generated`);
  return secret;
}
