// A fleet of rented routers for the flagging tests and benchmark: `count`
// routers active on their own line, every `overdueEvery`-th one due back on
// `dueDate` (odd numbers for an exchange, even ones at the contract's end),
// those whose number is a multiple of 3 with ACS contacts after the due date. Written through the repository itself, in
// batches, so the rows are exactly what the real capability writes.

import { addDays, type PlainDate } from "../../acs/lib/paris-calendar.ts";
import type { RentalRepository, RouterChange } from "../../acs/rentals/rental-repository.ts";

export interface FleetSpec {
  count: number;
  overdueEvery: number;
  dueDate: PlainDate;
  at: number;
}

const pad = (i: number): string => String(i).padStart(7, "0");
export const fleetSerial = (i: number): string => `RR${pad(i)}`;

/** Seeds the fleet; returns the serials that are overdue after `dueDate`. */
export async function seedRentalFleet(repo: RentalRepository, spec: FleetSpec): Promise<string[]> {
  const CHUNK = 5000;
  const overdue: string[] = [];
  for (let start = 1; start <= spec.count; start += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, spec.count - start + 1) }, (_, k) => start + k);
    const added = await repo.addRouters(ids.map((i) => ({ serial: fleetSerial(i), mac: macOf(i), model: "FlexBox 6" })), spec.at, "warehouse");
    const failed = added.find((a) => !a.created);
    if (failed) throw new Error(`seeding: ${failed.reason}`);
    const changes = ids.map((i): RouterChange => {
      const due = i % spec.overdueEvery === 0;
      if (due) overdue.push(fleetSerial(i));
      const line = { lineId: `L${pad(i)}`, subscriberId: `S${pad(i)}` };
      const steps: RouterChange["steps"] = [
        { from: "in_stock", to: "shipped", reason: "shipment", detail: { deliveryFeeCents: 1200, tracking: `TRK${pad(i)}` } },
        { from: "shipped", to: "active", reason: "activation", detail: { eventId: `act-${i}` } },
      ];
      if (due) steps.push({ from: "active", to: "due_back", reason: i % 2 ? "exchange" : "contract_end", detail: { dueDate: spec.dueDate } });
      return {
        serial: fleetSerial(i), expectedVersion: 1, key: "seed", at: spec.at, actor: "seed", steps,
        patch: due ? { ...line, dueDate: spec.dueDate, dueReason: i % 2 ? "exchange" : "contract_end" } : line,
      };
    });
    await repo.applyChanges(changes);
    // Overdue routers whose number is also a multiple of 3 are still in use: they inform after the due date.
    for (const i of ids.filter((i) => i % spec.overdueEvery === 0 && i % 3 === 0)) {
      for (const d of [1, 2]) {
        const day = addDays(spec.dueDate, d);
        await repo.recordContact({ serial: fleetSerial(i), deviceId: `dev-${i}`, day, remoteAddress: `198.51.100.${i % 250}`, at: Date.parse(`${day}T10:00:00Z`) });
      }
    }
  }
  return overdue;
}

/** A distinct locally administered MAC per router number. */
function macOf(i: number): string {
  const hex = i.toString(16).padStart(8, "0");
  return `02:00:${hex.match(/../g)!.join(":")}`;
}
