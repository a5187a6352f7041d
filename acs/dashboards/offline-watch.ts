// Going offline is not an event: a device is offline once its last Inform is
// older than the online window. This watch turns that passing of time into
// one: it sleeps until the earliest online device would cross the window,
// then asks the store which devices crossed since the last look (an indexed
// range on last_inform_at) and reports them. It reads the store, so devices
// served by another ACS instance count too. It runs only while someone
// watches (the live hub starts and stops it), and never wakes more often than
// every `minIntervalMs`, however many devices cross.

import type { Logger } from "pino";
import type { Store } from "../store/store.ts";

/** Ids reported per wake-up; `count` always has the full number. */
const MAX_IDS = 1000;

export interface OfflineWatchDeps {
  store: Store;
  onlineWindowMs: number;
  logger: Logger;
  onOffline(deviceIds: string[], count: number): void;
  minIntervalMs?: number;
}

export class OfflineWatch {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private checking = false;
  private informedDuringCheck = false;
  /** Devices whose last Inform is before this were already offline at the last look. */
  private lastCutoff = 0;

  constructor(private readonly deps: OfflineWatchDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastCutoff = Date.now() - this.deps.onlineWindowMs;
    void this.check();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A device just informed: it will cross the window in onlineWindowMs unless it informs again. */
  informed(): void {
    if (this.checking) this.informedDuringCheck = true;
    else if (this.running && !this.timer) this.schedule(this.deps.onlineWindowMs + 1);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check();
    }, Math.max(this.deps.minIntervalMs ?? 500, delayMs));
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (!this.running || this.checking) return;
    this.checking = true;
    this.informedDuringCheck = false;
    const { store, onlineWindowMs } = this.deps;
    try {
      const now = Date.now();
      const cutoff = now - onlineWindowMs;
      if (cutoff > this.lastCutoff) {
        const crossed = await store.listDevices({ lastInformAfter: this.lastCutoff, lastInformBefore: cutoff, sort: "lastInformAt", limit: MAX_IDS });
        if (crossed.total > 0) this.deps.onOffline(crossed.items.map((d) => d.id), crossed.total);
        this.lastCutoff = cutoff;
      }
      const earliest = await store.listDevices({ lastInformAfter: cutoff, sort: "lastInformAt", order: "asc", limit: 1 });
      const at = earliest.items[0]?.lastInformAt;
      if (this.running && at != null) this.schedule(at + onlineWindowMs + 1 - now);
    } catch (err) {
      this.deps.logger.error({ err }, "offline watch failed; retrying in one online window");
      if (this.running) this.schedule(onlineWindowMs);
    } finally {
      this.checking = false;
      if (this.informedDuringCheck) this.informed();
    }
  }
}
