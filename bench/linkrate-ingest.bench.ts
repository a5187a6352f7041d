// Link rates on the embedded store (SQLite, as the ACS opens it):
// - ingest: raw samples appended in batches of 5,000 (a collector's batch),
//   mostly traffic/SNMP rates with the speed tests and readings that also
//   update the line state. Target ≥ 50,000 samples/s.
// - evaluation: every verdict and alert of 100,000 lines (20,000 with --quick)
//   read from the store (line ranges from the line repository, states from the
//   link-rate repository) and the changes written back. Target < 5 s.
// - disk: bytes per raw sample and per rollup row, the figures behind the
//   retention estimate of docs/LINKRATE.md.

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { EventBus } from "../acs/events.ts";
import type { Line } from "../acs/lines/line.ts";
import { createLinkrateEvaluator } from "../acs/linkrate/evaluator.ts";
import { linkrateLinesFrom } from "../acs/linkrate/linkrate-lines.ts";
import type { Measurement } from "../acs/linkrate/measurement.ts";
import { createSqliteLineRepository } from "../acs/store/sqlite/lines.ts";
import { createSqliteLinkrateRepository } from "../acs/store/sqlite/linkrate.ts";
import { openSqliteStore } from "../acs/store/sqlite/sqlite-store.ts";
import { median, round } from "./lib/stats.ts";
import type { BenchOptions } from "./main.ts";

const DAY = 86_400_000;
const BATCH = 5000;

const lineId = (i: number): string => `L${String(i).padStart(7, "0")}`;
const deviceId = (i: number): string => `A4B1C2-HW-AX3000-HWA${String(i).padStart(9, "0")}`;

function line(i: number): Line {
  const max = [300, 500, 1000][i % 3]!;
  return {
    id: lineId(i), subscriber: { id: `S${i}`, name: `Subscriber ${i}` }, address: `${i} rue de la Gare`, commune: "Lyon",
    rates: { download: { min: 30, max }, upload: { min: 10, max: max / 2 } }, wifi: {}, wan: {},
    router: { serial: `HWA${String(i).padStart(9, "0")}` }, ontSerial: null, version: 1, createdAt: 0, updatedAt: 0,
  };
}

