// Issue "MongoDB store and several ACS instances": periodic-inform sessions
// per second of the ACS on MongoDB, as FerretDB 1.24 (the server the tests
// build: test/helpers/ferretdb.ts) on each of its backends, SQLite and
// PostgreSQL (test/helpers/postgres.ts), beside the same ACS on SQLite: same
// fleet size, same run, rounds alternating between the three. FerretDB answers
// most queries with whole-collection scans, so the fleet is smaller than
// sessions.bench.ts's 10,000 devices (the printed line says how many); the
// figures are FerretDB's, not a MongoDB server's.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFleet, type Fleet } from "../agent/fleet/fleet.ts";
import { startFerretDB } from "../test/helpers/ferretdb.ts";
import { startPostgres } from "../test/helpers/postgres.ts";
import type { BenchOptions } from "./main.ts";
import { freePort, pool, startTsChild, type Child } from "./lib/processes.ts";
import { median, percentile, round } from "./lib/stats.ts";

const CONCURRENCY = 32;

interface Round {
  perSecond: number;
  latencies: number[];
  failures: number;
}

async function periodicRound(fleet: Fleet): Promise<Round> {
  const started = performance.now();
  const results = await pool(fleet.devices.length, CONCURRENCY, (i) => fleet.devices[i]!.inform("2 PERIODIC"));
  const seconds = (performance.now() - started) / 1000;
  const ok = results.filter((r) => r.ok);
  return { perSecond: ok.length / seconds, latencies: ok.map((r) => r.durationMs), failures: results.length - ok.length };
}

async function startAcs(dir: string, store: string): Promise<{ child: Child; url: string }> {
  const cwmpPort = await freePort();
  const apiPort = await freePort();
  const child = await startTsChild(
    "acs/main.ts",
    ["--cwmp-port", String(cwmpPort), "--api-port", String(apiPort), "--data-dir", dir, "--store", store, "--log-level", "warn"],
    (out) => out.includes(`:${apiPort}`),
  );
  return { child, url: `http://127.0.0.1:${cwmpPort}/` };
}

interface Target {
  key: string;
  label: string;
  acs: { child: Child; url: string };
  fleet: Fleet;
  boot: { perSecond: number; failures: number };
  rounds: Round[];
}

export async function run(opts: BenchOptions): Promise<Record<string, number>> {
  const count = opts.quick ? 100 : 500;
  const rounds = opts.quick ? 2 : 3;
  const dir = mkdtempSync(join(tmpdir(), "flexacs-bench-mongo-"));
  const stops: (() => Promise<void>)[] = [];
  try {
    const sqliteFerret = await startFerretDB();
    stops.push(() => sqliteFerret.stop());
    const postgres = await startPostgres();
    stops.push(() => postgres.stop());
    const pgFerret = await startFerretDB({ postgresqlUrl: postgres.url });
    stops.push(() => pgFerret.stop());
    const stores = [
      { key: "sqlite", label: "ACS on SQLite", store: `sqlite:${join(dir, "sqlite", "flexacs.db")}` },
      { key: "ferretdb_sqlite", label: "ACS on FerretDB/SQLite", store: `${sqliteFerret.url}flexacs_bench` },
      { key: "ferretdb_pg", label: "ACS on FerretDB/Postgres", store: `${pgFerret.url}flexacs_bench` },
    ];
    const targets: Target[] = [];
    for (const s of stores) {
      const acs = await startAcs(join(dir, s.key), s.store);
      stops.unshift(() => acs.child.stop());
      const fleet = await startFleet({
        count, model: "mix", periodicInterval: 0, retry: false, fsync: false, seed: 7, username: "flexacs", password: "flexacs-bootstrap",
        acsUrl: acs.url, stateDir: join(dir, `fleet-${s.key}`),
      });
      stops.unshift(() => fleet.stop());
      const started = performance.now();
      const boots = await fleet.bootAll({ concurrency: CONCURRENCY });
      const ok = boots.filter((r) => r.ok).length;
      targets.push({ ...s, acs, fleet, boot: { perSecond: ok / ((performance.now() - started) / 1000), failures: boots.length - ok }, rounds: [] });
    }
    for (let r = 0; r < rounds; r++) for (const t of targets) t.rounds.push(await periodicRound(t.fleet));

    const figures: Record<string, number> = { "sessions_mongo.devices": count };
    console.log(`periodic Informs, ${count} mixed devices per store (not sessions.bench.ts's 10,000: FerretDB answers most queries with whole-collection scans), ${CONCURRENCY} in flight, ${rounds} alternating rounds (medians)`);
    for (const t of targets) {
      const lat = t.rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const rate = median(t.rounds.map((r) => r.perSecond));
      const failures = t.rounds.reduce((n, r) => n + r.failures, 0) + t.boot.failures;
      Object.assign(figures, {
        [`sessions_mongo.${t.key}_per_s`]: round(rate, 1),
        [`sessions_mongo.${t.key}_p50_ms`]: round(percentile(lat, 50)),
        [`sessions_mongo.${t.key}_p99_ms`]: round(percentile(lat, 99)),
        [`sessions_mongo.${t.key}_bootstrap_per_s`]: round(t.boot.perSecond, 1),
        [`sessions_mongo.${t.key}_failures`]: failures,
      });
      console.log(`  ${t.label.padEnd(25)}: ${round(rate, 1)} sessions/s  p50 ${round(percentile(lat, 50))} ms  p99 ${round(percentile(lat, 99))} ms  first contact ${round(t.boot.perSecond, 1)}/s  failures ${failures}`);
    }
    return figures;
  } finally {
    for (const stop of stops) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
