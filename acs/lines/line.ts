// A subscriber line: who and where, the advertised rates, the desired Wi-Fi
// and WAN settings (abstract catalogue settings, never TR-069 paths) and the
// equipment on it. Provisioning derives a device's desired state from it.
import type { Settings } from "../provisioning/settings-catalogue.ts";

/**
 * Offer sheet, "Débits": "upload 10 Mb/s to 1 Gb/s, download 30 Mb/s to 1 Gb/s"
 * (business-rules.md, Advertised line rates). Each line's own range lies
 * inside these bounds; a line without one gets the bounds themselves.
 */
export const RATE_BOUNDS = {
  download: { min: 30, max: 1000 },
  upload: { min: 10, max: 1000 },
} as const;

export type Direction = keyof typeof RATE_BOUNDS;

/** Mb/s, inclusive. */
export interface RateRange {
  min: number;
  max: number;
}

/** The rented router by serial, or the customer's own router (never managed). */
export type LineRouter = { serial: string } | { customerOwned: true };

export interface Line {
  id: string;
  subscriber: { id: string; name: string };
  address: string;
  commune: string;
  rates: Record<Direction, RateRange>;
  /** Desired Wi-Fi per band; the profile and catalogue defaults fill the rest. */
  wifi: NonNullable<Settings["wifi"]>;
  /** Desired WAN access (PPPoE or IPoE, VLAN). */
  wan: NonNullable<Settings["wan"]>;
  router: LineRouter;
  ontSerial: string | null;
  /** Incremented by every change: writers name the version they read (optimistic concurrency). */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** What a client sends to create a line (rates, Wi-Fi, WAN and ONT optional). */
export type LineInput = Omit<Line, "version" | "createdAt" | "updatedAt">;

export const rentedRouterSerial = (line: Pick<Line, "router">): string | null =>
  "serial" in line.router ? line.router.serial : null;

/** Serials a line puts equipment under, with the role each plays. */
export function lineSerials(line: Pick<Line, "router" | "ontSerial">): { serial: string; role: EquipmentRole }[] {
  const out: { serial: string; role: EquipmentRole }[] = [];
  const router = rentedRouterSerial(line);
  if (router !== null) out.push({ serial: router, role: "router" });
  if (line.ontSerial !== null) out.push({ serial: line.ontSerial, role: "ont" });
  return out;
}

export type EquipmentRole = "router" | "ont";