/** 10 speed tests per direction over 10 days, a WAN rate and an optical level, per line. */
function lineSamples(i: number, nowMs: number, rand: () => number): Measurement[] {
  const max = [300e6, 500e6, 1e9][i % 3]!;
  const base = { lineId: lineId(i), deviceId: deviceId(i), context: {} };
  const out: Measurement[] = [];
  for (let k = 0; k < 10; k++) {
    const atMs = nowMs - (10 - k) * DAY + Math.floor(rand() * DAY * 0.9);
    out.push({ ...base, atMs, direction: "download", method: "speed_test", value: max * (0.2 + rand()), context: { server: "http://acs.example/speedtest/download", testId: `t${i}-${k}` } });
    out.push({ ...base, atMs: atMs + 60_000, direction: "upload", method: "speed_test", value: max * 0.5 * (0.2 + rand()), context: { server: "http://acs.example/speedtest/upload", testId: `u${i}-${k}` } });
  }
  out.push({ ...base, atMs: nowMs - DAY, direction: null, method: "wan_rate", value: i % 50 === 0 ? 100e6 : 1e9 });
  out.push({ ...base, atMs: nowMs - DAY, direction: null, method: "optical_rx", value: -15_000 - Math.floor(rand() * 15_000) });
  return out;
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const lines = opts.quick ? 20_000 : 100_000;
  const ingestSamples = opts.quick ? 200_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-linkrate-"));
  const path = join(dir, "acs.db");
  const store = await openSqliteStore(path);
  const db = new Database(path);
  db.pragma("busy_timeout = 5000");
  try {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const nowMs = Date.parse("2026-11-02T12:00:00Z");

    // ---- ingest: traffic and SNMP rates every 5 min for 2,000 lines, 1 in 50 a speed test
    const ingestDb = new Database(join(dir, "ingest.db"));
    ingestDb.pragma("journal_mode = WAL");
    ingestDb.pragma("synchronous = NORMAL");
    const ingestRepo = createSqliteLinkrateRepository(ingestDb);
    const samples: Measurement[] = new Array(ingestSamples);
    for (let n = 0; n < ingestSamples; n++) {
      const i = n % 2000;
      const speed = n % 50 === 0;
      samples[n] = {
        atMs: nowMs - 30 * DAY + Math.floor(n / 2000) * 300_000, lineId: lineId(i), deviceId: deviceId(i),
        direction: n % 2 === 0 ? "download" : "upload", method: speed ? "speed_test" : n % 4 < 2 ? "traffic" : "snmp",
        value: 1e6 + (n % 1000) * 1e5, context: speed ? { server: "http://acs.example/speedtest/download", testId: `t${n}` } : {},
      };
    }
    // Five rounds of a fifth each: the median rate, as these machines are noisy.
    const rates: number[] = [];
    const perRound = ingestSamples / 5;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let k = r * perRound; k < (r + 1) * perRound; k += BATCH) await ingestRepo.appendSamples(samples.slice(k, k + BATCH));
      rates.push(perRound / ((performance.now() - t0) / 1000));
    }
    ingestDb.pragma("wal_checkpoint(TRUNCATE)");
    const rawBytes = statSync(join(dir, "ingest.db")).size / ingestSamples;
    const r0 = performance.now();
    const rolled = await ingestRepo.downsample({ beforeMs: nowMs, intervalMs: DAY, speedTestsBeforeMs: 0 });
    const rollupMs = performance.now() - r0;
    const rollupRows = rolled.rollups;
    ingestDb.exec("VACUUM");
    ingestDb.pragma("wal_checkpoint(TRUNCATE)");
    const remaining = (ingestDb.prepare("SELECT COUNT(*) FROM linkrate_points").pluck().get() as number);
    const afterBytes = statSync(join(dir, "ingest.db")).size;
    ingestDb.close();
    const perSecond = median(rates);
    console.log(`ingest: ${ingestSamples} samples in batches of ${BATCH}, 5 rounds: median ${Math.round(perSecond)} samples/s (rounds ${rates.map(Math.round).join(", ")}; target ≥ 50,000); ${round(rawBytes, 1)} bytes per raw sample on disk`);
    console.log(`downsample: ${rolled.samples} raw samples → ${rollupRows} daily rollups in ${round(rollupMs / 1000, 1)} s; ${remaining} speed tests kept raw; file ${round(afterBytes / 1e6, 1)} MB after VACUUM`);

    // ---- evaluation of every line from the store
    const lineRepo = createSqliteLineRepository(db);
    const repo = createSqliteLinkrateRepository(db);
    const p0 = performance.now();
    for (let k = 0; k < lines; k += 5000) await lineRepo.addLines(Array.from({ length: Math.min(5000, lines - k) }, (_, j) => line(k + j)));
    for (let k = 0; k < lines; k += 200) {
      const batch: Measurement[] = [];
      for (let i = k; i < Math.min(lines, k + 200); i++) batch.push(...lineSamples(i, nowMs, rand));
      await repo.appendSamples(batch);
    }
    console.log(`store filled with ${lines} lines and ${lines * 22} samples in ${round((performance.now() - p0) / 1000, 1)} s`);
    const evaluator = createLinkrateEvaluator({ repo, lines: linkrateLinesFrom(lineRepo), bus: new EventBus(), now: () => nowMs });
    const first = await evaluator.evaluateAll();
    const steady = await evaluator.evaluateAll();
    console.log(`verdicts for ${lines} lines from the store: first run ${round(first.ms / 1000, 2)} s (${first.changed} lines written, ${first.transitions} alerts raised); steady run ${round(steady.ms / 1000, 2)} s (target < 5 s)`);
    return {
      "linkrate.ingest_samples_per_s": Math.round(perSecond),
      "linkrate.raw_sample_bytes": round(rawBytes, 1),
      "linkrate.rollup_rows": rollupRows,
      "linkrate.file_mb_after_downsample": round(afterBytes / 1e6, 1),
      "linkrate.evaluate_lines": lines,
      "linkrate.evaluate_all_first_ms": round(first.ms, 0),
      "linkrate.evaluate_all_ms": round(steady.ms, 0),
    };
  } finally {
    db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
