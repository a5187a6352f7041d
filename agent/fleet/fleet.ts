// Fleet mode: N simulated devices in one process, sharing the model templates,
// one bound on the connections open towards the ACS and one
// Connection Request server that routes by path. Programmatic API for tests
// and benchmarks; agent/main.ts wraps it in a CLI.

import { randomBytes } from "node:crypto";
import { ConnectionRequestServer } from "../connection-request/server.ts";
import { SocketPool } from "../cwmp-client/http1-connection.ts";
import type { FactorySettings, ModelHost } from "../datamodel/device-model.ts";
import { Device, type DeviceEnv, type SessionResult } from "../device/device.ts";
import { fnv1a } from "../datamodel/fnv1a.ts";
import { MODEL_NAMES, type ModelName } from "../drivers/sim/model-spec.ts";
import type { LineBehaviour } from "../drivers/sim/line-behaviour.ts";
import { MODELS } from "../drivers/sim/models/index.ts";
import { SimDevice } from "../drivers/sim/sim-driver.ts";
import { StateStore } from "../state/device-state.ts";
import { ChannelFleet, type ChannelFleetOptions } from "../channel/channel-fleet.ts";

export type { SessionResult } from "../device/device.ts";
export type { ModelName } from "../drivers/sim/model-spec.ts";
export type { LineBehaviour } from "../drivers/sim/line-behaviour.ts";
export { Device } from "../device/device.ts";

export interface FleetOptions {
  acsUrl: string;
  count: number;
  model: ModelName | "mix";
  /** Serial = prefix + number; default prefix per model (HWA, OGN, FLOG). */
  serialPrefix?: string;
  /** PeriodicInformInterval in seconds; 0 (default) = no periodic Informs and no automatic retries. */
  periodicInterval?: number;
  stateDir: string;
  /** Host written into ConnectionRequestURL and listened on (default 127.0.0.1). */
  crHost?: string;
  /** Connection Request port (default 0 = ephemeral). */
  crPort?: number;
  /** Bootstrap credentials for the ACS (ManagementServer.Username / Password). */
  username?: string;
  password?: string;
  /** Factory ConnectionRequestUsername / Password (default: the serial and "cr-<serial>"). */
  crUsername?: string;
  crPassword?: string;
  /** Seeds the per-device values and simulated randomness (default: random). */
  seed?: number;
  /** 0..1 share of simulated (non-loopback) downloads that fail with 9010 / 9018. */
  downloadFailureRate?: number;
  /** 0..1 share of devices whose real (loopback) downloads fail after the fetch, the same devices for a given seed. */
  fetchedDownloadFailureRate?: number;
  /** Retry failed sessions with the TR-069 back-off (default: periodicInterval > 0). */
  retry?: boolean;
  /** Sockets in the shared pool towards the ACS (default 256). */
  maxSockets?: number;
  /** Simulated durations (defaults 100 / 200 / 100 ms). */
  rebootDelayMs?: number;
  downloadDelayMs?: number;
  diagnosticsDelayMs?: number;
  /** fsync state files (default true). */
  fsync?: boolean;
  sessionTimeoutMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Simulated line behaviour per device (link-rate tests): its speed tests become real shaped HTTP transfers. */
  lineBehaviour?: (serial: string, index: number) => LineBehaviour | undefined;
  /** The devices' clock (epoch ms; default Date.now): diagnostics times, peak hours. Tests move it. */
  clock?: () => number;
  /** Each device keeps an agent channel (WebSocket) to the ACS once it holds its own credentials (default off). */
  channel?: boolean | ChannelFleetOptions;
  /** false: the Connection Request port is closed (as behind NAT); ConnectionRequestURL still names it (default true). */
  httpConnectionRequest?: boolean;
}

