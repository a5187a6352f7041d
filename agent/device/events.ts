// The CPE's pending Inform events and their retry rules (tr069.md §1.6, icwmp's
// event table): single events at most once, "M <method>" events once per
// CommandKey; 6 CONNECTION REQUEST is never retried; events that only survive
// a failed transmission are dropped on reboot.

import type { EventStruct } from "../../acs/cwmp/messages.ts";

export const BOOTSTRAP = "0 BOOTSTRAP";
export const BOOT = "1 BOOT";
export const PERIODIC = "2 PERIODIC";
export const SCHEDULED = "3 SCHEDULED";
export const VALUE_CHANGE = "4 VALUE CHANGE";
export const CONNECTION_REQUEST = "6 CONNECTION REQUEST";
export const TRANSFER_COMPLETE = "7 TRANSFER COMPLETE";
export const DIAGNOSTICS_COMPLETE = "8 DIAGNOSTICS COMPLETE";
export const M_REBOOT = "M Reboot";

const single = (code: string): boolean => !code.startsWith("M ");

/** Adds an event unless an equal one is pending; the list stays in Inform order. */
export function addEvent(list: EventStruct[], eventCode: string, commandKey = ""): EventStruct[] {
  const dup = list.some((e) => e.eventCode === eventCode && (single(eventCode) || e.commandKey === commandKey));
  return dup ? list : sortEvents([...list, { eventCode, commandKey: single(eventCode) ? "" : commandKey }]);
}

const rank = (e: EventStruct): number => (/^\d+ /.test(e.eventCode) ? parseInt(e.eventCode, 10) : 1000);

/** Numbered events in numeric order, then "M …" and vendor events in arrival order. */
export function sortEvents(list: EventStruct[]): EventStruct[] {
  return list.map((e, i) => [e, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([e]) => e);
}

/** After a failed session: everything is retried except connection requests. */
export const afterFailure = (list: EventStruct[]): EventStruct[] => list.filter((e) => e.eventCode !== CONNECTION_REQUEST);

const LOST_ON_REBOOT = new Set([BOOT, VALUE_CHANGE, CONNECTION_REQUEST, DIAGNOSTICS_COMPLETE]);
/** Across a reboot: 1 BOOT is raised anew; value changes, CRs and diagnostics results do not survive. */
export const afterReboot = (list: EventStruct[]): EventStruct[] => list.filter((e) => !LOST_ON_REBOOT.has(e.eventCode));

/** Removes the delivered events (those sent in a successful Inform). */
export const withoutDelivered = (list: EventStruct[], delivered: readonly EventStruct[]): EventStruct[] =>
  list.filter((e) => !delivered.some((d) => d.eventCode === e.eventCode && d.commandKey === e.commandKey));
