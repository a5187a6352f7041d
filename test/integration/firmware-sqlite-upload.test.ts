// Firmware image uploads on the SQLite store: a large upload leaves the event
// loop (every CWMP session and API call of the ACS) running, and the chunks
// of an upload cut short by a killed process are never served and are removed
// by the next process before its first upload.

import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { IMAGE_CHUNK_BYTES, type FirmwareFile, type FirmwareRepository } from "../../acs/firmware/firmware-repository.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";

const STORE_MODULE = fileURLToPath(new URL("../../acs/store/sqlite/sqlite-store.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-fw-upload-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const record = (name: string, bytes: Buffer): FirmwareFile => ({
  name, version: "3.2.15", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), profile: null, uploadedAt: 1_700_000_000_000, uploadedBy: "admin",
});

async function readImage(repo: FirmwareRepository, name: string): Promise<Buffer | null> {
  const stream = await repo.openImage(name);
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Chunk rows per name, read beside the store on a connection of its own. */
function chunkRows(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare("SELECT name, count(*) AS n FROM firmware_file_chunks GROUP BY name ORDER BY name").all() as { name: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.n]));
  } finally {
    db.close();
  }
}

describe("SQLite firmware image uploads", () => {
  it("leaves the event loop running through a 64 MiB upload", async () => {
    const dir = tempDir();
    const bytes = randomBytes(64 * 1024 * 1024);
    const path = join(dir, "image");
    writeFileSync(path, bytes);
    const store = await openSqliteStore(join(dir, "acs.db"));
    cleanups.push(() => store.close());

    let last = performance.now();
    const start = last;
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    try {
      await store.firmware.addFile(record("big.bin", bytes), path);
    } finally {
      clearInterval(ticker);
    }
    const end = performance.now();
    longestGap = Math.max(longestGap, end - last);

    // A relative bound, not a time budget: a slow machine stretches the upload and its
    // gaps alike. One transaction for the whole image is one gap as long as the upload;
    // written in short transactions, no gap comes near a quarter of it.
    expect(longestGap).toBeLessThan((end - start) / 4);
    expect((await readImage(store.firmware, "big.bin"))?.equals(bytes)).toBe(true);
  });

  it("never serves the chunks of an upload whose process was killed, and removes them before the next upload", async () => {
    const dir = tempDir();
    const dbPath = join(dir, "acs.db");
    await (await openSqliteStore(dbPath)).close();
    // The image comes through a named pipe that never ends: the upload stays under way until killed.
    const fifo = join(dir, "image.fifo");
    execFileSync("mkfifo", [fifo]);
    const cut = { ...record("cut.bin", Buffer.alloc(0)), size: 40 * IMAGE_CHUNK_BYTES };
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", "const { openSqliteStore } = await import(process.argv[1]); const store = await openSqliteStore(process.argv[2]); await store.firmware.addFile(JSON.parse(process.argv[3]), process.argv[4]);", STORE_MODULE, dbPath, JSON.stringify(cut), fifo],
      { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
    cleanups.push(() => void child.kill("SIGKILL"));
    const pipe = createWriteStream(fifo);
    pipe.on("error", () => undefined); // EPIPE once the reader is killed
    cleanups.push(() => void pipe.destroy());
    pipe.write(randomBytes(10 * IMAGE_CHUNK_BYTES));

    let running = true;
    void exited.then(() => (running = false));
    while (running && !(chunkRows(dbPath)["cut.bin"]! > 0)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(running, `the uploading process stopped on its own: ${stderr}`).toBe(true);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(chunkRows(dbPath)["cut.bin"]).toBeGreaterThan(0);

    const store = await openSqliteStore(dbPath);
    cleanups.push(() => store.close());
    const repo = store.firmware;
    expect(await repo.getFile("cut.bin")).toBeNull();
    expect(await repo.openImage("cut.bin")).toBeNull();
    expect(await repo.listFiles()).toEqual([]);

    // The next upload, of another name, first removes what the killed one left.
    const other = randomBytes(IMAGE_CHUNK_BYTES + 1);
    writeFileSync(join(dir, "other"), other);
    await repo.addFile(record("other.bin", other), join(dir, "other"));
    expect(chunkRows(dbPath)).toEqual({ "other.bin": 2 });
    // The cut name is free again and takes its whole image.
    const retried = randomBytes(3 * IMAGE_CHUNK_BYTES);
    writeFileSync(join(dir, "retried"), retried);
    await repo.addFile(record("cut.bin", retried), join(dir, "retried"));
    expect((await readImage(repo, "cut.bin"))?.equals(retried)).toBe(true);
    expect(chunkRows(dbPath)).toEqual({ "cut.bin": 3, "other.bin": 2 });
  });
});
