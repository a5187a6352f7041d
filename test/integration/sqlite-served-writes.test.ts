// How the SQLite store an ACS serves writes. Group commit
// (acs/store/sqlite/sql-util.ts): the writes of concurrent sessions share one
// transaction; a write that fails rejects alone and leaves no trace, the
// others in its batch are kept, and a resolved write is on disk (a new process
// on the file sees it). Checkpoints (acs/store/sqlite/checkpointer.ts): a
// worker thread moves the WAL into the database file, not the COMMITs of the
// event loop, and closing the store leaves no WAL behind.

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { groupCommit } from "../../acs/store/sqlite/sql-util.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Device, Store } from "../../acs/store/store.ts";

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const identity = (n: number) => ({ id: `00AA11-Box-SN${n}`, manufacturer: "Acme", oui: "00AA11", productClass: "Box", serialNumber: `SN${n}` });

it("a failing write in a batch rejects alone; the others commit and survive a reopen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-group-commit-"));
  dirs.push(dir);
  const path = join(dir, "acs.db");
  const store = await openSqliteStore(path, { serve: true });
  for (let n = 0; n < 20; n++) await store.upsertDevice(identity(n), { lastInformAt: 1 });

  // Issued in one turn: one batch. Device 7's update breaks the data_model CHECK constraint.
  const writes = Array.from({ length: 20 }, (_, n) =>
    store.upsertDevice(identity(n), { lastInformAt: 1000 + n, dataModel: (n === 7 ? "tr069-bogus" : "tr181") as Device["dataModel"] }));
  const params = store.updateParameters(identity(3).id, new Map([["Device.DeviceInfo.UpTime", { value: "42", type: "xsd:unsignedInt", writable: false, ts: 5 }]]));
  const outcomes = await Promise.allSettled([...writes, params]);

  expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 21 }, (_, i) => (i === 7 ? "rejected" : "fulfilled")));
  expect(String((outcomes[7] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint failed/);
  await store.close();

  const reopened = await openSqliteStore(path);
  stores.push(reopened);
  const devices = await Promise.all(Array.from({ length: 20 }, (_, n) => reopened.getDevice(identity(n).id)));
  expect(devices.map((d) => d!.lastInformAt)).toEqual(Array.from({ length: 20 }, (_, n) => (n === 7 ? 1 : 1000 + n)));
  expect((await reopened.getParameters(identity(3).id, ["Device.DeviceInfo.UpTime"])).get("Device.DeviceInfo.UpTime")?.value).toBe("42");
});

it("concurrent writers share commits, and each resolved write is already visible to another connection", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flexacs-group-commit-"));
  dirs.push(dir);
  const path = join(dir, "g.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE t (writer INTEGER, step INTEGER)");
  const reader = new Database(path, { readonly: true });
  const seen = reader.prepare<[number, number], number>("SELECT count(*) FROM t WHERE writer = ? AND step = ?").pluck();
  const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
  const group = groupCommit(db);
  try {
    // 40 sessions, each awaiting its writes one after the other, as CWMP sessions do.
    const writers = 40;
    const steps = 5;
    const invisible: string[] = [];
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let step = 0; step < steps; step++) {
        await group.write(() => insert.run(w, step));
        if (seen.get(w, step) !== 1) invisible.push(`${w}/${step}`);
        await new Promise((r) => setImmediate(r)); // the session's next request arrives in a later turn
      }
    }));
    expect(invisible).toEqual([]);
    expect(reader.prepare("SELECT count(*) FROM t").pluck().get()).toBe(writers * steps);
    // Per-turn commits would be close to one per write here.
    expect(group.commits).toBeLessThan((writers * steps) / 4);

  } finally {
    reader.close();
    db.close();
  }
});

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
