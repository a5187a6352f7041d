// The store an ACS serves checkpoints its WAL from a worker thread
// (acs/store/sqlite/checkpointer.ts), not inside the COMMITs of the event
// loop: what is written reaches the database file while the ACS runs, and
// closing the store leaves no WAL behind.

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const identity = (n: number) => ({ id: `00AA11-Box-SN${n}`, manufacturer: "Acme", oui: "00AA11", productClass: "Box", serialNumber: `SN${n}` });

it("a served store's writes reach the database file in the background, and close removes the WAL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-checkpoint-"));
  dirs.push(dir);
  const path = join(dir, "acs.db");
  const store = await openSqliteStore(path, { serve: true });
  try {
    // Far fewer WAL pages than SQLite's auto-checkpoint threshold (1,000): only a checkpointer moves them now.
    await Promise.all(Array.from({ length: 200 }, (_, n) => store.upsertDevice(identity(n), { lastInformAt: n, dataModel: "tr181" })));
    const walBytes = statSync(`${path}-wal`).size;
    expect(walBytes).toBeGreaterThan(0);
    expect(walBytes).toBeLessThan(1000 * 4096);
    const before = statSync(path).size;
    await expect.poll(() => statSync(path).size, { timeout: 10_000, interval: 100 }).toBeGreaterThan(before);
  } finally {
    await store.close();
  }
  expect(existsSync(`${path}-wal`)).toBe(false);
  const reopened = await openSqliteStore(path);
  try {
    expect(await reopened.countDevices({})).toBe(200);
  } finally {
    await reopened.close();
  }
});
