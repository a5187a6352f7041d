// Signals from the ACS about rented routers, fed by "device.informed":
//  - a router owed back or charged that contacts the ACS: the contact (time,
//    source address) is kept as evidence, aggregated per Paris day and address;
//  - a router that should not be online anywhere but at its subscriber's (owed
//    back, charged, returned, in stock) that comes online on another
//    subscriber's line: flagged for review (once per router and line);
//  - an active router teaches which line its source address belongs to.
// The ACS knows a device's source address, not its line: by default the line
// of an address is learnt from the active rented routers (noteLineAddress);
// a caller may pass another resolver (e.g. the lines capability's line for the
// device's serial). Behind a shared NAT a learnt line may be wrong: that is
// why it is a review flag, never a charge.

import { createHash } from "node:crypto";
import type { EventBus } from "../events.ts";
import { parisDate } from "../lib/paris-calendar.ts";
import type { RentalState } from "./lifecycle.ts";
import type { RentalRepository, RentalRouter } from "./rental-repository.ts";

/** States in which a contact is evidence: the router should be back with us. */
const EVIDENCE_STATES: ReadonlySet<RentalState> = new Set(["due_back", "overdue", "charge_flagged", "exported", "paid", "waived"]);

/** The line a contacting device is on, as far as the resolver knows. */
export type LineResolver = (contact: { serial: string; deviceId: string; remoteAddress: string }) => Promise<{ lineId: string; subscriberId: string | null } | null>;

export interface ContactDeps {
  repo: RentalRepository;
  resolveLine?: LineResolver;
}

export interface ContactOutcome {
  serial: string | null;
  evidence: boolean;
  review: boolean;
}

const reviewId = (serial: string, lineId: string): string =>
  `rvw_${createHash("sha256").update(`${serial}\n${lineId}`).digest("hex").slice(0, 24)}`;

/** Handles one Inform of a device at `at` from `remoteAddress`. */
export async function recordRouterContact(deps: ContactDeps, inform: { deviceId: string; serialNumber: string; remoteAddress: string; at: number }): Promise<ContactOutcome> {
  const router: RentalRouter | null = await deps.repo.getRouter(inform.serialNumber);
  if (!router) return { serial: null, evidence: false, review: false }; // not a rented router: customer-owned routers and ONTs are not watched
  const outcome: ContactOutcome = { serial: router.serial, evidence: false, review: false };
  const { remoteAddress, at } = inform;

  if (router.state === "active") {
    if (router.lineId) await deps.repo.noteLineAddress({ remoteAddress, lineId: router.lineId, subscriberId: router.subscriberId, serial: router.serial, at });
    return outcome;
  }
  if (EVIDENCE_STATES.has(router.state)) {
    await deps.repo.recordContact({ serial: router.serial, deviceId: inform.deviceId, day: parisDate(at), remoteAddress, at });
    outcome.evidence = true;
  }
  if (router.state === "shipped") return outcome; // on its way to a line: may be plugged in before its activation
  const resolve: LineResolver = deps.resolveLine ?? ((c) => deps.repo.lineAtAddress(c.remoteAddress));
  const observed = await resolve({ serial: router.serial, deviceId: inform.deviceId, remoteAddress });
  if (observed && observed.lineId !== router.lineId) {
    outcome.review = await deps.repo.addReviewFlag({
      id: reviewId(router.serial, observed.lineId), serial: router.serial, deviceId: inform.deviceId, kind: "online_on_other_line",
      routerState: router.state, routerLineId: router.lineId, routerSubscriberId: router.subscriberId,
      observedLineId: observed.lineId, observedSubscriberId: observed.subscriberId, remoteAddress, at,
    });
  }
  return outcome;
}

export interface ContactFollower {
  /** Resolves when every Inform received so far is handled (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

/** Subscribes to "device.informed"; failures are logged, never thrown into the session. */
export function followRouterContacts(
  bus: EventBus, deps: ContactDeps & { onError: (err: unknown) => void; onReview?: (outcome: ContactOutcome) => void; clock?: () => number },
): ContactFollower {
  const inFlight = new Set<Promise<void>>();
  const clock = deps.clock ?? Date.now;
  // One async function per Inform rather than a then/finally chain: two promises and two closures fewer per session.
  async function follow(contact: { deviceId: string; serialNumber: string; remoteAddress: string; at: number }): Promise<void> {
    let outcome: ContactOutcome;
    try {
      outcome = await recordRouterContact(deps, contact);
    } catch (err) {
      deps.onError(err);
      return;
    }
    if (outcome.review) deps.onReview?.(outcome);
  }
  const off = bus.on("device.informed", ({ deviceId, serialNumber, remoteAddress }) => {
    const p = follow({ deviceId, serialNumber, remoteAddress, at: clock() });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  return {
    idle: async () => {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    stop: off,
  };
}
