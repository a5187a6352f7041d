// The flagging job killed mid-run (SIGKILL of a child process while it is
// committing batches) and run again gives exactly the charges of an
// uninterrupted run on a copy of the same database: no charge lost, none
// doubled, every router flagged by exactly one change.

import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";
import { seedRentalFleet } from "../helpers/rental-fleet.ts";

const CHILD = fileURLToPath(new URL("./rentals-flagging-child.ts", import.meta.url));
const ROOT = join(dirname(CHILD), "..", "..");
const TODAY = "2026-04-12";
const NOW = Date.parse("2026-04-12T01:00:00Z");
const OVERDUE = 10_000;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Opened as the SQLite store opens its file (WAL, NORMAL sync, 64 MiB cache). */
function openDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -65536");
  return db;
}

function openRepo(path: string): RentalRepository {
  const db = openDb(path);
  cleanups.push(() => db.close());
  return createSqliteRentalRepository(db);
}

/** Starts the job in a child and SIGKILLs it as soon as it reports its first committed batch. */
async function runAndKill(path: string): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, path, TODAY, String(NOW)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith("batch ")) child.kill("SIGKILL");
  }
  const signal = await exited;
  if (signal !== "SIGKILL") throw new Error(`flagging child stopped on its own (${String(signal)}): ${stderr}`);
}

async function snapshot(repo: RentalRepository) {
  const charges = await repo.listCharges({});
  const flagChanges = (await repo.transitionsOf(charges.map((c) => c.serial))).filter((t) => t.to === "charge_flagged");
  return { charges, flagChanges: flagChanges.map((t) => [t.serial, t.version, t.key]) };
}

describe("flagging job killed mid-run", () => {
  it("gives, once restarted, the same charges as an uninterrupted run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flexacs-rentals-kill-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const seeded = join(dir, "seed.db");
    {
      const db = openDb(seeded);
      const overdue = await seedRentalFleet(createSqliteRentalRepository(db), { count: 20_000, overdueEvery: 2, dueDate: "2026-04-11", at: Date.parse("2026-01-05T09:00:00Z") });
      expect(overdue).toHaveLength(OVERDUE);
      db.close(); // the last close checkpoints the WAL: the .db file alone holds everything, so it can be copied
    }
    const killed = join(dir, "killed.db");
    const straight = join(dir, "straight.db");
    copyFileSync(seeded, killed);
    copyFileSync(seeded, straight);

    await runAndKill(killed);
    const killedRepo = openRepo(killed);
    const partial = (await killedRepo.listCharges({})).length;
    expect(partial).toBeGreaterThan(0); // the kill landed mid-run...
    expect(partial).toBeLessThan(OVERDUE); // ...not after the end
    const rerun = await runFlagging(killedRepo, { today: TODAY, now: NOW });
    expect(rerun.flagged).toBe(OVERDUE - partial);

    const straightRepo = openRepo(straight);
    expect((await runFlagging(straightRepo, { today: TODAY, now: NOW })).flagged).toBe(OVERDUE);

    const a = await snapshot(killedRepo);
    const b = await snapshot(straightRepo);
    expect(a.charges).toHaveLength(OVERDUE);
    expect(a.charges).toEqual(b.charges);
    expect(a.flagChanges).toEqual(b.flagChanges);
    expect(await killedRepo.countRoutersByState()).toEqual({ active: 20_000 - OVERDUE, charge_flagged: OVERDUE });
    // Still in use: a third of them informed after the due date, and their charges say so.
    expect(a.charges.filter((c) => c.evidence.stillInUse)).toHaveLength(Math.floor(20_000 / 6));
  });
});
