// Bus events as the test ACS helpers record and await them.

import type { AcsEvents, EventBus } from "../../acs/events.ts";

export type Recorded = { [K in keyof AcsEvents]: { name: K; payload: AcsEvents[K] } }[keyof AcsEvents];

/** Appends every event of `names` emitted on `bus` to `into`. */
export function recordEvents(bus: EventBus, names: readonly (keyof AcsEvents)[], into: Recorded[]): void {
  for (const name of names) bus.on(name, (payload) => into.push({ name, payload } as Recorded));
}

/** Payloads of the recorded events `name`, in order. */
export function eventsNamed<K extends keyof AcsEvents>(recorded: readonly Recorded[], name: K): AcsEvents[K][] {
  return recorded.filter((e) => e.name === name).map((e) => e.payload as AcsEvents[K]);
}

/** The next event `name` matching `pred`: one in `recorded` from index `since`, else the next emitted. */
export function nextEvent<K extends keyof AcsEvents>(
  bus: EventBus, name: K, pred: (p: AcsEvents[K]) => boolean, recorded: readonly Recorded[] = [], since = 0,
): Promise<AcsEvents[K]> {
  const seen = recorded.slice(since).find((e) => e.name === name && pred(e.payload as AcsEvents[K]));
  if (seen) return Promise.resolve(seen.payload as AcsEvents[K]);
  return new Promise((resolve) => {
    const off = bus.on(name, (p) => {
      if (pred(p)) {
        off();
        resolve(p);
      }
    });
  });
}
