// What rented routers add to the dashboards: the overview block
// "returns.overdue" (routers past their due date and not back, and the euros
// at stake), from the repository's per-state count (one indexed query).

import type { OverviewSection } from "../dashboards/overview.ts";
import { NON_RETURN_CHARGE_CENTS } from "./contract-dates.ts";
import type { RentalRepository } from "./rental-repository.ts";

export const RETURNS_OVERVIEW_ID = "returns.overdue";

/**
 * Overdue = past the due date and not returned: not yet charged (overdue),
 * charged (charge_flagged) or sent to billing (exported). Each such router
 * carries one non-return charge, so the euros at stake are their count times
 * the offer sheet's "Routeur non retourné … = 180€" (contract-dates.ts).
 */
export function returnsOverviewSection(repo: RentalRepository): OverviewSection {
  return {
    id: RETURNS_OVERVIEW_ID,
    async compute() {
      const byState = await repo.countRoutersByState();
      const n = (s: keyof typeof byState) => byState[s] ?? 0;
      const overdue = n("overdue") + n("charge_flagged") + n("exported");
      return {
        dueBack: n("due_back"),
        overdue,
        flagged: n("charge_flagged"),
        exported: n("exported"),
        atStakeCents: overdue * NON_RETURN_CHARGE_CENTS,
      };
    },
  };
}
