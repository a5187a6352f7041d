// When the next periodic Inform is due (tr069.md §1.2): PeriodicInformTime
// only sets the phase, Informs happen at that time ± n·interval. With the
// Unknown Time the CPE picks the phase; a per-device one spreads a fleet.

import { UNKNOWN_TIME } from "../datamodel/values.ts";

/** Epoch ms of the next periodic Inform strictly after `now`. */
export function nextPeriodicInform(now: number, intervalSeconds: number, periodicInformTime: string, devicePhaseMs: number): number {
  const interval = Math.max(1, Math.floor(intervalSeconds)) * 1000;
  const t = periodicInformTime === UNKNOWN_TIME || periodicInformTime.startsWith("0001-") ? NaN : Date.parse(periodicInformTime);
  const phase = Number.isNaN(t) ? devicePhaseMs % interval : t;
  const n = Math.floor((now - phase) / interval) + 1;
  return phase + n * interval;
}
