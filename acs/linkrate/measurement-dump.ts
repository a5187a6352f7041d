// Every record of the link-rate repository as stored (ids and times kept), for
// copying a whole store to another backend (acs/store/copy.ts). dump() yields
// batches of one kind at a time, in LINKRATE_DUMP_KINDS order; restore()
// writes a batch into an empty repository as it is: samples are not folded
// into line states again (the states are restored as they were).

import type { LineState, LinkAlert, Measurement, Rollup, SpeedTestRecord } from "./measurement.ts";

export interface LinkrateDumpItems {
  "link-rate samples": Measurement;
  "link-rate rollups": Rollup;
  "link-rate line states": LineState;
  "link-rate alerts": LinkAlert;
  "speed tests": SpeedTestRecord;
}

export type LinkrateDumpKind = keyof LinkrateDumpItems;

export const LINKRATE_DUMP_KINDS: readonly LinkrateDumpKind[] = [
  "link-rate samples", "link-rate rollups", "link-rate line states", "link-rate alerts", "speed tests",
];

export type LinkrateDumpBatch = { [K in LinkrateDumpKind]: { kind: K; items: LinkrateDumpItems[K][] } }[LinkrateDumpKind];
