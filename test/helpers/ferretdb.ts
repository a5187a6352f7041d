// A throw-away FerretDB server (MongoDB wire protocol over SQLite) for tests of
// the MongoDB store: MongoDB itself cannot be installed on our machines, the Go
// toolchain is there. Each test file calls startFerretDB() in beforeAll (its own
// server and data folder, so files stay isolated) and stop() in afterAll. The
// first call on a machine builds the binary into .tools/bin (git-ignored, about
// 1-2 minutes; vitest's hookTimeout allows 10). Parallel test files share one
// build through a lock file.
//
// Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: that
// binary panics at start ("Invalid build/version/version.txt"): the release
// build writes that file before compiling and the module zip lacks it. So we
// copy the module source from Go's module cache, add version.txt, and build.
// Go 1.26 builds it without `-ldflags=-checklinkname=0`.

import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const MODULE = "github.com/FerretDB/FerretDB";
const VERSION = "v1.24.2";
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TOOLS = join(REPO, ".tools");
const BINARY = join(TOOLS, "bin", "ferretdb");
const LOCK = join(TOOLS, "ferretdb-build.lock");

export interface FerretDB {
  /** mongodb:// URL of the server, without a database name. */
  url: string;
  stop(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[ferretdb] ${message}\n`);
}

/** Asynchronous, so a test worker's event loop keeps running during the long build. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await execFileAsync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const { code, stderr } = err as { code?: unknown; stderr?: string };
    if (code === "ENOENT") throw new Error(`cannot run ${command}: not found (is the Go toolchain installed?)`);
    throw new Error(`${command} ${args.join(" ")} failed (exit ${String(code)}):\n${stderr ?? ""}`);
  }
}

function installedVersionOk(): boolean {
  if (!existsSync(BINARY)) return false;
  const result = spawnSync(BINARY, ["--version"], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes(`version: ${VERSION}`);
}

/** Module-cache files are read-only; the copy must be writable (version.txt) and removable. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) makeWritable(join(dir, entry.name));
  }
}

async function build(): Promise<void> {
  const started = Date.now();
  log(`building FerretDB ${VERSION} into ${BINARY} (first run on this machine, 1-2 minutes)...`);
  const work = join(tmpdir(), `flexacs-ferretdb-build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    log(`downloading ${MODULE}@${VERSION} and its dependencies (go mod download)...`);
    const info = JSON.parse(await run("go", ["mod", "download", "-json", `${MODULE}@${VERSION}`], work)) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${MODULE}@${VERSION}: ${info.Error ?? "no module folder"}`);
    const src = join(work, "src");
    cpSync(info.Dir, src, { recursive: true });
    makeWritable(src);
    writeFileSync(join(src, "build", "version", "version.txt"), `${VERSION}\n`);
    log("compiling (go build)...");
    const output = join(work, "ferretdb");
    await run("go", ["build", "-trimpath", "-buildvcs=false", "-o", output, "./cmd/ferretdb"], src);
    mkdirSync(dirname(BINARY), { recursive: true });
    renameSync(output, BINARY); // atomic: a reader never sees a half-written binary
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The build lock was left by a killed build (before or after it wrote its pid), or is gone. */
function lockStale(): boolean {
  try {
    const holder = Number(readFileSync(LOCK, "utf8").trim());
    if (Number.isInteger(holder) && holder > 0) return !processAlive(holder);
    return Date.now() - statSync(LOCK).mtimeMs > 10_000;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true; // released meanwhile: nothing to wait for
    throw err;
  }
}

/** Builds the binary unless present; one builder at a time across test processes. */
async function ensureBinary(): Promise<string> {
  mkdirSync(TOOLS, { recursive: true });
  let announced = false;
  for (;;) {
    if (installedVersionOk()) return BINARY;
    let fd: number;
    try {
      fd = openSync(LOCK, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (lockStale()) {
        rmSync(LOCK, { force: true });
      } else {
        if (!announced) log("waiting for another test process to finish building FerretDB...");
        announced = true;
        await new Promise((done) => setTimeout(done, 1000));
      }
      continue;
    }
    try {
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      if (!installedVersionOk()) await build();
    } finally {
      rmSync(LOCK, { force: true });
    }
  }
}

function waitForListening(child: ChildProcess, output: string[]): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => fail(new Error("FerretDB did not start within 30 s")), 30_000);
    let pending = "";
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        if (output.length > 50) output.shift();
        const match = /Listening on TCP 127\.0\.0\.1:(\d+)/.exec(line);
        if (match) {
          cleanup();
          resolvePort(Number(match[1]));
        }
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`FerretDB exited (code ${code}) before listening`));
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(new Error(`${err.message}\n${output.join("\n")}`));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

function acceptsConnections(port: number): Promise<void> {
  return new Promise((done, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.end();
      done();
    });
    socket.once("error", reject);
  });
}

/**
 * Starts a FerretDB on a free 127.0.0.1 port with its own data folder: on
 * SQLite by default, or on a PostgreSQL database (`postgresqlUrl`, e.g. from
 * test/helpers/postgres.ts) whose lifetime the caller manages.
 */
export async function startFerretDB(opts: { postgresqlUrl?: string } = {}): Promise<FerretDB> {
  const binary = await ensureBinary();
  const dataDir = await mkdtemp(join(tmpdir(), "flexacs-ferretdb-"));
  const backend = opts.postgresqlUrl === undefined
    ? ["--handler=sqlite", `--sqlite-url=file:${dataDir}/`]
    : ["--handler=postgresql", `--postgresql-url=${opts.postgresqlUrl}`];
  const child = spawn(
    binary,
    [
      ...backend,
      `--state-dir=${dataDir}`,
      "--listen-addr=127.0.0.1:0", // the kernel picks the port; FerretDB logs it
      "--debug-addr=-", // no metrics/pprof listener
      "--telemetry=disable",
      "--log-level=info", // the "Listening on" line is at info level
      "--log-format=text",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const output: string[] = [];

  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const port = await waitForListening(child, output);
    await acceptsConnections(port);
    // Keep draining the pipes so FerretDB never blocks on a full one.
    child.stdout?.resume();
    child.stderr?.resume();
    return { url: `mongodb://127.0.0.1:${port}/`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
