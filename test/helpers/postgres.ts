// A throw-away PostgreSQL server for FerretDB's postgresql backend
// (test/helpers/ferretdb.ts): Debian's PostgreSQL 15, installed with apt-get
// when the machine lacks it, a cluster made with initdb in a temp folder and
// run by the `postgres` system user (initdb refuses root), listening on
// 127.0.0.1 only, durability off (fsync, synchronous_commit: test data).

import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../bench/lib/processes.ts";

const execFileAsync = promisify(execFile);

export interface Postgres {
  /** postgres://postgres@127.0.0.1:PORT/ferretdb (the database exists, trust authentication). */
  url: string;
  stop(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[postgres] ${message}\n`);
}

function binDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], "bin");
}

async function ensureBinaries(): Promise<string> {
  const found = binDir();
  if (found) return found;
  log("PostgreSQL is not installed: installing Debian's postgresql package with apt-get (needs root, once per machine)...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => execFileAsync("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], { env, maxBuffer: 64 << 20 });
  await install().catch(async () => {
    log("apt-get install failed: running apt-get update, then installing again");
    await execFileAsync("apt-get", ["update"], { env, maxBuffer: 64 << 20 });
    await install();
  });
  const installed = binDir();
  if (!installed) throw new Error("apt-get installed postgresql but no initdb is under /usr/lib/postgresql/*/bin");
  return installed;
}

const asPostgres = (bin: string, args: string[]) => execFileAsync("runuser", ["-u", "postgres", "--", bin, ...args], { maxBuffer: 16 << 20 });

export async function startPostgres(): Promise<Postgres> {
  const bin = await ensureBinaries();
  const dir = mkdtempSync(join(tmpdir(), "flexacs-pg-"));
  chownSync(dir, Number((await execFileAsync("id", ["-u", "postgres"])).stdout.trim()), -1);
  const data = join(dir, "data");
  const port = await freePort();
  const stop = async (): Promise<void> => {
    await asPostgres(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await asPostgres(join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
    await asPostgres(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "ferretdb"]);
  } catch (err) {
    await stop();
    throw new Error(`cannot start PostgreSQL: ${(err as Error).message}`);
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/ferretdb`, stop };
}
