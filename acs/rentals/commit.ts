// Planning and committing router changes: the errors the capability reports
// to its callers, and the retry loop every writer uses when another writer
// moved a router between the read and the commit.

import type { ChangeOutcome, RentalRepository, RouterChange } from "./rental-repository.ts";

/** A business rule refuses the request (unknown router, wrong line, missing field…): the caller's input is at fault. */
export class RentalRuleError extends Error {
  override name = "RentalRuleError";
}

/** Other writers kept moving the same router: nothing of the last attempt was applied. */
export class RentalBusyError extends Error {
  override name = "RentalBusyError";
}

const ATTEMPTS = 3;

/**
 * Plans on fresh reads and commits; on a conflict plans again (the planner
 * re-reads, and skips what an earlier attempt applied: same idempotency keys).
 */
export async function commitPlanned(repo: RentalRepository, plan: () => Promise<RouterChange[]>): Promise<ChangeOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    const changes = await plan();
    const outcomes = changes.length ? await repo.applyChanges(changes) : [];
    const conflict = outcomes.find((o) => o.status === "conflict");
    if (!conflict) return outcomes;
    if (attempt >= ATTEMPTS) throw new RentalBusyError(`router ${conflict.router.serial} keeps changing under this request; try again`);
  }
}
