// Persistence of subscriber lines and of each device's provisioning state.
// Implemented by acs/store/sqlite/lines.ts and acs/store/mongodb/lines.ts,
// both checked by test/contract/lines-contract.ts.
//
// Contract decisions:
// - A serial belongs to at most one line, as router or as ONT (never both).
// - addLines is all or nothing: a line id or serial already taken rejects the
//   whole batch with LineConflictError and stores nothing.
// - replaceLine writes only over the version the caller read: a stale
//   version gets LineVersionError and changes nothing; the stored line gets
//   version + 1.
// - Lists are ordered by id (lines) and device id (states).
import type { ProvisioningState, ProvisioningStatus, Standing } from "../provisioning/provisioning-state.ts";
import type { EquipmentRole, Line } from "./line.ts";

export interface LineQuery {
  subscriberId?: string;
  commune?: string;
  /** Router or ONT serial. */
  serial?: string;
  /** Case-insensitive substring of id, subscriber name or address. */
  search?: string;
  offset?: number;
  limit?: number;
}

export interface StateQuery {
  standing?: Standing | readonly Standing[];
  status?: ProvisioningStatus;
  lineId?: string;
  serial?: string;
  offset?: number;
  limit?: number;
}

export interface StateCounts {
  status: Partial<Record<ProvisioningStatus, number>>;
  standing: Partial<Record<Standing, number>>;
}

export interface LineRepository {
  // ---- lines ---------------------------------------------------------------
  getLine(id: string): Promise<Line | null>;
  listLines(query: LineQuery): Promise<{ total: number; items: Line[] }>;
  /** Stores new lines, all or none (see the contract decisions above). */
  addLines(lines: readonly Line[]): Promise<void>;
  /** Stores `line` (its version is ignored) over `expectedVersion`; returns the stored line, null when absent. */
  replaceLine(line: Line, expectedVersion: number): Promise<Line | null>;
  /** The ids among `ids` that exist already. */
  existingLineIds(ids: readonly string[]): Promise<string[]>;
  /** Which of `serials` lines use, and how. */
  serialOwners(serials: readonly string[]): Promise<Map<string, { lineId: string; role: EquipmentRole }>>;
  /** The line a device serial is on, as router or ONT. Read-only: it may be shared with other readers (a store's cache). */
  lineBySerial(serial: string): Promise<{ line: Line; role: EquipmentRole } | null>;

  // ---- provisioning state per device --------------------------------------
  /** Read-only: it may be shared with other readers (a store's cache); copy what is to change. */
  getState(deviceId: string): Promise<ProvisioningState | null>;
  /** Creates or replaces the device's state. */
  putState(state: ProvisioningState): Promise<void>;
  listStates(query: StateQuery): Promise<{ total: number; items: ProvisioningState[] }>;
  countStates(): Promise<StateCounts>;
}

export class LineConflictError extends Error {
  override name = "LineConflictError";
  readonly code = "FLX_ERR_LINE_CONFLICT";
  constructor(
    /** "id" or the serial's field. */
    readonly field: "id" | "router.serial" | "ontSerial",
    readonly value: string,
    readonly ownerLineId: string,
  ) {
    super(field === "id" ? `line ${value} already exists` : `serial ${value} is already on line ${ownerLineId}`);
  }
}

export class LineVersionError extends Error {
  override name = "LineVersionError";
  readonly code = "FLX_ERR_LINE_VERSION";
  constructor(readonly lineId: string, readonly expected: number, readonly actual: number) {
    super(`line ${lineId} is at version ${actual}, not ${expected}: read it again and re-apply the change`);
  }
}
