// Dates that decide when a rented router is owed back.
import { addDays, type PlainDate } from "../lib/paris-calendar.ts";

/**
 * Offer sheet, "Conditions de résiliation à l'initiative du client":
 * "10 jours à compter du lendemain de la réception de la demande de résiliation"
 * — ten days counted from the day after the request is received. The day after
 * is day 1, so the tenth day is the received date + 10 (received 2 March →
 * effective 12 March).
 */
export const TERMINATION_NOTICE_DAYS = 10;

export function terminationEffectiveDate(requestReceived: PlainDate): PlainDate {
  return addDays(requestReceived, TERMINATION_NOTICE_DAYS);
}

/**
 * Offer sheet, "Routeur non retourné au frais du client, suite échange ou fin de
 * contrat = 180€". The sheet states no deadline: configurable, default 30 days
 * after the exchange or after termination takes effect (business-rules.md).
 */
export const DEFAULT_RETURN_DEADLINE_DAYS = 30;

export function returnDueDate(trigger: PlainDate, deadlineDays: number = DEFAULT_RETURN_DEADLINE_DAYS): PlainDate {
  return addDays(trigger, deadlineDays);
}

/** The router may still be returned on its due date; it is overdue from the day after. */
export function isOverdue(dueDate: PlainDate, today: PlainDate): boolean {
  return today > dueDate;
}

/** "Routeur non retourné … = 180€" (HT), in integer cents. */
export const NON_RETURN_CHARGE_CENTS = 180_00;

/** Offer sheet, "Routeur": "Livraison du matériel : 12€ par la poste" (HT), in integer cents. */
export const DELIVERY_FEE_CENTS = 12_00;
