// The rented routers of the demo, moved only through the rentals
// capability's own operations (inventory, warehouse actions, contract events,
// the flagging job): each line's rented router is stocked, shipped and
// activated; one line had its router exchanged a week ago (the old unit is
// due back); former subscribers who terminated their contract still owe
// their router (some past the due date, charged 180 EUR by the flagging run,
// one not due yet, one returned). Former subscribers' units are not
// simulated: they are in a drawer somewhere, not online.
//
// Every move carries a fixed idempotency key or event id, so a restart on
// the same data changes nothing; dates count back from the first start's
// Paris day, and a restart on a later day finds the events already applied.

import { fnv1a } from "../../agent/datamodel/fnv1a.ts";
import type { ModelName } from "../../agent/drivers/sim/model-spec.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";
import { seededRandom } from "../../agent/fleet/fleet.ts";
import { addDays, parisDate, type PlainDate } from "../lib/paris-calendar.ts";
import { RentalBusyError, RentalRuleError } from "../rentals/commit.ts";
import { TERMINATION_NOTICE_DAYS } from "../rentals/contract-dates.ts";
import { applyContractEvent, parseContractEvent, type ContractEventInput } from "../rentals/contract-events.ts";
import { runFlaggingNow, type FlaggingRunOutcome } from "../rentals/daily-job.ts";
import { IllegalTransitionError } from "../rentals/lifecycle.ts";
import type { NewRouter, RentalRepository } from "../rentals/rental-repository.ts";
import { applyRouterAction, type RouterAction } from "../rentals/router-actions.ts";
import type { Store } from "../store/store.ts";
import { DEMO_SEED, type DemoLine } from "./demo-plan.ts";

export const DEMO_ACTOR = "demo";
/** Serial numbers of units no longer in the field start here, far beyond any fleet's. */
const RETIRED_SERIAL_BASE = 800_000_000;
/** The exchange happened this many days before the demo's first start. */
const EXCHANGE_DAYS_AGO = 8;

/** A unit that is not simulated: stocked with its model's serial format and OUI. */
function retiredUnit(model: ModelName, k: number): NewRouter {
  const m = MODELS[model];
  const serial = `${m.serialPrefix}${m.serialBody(RETIRED_SERIAL_BASE + k)}`;
  const nic = Math.floor(seededRandom(fnv1a(serial, DEMO_SEED))() * 0x1000000).toString(16).padStart(6, "0");
  return { serial, mac: `${m.oui}${nic}`.toLowerCase().match(/../g)!.join(":"), model: m.productClass };
}

export interface FormerContract {
  unit: NewRouter;
  lineId: string;
  subscriberId: string;
  contractDaysAgo: number;
  /** Days before today the termination request was received. */
  terminatedDaysAgo: number;
  returned: boolean;
}

/**
 * Former subscribers, in turn: 21 days overdue, 4 days overdue, due back in
 * 12 days, 45 days overdue, returned. The due date is the termination's
 * effective date (offer sheet: 10 days from the day after the request) plus
 * `deadlineDays` (contract-dates.ts).
 */
export function formerContracts(count: number, deadlineDays: number): FormerContract[] {
  const owedFor = (overdueDays: number): number => overdueDays + deadlineDays + TERMINATION_NOTICE_DAYS;
  return Array.from({ length: count }, (_, i) => {
    const k = i + 1;
    const scenario = i % 5;
    const terminatedDaysAgo = [owedFor(21), owedFor(4), Math.max(1, owedFor(-12)), owedFor(45), 20][scenario]!;
    return {
      unit: retiredUnit(k % 2 === 1 ? "router-tr181" : "router-tr098", k),
      lineId: `L-9${String(k).padStart(5, "0")}`,
      subscriberId: `S-9${String(k).padStart(5, "0")}`,
      contractDaysAgo: terminatedDaysAgo + 200 + (fnv1a(`contract-${k}`, DEMO_SEED) % 700),
      terminatedDaysAgo,
      returned: scenario === 4,
    };
  });
}

/** A few former subscribers, more on bigger fleets. */
const formerCount = (rentedLines: number): number => Math.min(400, Math.max(5, Math.ceil(rentedLines / 8)));

export interface RentalsDeps {
  repo: RentalRepository;
  store: Pick<Store, "acquireLease" | "releaseLease">;
  instanceId: string;
  deadlineDays: number;
  /** The label MAC of a simulated router. */
  macOf(serial: string): string | null;
  signal: AbortSignal;
}