export interface Fleet {
  readonly devices: readonly Device[];
  readonly crServer: ConnectionRequestServer;
  /** The devices' agent channels (null unless FleetOptions.channel). */
  readonly channels: ChannelFleet | null;
  device(serial: string): Device | undefined;
  /** Powers every device on (1 BOOT, plus 0 BOOTSTRAP on first contact), `concurrency` sessions at a time. */
  bootAll(opts?: { concurrency?: number }): Promise<SessionResult[]>;
  /** Heap and RSS growth since before the fleet was created, per device, in KB. */
  memoryPerDevice(): { heapKB: number; rssKB: number };
  stop(): Promise<void>;
}

/** mulberry32: small seeded PRNG for reproducible simulations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const before = process.memoryUsage();
  const seed = opts.seed ?? randomBytes(4).readUInt32LE(0);
  const random = seededRandom(seed);
  const crHost = opts.crHost ?? "127.0.0.1";
  const crServer = new ConnectionRequestServer(crHost);
  await crServer.listen(opts.crPort ?? 0, crHost);
  if (opts.httpConnectionRequest === false) await crServer.close();
  const channels = opts.channel ? new ChannelFleet({ random: Math.random, ...(opts.channel === true ? {} : opts.channel) }) : null;

  const settings: FactorySettings = {
    acsUrl: opts.acsUrl,
    username: opts.username ?? "",
    password: opts.password ?? "",
    periodicInterval: opts.periodicInterval ?? 0,
    crUsername: opts.crUsername,
    crPassword: opts.crPassword,
  };
  const host: ModelHost = { now: opts.clock ?? Date.now, crUrl: (d) => crServer.urlFor(d.ident.crPath), settings };
  const store = new StateStore(opts.stateDir, opts.fsync ?? true);
  const env: DeviceEnv = {
    store,
    acsPool: new SocketPool(opts.maxSockets ?? 256),
    retry: opts.retry ?? (opts.periodicInterval ?? 0) > 0,
    rebootDelayMs: opts.rebootDelayMs ?? 100,
    random,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    log: opts.log,
    ...(channels && { onSession: (d, r) => channels.sessionEnded(d, r), onPowerOff: (d) => channels.powered(d, false) }),
  };
  const sim = {
    delayMs: opts.downloadDelayMs ?? 200, failureRate: opts.downloadFailureRate ?? 0, fetchedFailureRate: opts.fetchedDownloadFailureRate,
    random, diagnosticsDelayMs: opts.diagnosticsDelayMs ?? 100,
  };

  const devices: Device[] = new Array(opts.count);
  const bySerial = new Map<string, Device>();
  const indexes = Array.from({ length: opts.count }, (_, i) => i);
  await inPool(indexes, 64, async (i) => {
    const name: ModelName = opts.model === "mix" ? MODEL_NAMES[i % MODEL_NAMES.length]! : opts.model;
    const m = MODELS[name];
    const serial = `${opts.serialPrefix ?? m.serialPrefix}${m.serialBody(i + 1)}`;
    const saved = await store.load(serial);
    const crPath = saved?.crPath ?? randomBytes(9).toString("base64url");
    const drv = new SimDevice(name, host, { serial, seed: fnv1a(serial, seed), crPath }, sim, opts.lineBehaviour?.(serial, i));
    const dev = new Device(drv, name, env);
    if (saved) dev.restore(saved);
    devices[i] = dev;
    bySerial.set(serial, dev);
    crServer.register(crPath, dev);
  });

  return {
    devices,
    crServer,
    channels,
    device: (serial) => bySerial.get(serial),
    async bootAll({ concurrency = 50 } = {}) {
      const results: SessionResult[] = new Array(devices.length);
      await inPool(devices, concurrency, async (d, i) => {
        results[i] = await d.boot();
      });
      return results;
    },
    memoryPerDevice() {
      const now = process.memoryUsage();
      const n = Math.max(1, devices.length);
      return { heapKB: (now.heapUsed - before.heapUsed) / n / 1024, rssKB: (now.rss - before.rss) / n / 1024 };
    },
    async stop() {
      env.closed = true;
      for (const d of devices) d.kill();
      channels?.stop();
      await crServer.close();
      await Promise.all(devices.map((d) => d.persisted()));
    },
  };
}
