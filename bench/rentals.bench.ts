// The non-return flagging job at fleet scale, on SQLite: 100,000 rented
// routers, 10% overdue (a third of those still informing), flagged with their
// evidence. Every round starts from the same seeded file (copied), opened as
// the SQLite store opens its own. Target: under 10 s.
// Memory: RSS and heap growth at the peak, sampled after each batch.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { runFlagging } from "../acs/rentals/flagging-job.ts";
import { createSqliteRentalRepository } from "../acs/store/sqlite/rentals.ts";
import { seedRentalFleet } from "../test/helpers/rental-fleet.ts";
import type { BenchOptions } from "./main.ts";
import { median, round } from "./lib/stats.ts";

const MB = 1024 * 1024;

function open(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -65536");
  return db;
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const routers = opts.quick ? 20_000 : 100_000;
  const label = opts.quick ? "20k" : "100k";
  const rounds = opts.quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-rentals-"));
  try {
    const seeded = join(dir, "seed.db");
    const seedStart = performance.now();
    {
      const db = open(seeded);
      await seedRentalFleet(createSqliteRentalRepository(db), { count: routers, overdueEvery: 10, dueDate: "2026-04-11", at: Date.parse("2026-01-05T09:00:00Z") });
      db.close(); // checkpoints the WAL into the file
    }
    const seedMs = performance.now() - seedStart;

    const times: number[] = [];
    const rss: number[] = [];
    const heap: number[] = [];
    let flagged = 0;
    for (let r = 0; r < rounds; r++) {
      const path = join(dir, `round-${r}.db`);
      copyFileSync(seeded, path);
      const db = open(path);
      const repo = createSqliteRentalRepository(db);
      const before = process.memoryUsage();
      let peak = { rss: before.rss, heapUsed: before.heapUsed };
      const sample = (): void => {
        const m = process.memoryUsage();
        peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
      };
      const started = performance.now();
      const result = await runFlagging(repo, { today: "2026-04-12", now: Date.parse("2026-04-12T01:00:00Z"), onBatch: sample });
      times.push(performance.now() - started);
      sample();
      rss.push((peak.rss - before.rss) / MB);
      heap.push((peak.heapUsed - before.heapUsed) / MB);
      flagged = result.flagged;
      if (flagged !== routers / 10) throw new Error(`flagged ${flagged} routers, expected ${routers / 10}`);
      db.close();
      rmSync(path, { force: true });
    }
    const ms = median(times);
    console.log(`flagging ${routers} rented routers (${flagged} overdue): median ${round(ms, 0)} ms over ${rounds} round(s) [${times.map((x) => round(x, 0)).join(", ")}]; target < 10000 ms`);
    console.log(`memory at the peak: RSS +${round(median(rss), 1)} MB, heap +${round(median(heap), 1)} MB; seeding took ${round(seedMs / 1000, 1)} s`);
    return {
      [`rentals.flagging_${label}_ms`]: round(ms, 0),
      "rentals.flagging_rss_mb": round(median(rss), 1),
      "rentals.flagging_heap_mb": round(median(heap), 1),
      "rentals.flagged": flagged,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