export interface RentalsSeeded {
  routersAdded: number;
  eventsApplied: number;
  /** Lines or contracts a business rule refused (someone moved the router meanwhile): logged, skipped. */
  refused: string[];
  flagging: FlaggingRunOutcome | null;
}

const isRefusal = (err: unknown): err is Error =>
  err instanceof RentalRuleError || err instanceof IllegalTransitionError || err instanceof RentalBusyError;

export async function seedRentals(deps: RentalsDeps, lines: readonly DemoLine[], now: number): Promise<RentalsSeeded> {
  const { repo, deadlineDays } = deps;
  const today = parisDate(now);
  const ago = (days: number): PlainDate => addDays(today, -days);
  const rented = lines.filter((l): l is DemoLine & { router: NonNullable<DemoLine["router"]> } => l.router !== null);
  const exchanged = rented[1];
  const exchangedOld = exchanged && retiredUnit(exchanged.router.model, 0);
  const former = formerContracts(formerCount(rented.length), deadlineDays);

  const inventory: NewRouter[] = [
    ...rented.flatMap((l) => {
      const mac = deps.macOf(l.router.serial);
      return mac ? [{ serial: l.router.serial, mac: mac.toLowerCase(), model: MODELS[l.router.model].productClass }] : [];
    }),
    ...(exchangedOld ? [exchangedOld] : []),
    ...former.map((f) => f.unit),
  ];
  const added = await repo.addRouters(inventory, now, DEMO_ACTOR);
  const out: RentalsSeeded = { routersAdded: added.filter((a) => a.created).length, eventsApplied: 0, refused: [], flagging: null };

  const act = (serial: string, action: RouterAction, key: string) => applyRouterAction(repo, serial, action, { now, actor: DEMO_ACTOR, key });
  const ship = (serial: string, lineId: string, subscriberId: string) =>
    act(serial, { to: "shipped", lineId, subscriberId, tracking: `6A${String(fnv1a(serial, DEMO_SEED)).padStart(11, "0")}` }, "demo:shipment");
  const event = async (input: ContractEventInput & { eventId: string }) => {
    const r = await applyContractEvent(repo, parseContractEvent(input), { now, actor: DEMO_ACTOR, source: "api", deadlineDays });
    if (r.status === "applied") out.eventsApplied++;
  };
  const each = async <T>(items: readonly T[], name: (t: T) => string, fn: (t: T) => Promise<void>): Promise<void> => {
    for (const item of items) {
      if (deps.signal.aborted) return;
      try {
        await fn(item);
      } catch (err) {
        if (!isRefusal(err)) throw err;
        out.refused.push(`${name(item)}: ${err.message}`);
      }
    }
  };

  await each(rented, (l) => l.input.id, async (l) => {
    const { id: lineId, subscriber } = l.input;
    const base = { lineId, subscriberId: subscriber.id };
    if (l === exchanged) {
      await ship(exchangedOld!.serial, lineId, subscriber.id);
      await event({ ...base, eventId: `demo-activation-${lineId}`, type: "activation", date: ago(l.contractDaysAgo), serial: exchangedOld!.serial });
      await ship(l.router.serial, lineId, subscriber.id);
      await event({ ...base, eventId: `demo-exchange-${lineId}`, type: "exchange", date: ago(EXCHANGE_DAYS_AGO), serial: exchangedOld!.serial, newSerial: l.router.serial });
      return;
    }
    await ship(l.router.serial, lineId, subscriber.id);
    await event({ ...base, eventId: `demo-activation-${lineId}`, type: "activation", date: ago(l.contractDaysAgo), serial: l.router.serial });
  });

  await each(former, (f) => f.lineId, async (f) => {
    const base = { lineId: f.lineId, subscriberId: f.subscriberId };
    await ship(f.unit.serial, f.lineId, f.subscriberId);
    await event({ ...base, eventId: `demo-activation-${f.lineId}`, type: "activation", date: ago(f.contractDaysAgo), serial: f.unit.serial });
    await event({ ...base, eventId: `demo-termination-${f.lineId}`, type: "termination_request", date: ago(f.terminatedDaysAgo) });
    if (f.returned) await act(f.unit.serial, { to: "returned", condition: "good", note: "returned by post" }, "demo:return");
  });

  // The daily run of today may have passed before these routers existed: run it once more.
  if (!deps.signal.aborted) out.flagging = await runFlaggingNow({ store: deps.store, repo, instanceId: deps.instanceId });
  return out;
}
