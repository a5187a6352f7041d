// CWMP sessions per minute over the last hour, as this ACS instance ran them
// (from session.ended on the event bus), for the overview's contacts chart.
// One counter pair per minute in a 60-slot ring: constant memory and O(1) per
// session, whatever the storm.

import type { EventBus } from "../events.ts";

const MINUTE = 60_000;
export const RATE_MINUTES = 60;

export interface MinuteCount {
  /** Start of the minute (epoch ms). */
  t: number;
  ok: number;
  failed: number;
}

export class SessionRate {
  private readonly minuteOf = new Float64Array(RATE_MINUTES).fill(-1);
  private readonly ok = new Uint32Array(RATE_MINUTES);
  private readonly failed = new Uint32Array(RATE_MINUTES);

  follow(bus: EventBus, now: () => number = Date.now): () => void {
    return bus.on("session.ended", ({ ok }) => this.add(now(), ok));
  }

  add(at: number, ok: boolean): void {
    const minute = Math.floor(at / MINUTE);
    const i = minute % RATE_MINUTES;
    if (this.minuteOf[i] !== minute) {
      this.minuteOf[i] = minute;
      this.ok[i] = 0;
      this.failed[i] = 0;
    }
    if (ok) this.ok[i]!++;
    else this.failed[i]!++;
  }

  /** The last RATE_MINUTES minutes up to the one holding `now`, oldest first; minutes without sessions count 0. */
  series(now: number): MinuteCount[] {
    const last = Math.floor(now / MINUTE);
    const out: MinuteCount[] = [];
    for (let minute = last - RATE_MINUTES + 1; minute <= last; minute++) {
      const i = minute % RATE_MINUTES;
      const hit = this.minuteOf[i] === minute;
      out.push({ t: minute * MINUTE, ok: hit ? this.ok[i]! : 0, failed: hit ? this.failed[i]! : 0 });
    }
    return out;
  }
}
