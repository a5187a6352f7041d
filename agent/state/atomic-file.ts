// Crash-safe small files: write a temp file, fsync it, rename it over the
// target. A reader sees the old content or the new one, never a torn write,
// even if the process is killed mid-write.

import { open, readFile, rename, unlink } from "node:fs/promises";

let seq = 0;

export async function writeFileAtomic(path: string, data: string, opts: { fsync?: boolean } = {}): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${++seq}`;
  try {
    const fh = await open(tmp, "w", 0o600);
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

  constructor(private readonly write: () => Promise<void>) {}

  request(): Promise<void> {
    if (this.queued) return this.queued;
    const p = this.tail.then(() => {
      this.queued = undefined;
      return this.write();
    });
    this.queued = p;
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Resolves once every requested write has finished (successfully or not). */
  settled(): Promise<void> {
    return this.tail;
  }
}
