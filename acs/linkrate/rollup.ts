// Downsampling of raw samples into min / median / max per interval and
// series (line, device, method, direction). Pure; both repositories use it.

import type { Measurement, Rollup } from "./measurement.ts";

const seriesKey = (m: Measurement): string => `${m.lineId}\u0000${m.deviceId}\u0000${m.method}\u0000${m.direction ?? ""}`;

/** Interval starts are multiples of intervalMs since the epoch, so a later run never splits a bucket. */
export const alignDown = (ms: number, intervalMs: number): number => Math.floor(ms / intervalMs) * intervalMs;

/** Lower median (an actual sample value) of an unsorted list. */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[(values.length - 1) >> 1]!;
}

export function rollUp(samples: readonly Measurement[], intervalMs: number): Rollup[] {
  const groups = new Map<string, { first: Measurement; startMs: number; values: number[] }>();
  for (const m of samples) {
    const startMs = alignDown(m.atMs, intervalMs);
    const key = `${seriesKey(m)}\u0000${startMs}`;
    const g = groups.get(key);
    if (g) g.values.push(m.value);
    else groups.set(key, { first: m, startMs, values: [m.value] });
  }
  const out: Rollup[] = [];
  for (const { first, startMs, values } of groups.values()) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out.push({
      lineId: first.lineId, deviceId: first.deviceId, direction: first.direction, method: first.method,
      startMs, intervalMs, count: values.length, min, median: median(values), max,
    });
  }
  return out;
}
