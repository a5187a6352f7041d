// Child process of rentals-flagging-kill.test.ts: runs the flagging job on a
// SQLite database and prints "batch <flagged so far>" after each committed
// batch, then "done". Usage: rentals-flagging-child.ts <db> <today> <now-ms>

import Database from "better-sqlite3";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";

const [path, today, now] = process.argv.slice(2);
const db = new Database(path!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("cache_size = -65536");
const repo = createSqliteRentalRepository(db);
await runFlagging(repo, {
  today: today!, now: Number(now), batchSize: 250,
  onBatch: ({ flagged }) => void process.stdout.write(`batch ${flagged}\n`),
});
process.stdout.write("done\n");
db.close();
