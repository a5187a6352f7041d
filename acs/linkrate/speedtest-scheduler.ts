// Scheduled speed tests: every line gets one test (download, then upload) per
// window per Paris day, by default one off-peak (03:00–06:00) and one in the
// 18:00–23:00 peak (ARCEP's code of conduct, market-anchors.md §6). Each line's
// start is spread over the window by a hash of its id, and no more than
// maxConcurrentLines lines test at once. One ACS instance plans at a time
// (store lease "job:speedtests"); the device is woken by a connection request
// and the test runs in that session (speedtest-source.ts).

import type { Logger } from "pino";
import type { ConnectionRequester } from "../connreq/requester.ts";
import { parisDate } from "../lib/paris-calendar.ts";
import type { Store } from "../store/store.ts";
import type { LinkrateLines } from "./linkrate-lines.ts";
import type { NewSpeedTest } from "./measurement.ts";
import type { LinkrateRepository } from "./measurement-repository.ts";

export interface TestWindow {
  name: string;
  /** Europe/Paris wall-clock "HH:MM", start < end (no window across midnight). */
  start: string;
  end: string;
}

export const DEFAULT_TEST_WINDOWS: readonly TestWindow[] = [
  { name: "offpeak", start: "03:00", end: "06:00" },
  { name: "peak", start: "18:00", end: "23:00" },
];

export interface SpeedTestSchedulerOptions {
  windows?: readonly TestWindow[];
  /** Lines testing at once, fleet-wide (default 20: 20 Gb/s of test traffic at 1 Gb/s each). */
  maxConcurrentLines?: number;
  /** Lease name and duration (default "job:speedtests", 5 min). */
  leaseTtlMs?: number;
}

export interface SpeedTestSchedulerDeps {
  repo: LinkrateRepository;
  lines: LinkrateLines;
  store: Store;
  requester?: ConnectionRequester;
  instanceId: string;
  logger: Logger;
  options?: SpeedTestSchedulerOptions;
  now?: () => number;
}

export interface SchedulerTick {
  /** Lines whose tests were queued. */
  queued: number;
  /** false: another instance holds the lease. */
  ran: boolean;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const parisClock = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const PAGE = 1000;

const minutesOf = (hhmm: string): number => {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`speed-test window time must be HH:MM, got ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Milliseconds since Paris midnight. */
function parisTimeOfDayMs(epochMs: number): number {
  const [h, m, s] = parisClock.format(new Date(epochMs)).split(":").map(Number) as [number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000 + (epochMs % 1000);
}

/** FNV-1a of the line and slot: where in the window this line tests (stable, spread). */
function spread(lineId: string, slot: string, spanMs: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${lineId}\u0000${slot}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h % Math.max(1, spanMs);
}

export function checkWindows(windows: readonly TestWindow[]): void {
  for (const w of windows) {
    if (!(minutesOf(w.start) < minutesOf(w.end))) throw new RangeError(`speed-test window ${w.name}: start must be before end`);
  }
}

/** Device id of a serial, among the devices that contacted the ACS. */
export async function deviceIdOfSerial(store: Store, serial: string): Promise<string | null> {
  const { items } = await store.listDevices({ search: serial, limit: 20 });
  return items.find((d) => d.serialNumber === serial)?.id ?? null;
}

export interface SpeedTestScheduler {
  tick(): Promise<SchedulerTick>;
}

export function createSpeedTestScheduler(deps: SpeedTestSchedulerDeps): SpeedTestScheduler {
  const { repo, store, logger } = deps;
  const o = deps.options ?? {};
  const windows = o.windows ?? DEFAULT_TEST_WINDOWS;
  checkWindows(windows);
  const maxLines = o.maxConcurrentLines ?? 20;
  const now = deps.now ?? Date.now;

  return {
    async tick() {
      if (!(await store.acquireLease("job:speedtests", deps.instanceId, o.leaseTtlMs ?? 300_000))) return { queued: 0, ran: false };
      const nowMs = now();
      const tod = parisTimeOfDayMs(nowMs);
      let room = maxLines - (await repo.countActiveLines());
      let queued = 0;
      for (const w of windows) {
        const startMs = minutesOf(w.start) * 60_000;
        const spanMs = minutesOf(w.end) * 60_000 - startMs;
        if (tod < startMs || tod >= startMs + spanMs) continue;
        const slot = `${parisDate(nowMs)}/${w.name}`;
        for (let offset = 0; room > 0; offset += PAGE) {
          const page = await deps.lines.page(offset, PAGE);
          const due = page.filter((l) => l.testSerial !== null && startMs + spread(l.lineId, slot, spanMs) <= tod);
          const taken = due.length > 0 ? await repo.linesWithSlot(slot, due.map((l) => l.lineId)) : new Set<string>();
          for (const line of due) {
            if (room <= 0) break;
            if (taken.has(line.lineId)) continue;
            const deviceId = await deviceIdOfSerial(store, line.testSerial!);
            if (!deviceId) continue; // never contacted the ACS: nothing to test with yet
            const base: Omit<NewSpeedTest, "direction"> = { lineId: line.lineId, deviceId, origin: "schedule", slot, requestedBy: "scheduler" };
            const stored = await repo.addSpeedTests([{ ...base, direction: "download" }, { ...base, direction: "upload" }], nowMs);
            if (stored.length === 0) continue;
            room--;
            queued++;
            if (deps.requester) {
              const wake = await deps.requester.wake(deviceId).catch((err: unknown) => ({ ok: false, detail: String(err) }));
              if (!wake.ok) logger.debug({ deviceId, lineId: line.lineId, wake }, "speed test queued; the device runs it at its next contact");
            }
          }
          if (page.length < PAGE) break;
        }
      }
      if (queued > 0) logger.info({ queued, active: maxLines - room }, "speed tests scheduled");
      return { queued, ran: true };
    },
  };
}
