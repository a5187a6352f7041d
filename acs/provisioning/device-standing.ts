// Who a device is to the ISP, from its serial: the router or ONT of a line,
// or (management settings only, never subscriber data) a rented router on
// no line, a rented router marked returned or charged, or an unknown device.
import type { EquipmentRole, Line } from "../lines/line.ts";
import type { LineRepository } from "../lines/line-repository.ts";
import type { RentalState } from "../rentals/lifecycle.ts";
import type { Standing } from "./provisioning-state.ts";

/** The part of the rented-router inventory provisioning reads (acs/rentals/rental-repository.ts). */
export interface RentalLookup {
  getRouter(serial: string): Promise<{ state: RentalState } | null>;
}

/** Rental states under which a router contacting the ACS is listed as returned or charged. */
const RETURNED: readonly RentalState[] = ["returned", "reversed"];
const CHARGED: readonly RentalState[] = ["charge_flagged", "exported", "paid"];

export type DeviceStanding =
  | { standing: "line"; line: Line; role: EquipmentRole }
  | { standing: Exclude<Standing, "line">; line: null; role: null };

export async function standingOf(serial: string, lines: Pick<LineRepository, "lineBySerial">, rentals: RentalLookup | undefined): Promise<DeviceStanding> {
  const rental = rentals ? await rentals.getRouter(serial) : null;
  // A router marked returned or charged is not on its old line any more, even if the line still names it.
  if (rental && RETURNED.includes(rental.state)) return { standing: "returned", line: null, role: null };
  if (rental && CHARGED.includes(rental.state)) return { standing: "charged", line: null, role: null };
  const onLine = await lines.lineBySerial(serial);
  if (onLine) return { standing: "line", line: onLine.line, role: onLine.role };
  return { standing: rental ? "no-line" : "unknown", line: null, role: null };
}
