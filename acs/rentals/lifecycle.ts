// The rented router lifecycle as an explicit transition map: every move is
// checked here, so an illegal one (e.g. charging a router still in stock) is
// refused with a message instead of corrupting the inventory.

export const RENTAL_STATES = [
  "in_stock",
  "shipped",
  "active",
  "due_back",
  "returned",
  "overdue",
  "charge_flagged",
  "exported",
  "paid",
  "waived",
  "reversed",
] as const;
export type RentalState = (typeof RENTAL_STATES)[number];

const TRANSITIONS: Record<RentalState, readonly RentalState[]> = {
  in_stock: ["shipped"],
  shipped: ["active", "returned"], // returned: refused delivery / back to warehouse
  active: ["due_back"],
  due_back: ["returned", "overdue", "active"], // active again: exchange cancelled, contract reactivated
  overdue: ["returned", "charge_flagged"],
  charge_flagged: ["exported", "waived", "reversed"], // reversed: returned before export
  exported: ["paid", "waived", "reversed"], // reversed: returned after export → reversal record
  returned: ["in_stock"], // refurbished and back in stock
  paid: ["reversed"], // returned after payment → refund
  waived: [],
  reversed: ["in_stock"],
};

export function canTransition(from: RentalState, to: RentalState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(readonly serial: string, readonly from: RentalState, readonly to: RentalState) {
    const allowed = TRANSITIONS[from];
    super(
      `router ${serial}: cannot go from "${from}" to "${to}"` +
        (allowed.length ? ` (allowed: ${allowed.join(", ")})` : ` ("${from}" is final)`),
    );
  }
}

export function assertTransition(serial: string, from: RentalState, to: RentalState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(serial, from, to);
}
