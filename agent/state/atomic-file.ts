// Crash-safe small files: write a temp file, fsync it, rename it over the
// target, fsync the directory. A reader sees the old content or the new one,
// never a torn write, even if the process is killed or the power fails
// mid-write; once the call resolves, the new content survives a power cut.

import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

let seq = 0;

/** `mode`: permissions of the new file (default 0600: state files hold credentials). */
export async function writeFileAtomic(path: string, data: string, opts: { fsync?: boolean; mode?: number } = {}): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${++seq}`;
  try {
    const fh = await open(tmp, "w", opts.mode ?? 0o600);
    try {
      await fh.writeFile(data);
      if (opts.fsync !== false) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (opts.fsync !== false) await fsyncDir(dirname(path));
}

/** Makes a rename durable: the directory entry is on disk too (a no-op where directories cannot be synced). */
async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (err) {
    if (!["EISDIR", "EINVAL", "EPERM", "EBADF"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  } finally {
    await fh?.close();
  }
}

/** Removes the temp files a killed writer of `path` left behind (call before the first write). */
export async function removeStaleTemps(path: string): Promise<number> {
  const prefix = `${basename(path)}.tmp-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
    removed++;
  }
  return removed;
}

/**
 * Reads a JSON file written by writeFileAtomic. Undefined when absent. A file
 * that does not parse (written by something else) is moved aside, not lost,
 * and reported through the thrown error.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const aside = `${path}.corrupt-${Date.now()}`;
    await rename(path, aside);
    throw new Error(`state file ${path} is not valid JSON; moved to ${aside}`);
  }
}

/**
 * Serialises writes of one file and coalesces bursts: a request made while a
 * write is queued joins it; the snapshot is taken when the write starts, so
 * the last state always reaches the disk.
 */
export class CoalescingWriter {
  private tail: Promise<void> = Promise.resolve();
  private queued?: Promise<void>;
  /** Writes requested and not finished yet. */
  private pending = 0;

  constructor(private readonly write: () => Promise<void>) {}

  /** No write queued or running. */
  get idle(): boolean {
    return this.pending === 0;
  }

  request(): Promise<void> {
    if (this.queued) return this.queued;
    this.pending++;
    const p = this.tail.then(() => {
      this.queued = undefined;
      return this.write();
    });
    this.queued = p;
    this.tail = p.then(
      () => void this.pending--,
      () => void this.pending--,
    );
    return p;
  }

  /** Resolves once every requested write has finished (successfully or not). */
  settled(): Promise<void> {
    return this.tail;
  }
}
