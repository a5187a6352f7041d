// Traffic rates of the router's interfaces, measured by the agent itself:
// the kernel byte counters are sampled every rateSampleS and each pair of
// samples gives a rate (agent/measurements/counter-rate.ts: wraps, resets and
// absurd values are not rates). The ACS reads the rate of the last window in
// one GetParameterValues instead of differencing two reads of its own.

import { counterRate, type CounterSample, type RateOutcome } from "../../measurements/counter-rate.ts";
import type { NetInterfaces } from "./sysfs.ts";

interface Direction {
  baseline?: CounterSample;
  bps?: number;
}

interface Link {
  rx: Direction;
  tx: Direction;
  windowMs: number;
}

/** Value of the X_FLEXACS_ rate parameters when there is no rate (first window, counter reset). */
export const NO_RATE = "-1";

export class InterfaceRates {
  private readonly links = new Map<string, Link>();

  constructor(
    private readonly nets: NetInterfaces,
    names: readonly string[],
  ) {
    for (const n of new Set(names)) this.links.set(n, { rx: {}, tx: {}, windowMs: 0 });
  }

  /** Reads every counter once; the rates then cover the time since the previous call. */
  sample(atMs = Date.now()): void {
    for (const [name, link] of this.links) {
      const speed = this.nets.speedMbps(name);
      // 64-bit kernel counters; no "no data" sentinel; the link speed bounds what is plausible.
      const policy = { bits: 64 as const, lineSpeedBps: speed ? speed * 1e6 : undefined, allOnesIsNoData: false };
      const step = (d: Direction, counter: "rx_bytes" | "tx_bytes"): RateOutcome => {
        const r = counterRate(d.baseline, { atMs, value: BigInt(this.nets.counter(name, counter)) }, policy);
        d.baseline = r.baseline;
        d.bps = r.outcome.kind === "rate" ? r.outcome.bps : undefined;
        return r.outcome;
      };
      const rx = step(link.rx, "rx_bytes");
      step(link.tx, "tx_bytes");
      link.windowMs = rx.kind === "rate" ? rx.intervalMs : 0;
    }
  }

  /** Received / sent bit/s over the last window (NO_RATE when unknown), and the window in ms. */
  read(name: string): { rx: string; tx: string; windowMs: string } {
    const l = this.links.get(name);
    const f = (d: Direction | undefined): string => (d?.bps === undefined ? NO_RATE : String(Math.round(d.bps)));
    return { rx: f(l?.rx), tx: f(l?.tx), windowMs: String(l?.windowMs ?? 0) };
  }
}
