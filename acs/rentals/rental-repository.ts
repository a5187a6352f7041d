// Persistence of the rented-router capability: the inventory and its
// lifecycle history, contract events, non-return charges, billing export
// batches, reversals and the ACS contacts kept as evidence. Implemented by
// acs/store/sqlite/rentals.ts and acs/store/mongodb/rentals.ts, both checked
// by test/contract/rentals-contract.ts.
//
// Crash safety without multi-document transactions (FerretDB 1.24 has none):
// every change of a router is ONE record, inserted under a unique
// (serial, version) and a unique (serial, key). That insert is the commit
// point; the router row, the charge and the reversal it carries are effects
// that can be replayed from it. So a writer killed half-way never leaves two
// charges, a retried change (same key) is a no-op, and two writers racing on
// one router cannot both win (the loser gets "conflict" and re-plans).

import type { PlainDate } from "../lib/paris-calendar.ts";
import { assertTransition, type RentalState } from "./lifecycle.ts";
import type { RentalDumpBatch } from "./rental-dump.ts";

export const DUE_REASONS = ["exchange", "contract_end"] as const;
/** Why a router is owed back: the old unit of an exchange, or the end of the contract. */
export type DueReason = (typeof DUE_REASONS)[number];

export interface RentalRouter {
  serial: string;
  /** Lower-case colon form, "aa:bb:cc:dd:ee:ff". */
  mac: string;
  model: string;
  state: RentalState;
  /** Number of changes applied; a change names the version it was planned on. */
  version: number;
  /** The line (and its subscriber) the router is, or was last, active on. */
  lineId: string | null;
  subscriberId: string | null;
  dueDate: PlainDate | null;
  dueReason: DueReason | null;
  /** The charge of the current non-return episode. */
  chargeId: string | null;
  createdAt: number;
  updatedAt: number;
}

export type RouterPatch = Partial<Pick<RentalRouter, "lineId" | "subscriberId" | "dueDate" | "dueReason" | "chargeId">>;

export interface NewRouter {
  serial: string;
  mac: string;
  model: string;
}

export interface AddRouterOutcome {
  serial: string;
  created: boolean;
  /** Why it was not created. */
  reason: string | null;
}

export interface TransitionStep {
  /** null only for the router's creation (→ in_stock). */
  from: RentalState | null;
  to: RentalState;
  reason: string | null;
  detail: Record<string, unknown>;
}

/** One line of a router's history: who moved it, when, why. */
export interface RentalTransition extends TransitionStep {
  serial: string;
  version: number;
  /** Order inside the change (a change may take several steps, e.g. overdue → charge_flagged). */
  step: number;
  at: number;
  actor: string;
  key: string;
}

export type ChargeStatus = "flagged" | "exported" | "paid" | "waived" | "reversed";

export interface EvidenceRecord {
  at: number;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown>;
}

export interface ContactEvidence {
  day: PlainDate;
  remoteAddress: string;
  firstAt: number;
  lastAt: number;
  count: number;
}

/** What the charge rests on, frozen when it is flagged. */
export interface ChargeEvidence {
  shipping: EvidenceRecord | null;
  dueBack: EvidenceRecord | null;
  returns: EvidenceRecord[];
  /** ACS contacts after the due date; any means the router is still in use (strong evidence). */
  contactsAfterDue: ContactEvidence[];
  stillInUse: boolean;
}

export interface Charge {
  /** Derived from serial, due date and reason: the same episode always gets the same id. */
  id: string;
  serial: string;
  lineId: string | null;
  subscriberId: string | null;
  reason: DueReason;
  dueDate: PlainDate;
  /** Integer cents, excl. VAT. */
  amountCents: number;
  currency: "EUR";
  flaggedAt: number;
  status: ChargeStatus;
  statusReason: string | null;
  statusAt: number;
  exportBatchId: string | null;
  evidence: ChargeEvidence;
}

export interface ChargeUpdate {
  id: string;
  status: ChargeStatus;
  statusReason: string | null;
  statusAt: number;
  exportBatchId?: string;
}

/** Undoes an exported (or paid) charge in billing: the router came back, or the charge was waived. */
export interface Reversal {
  id: string;
  chargeId: string;
  serial: string;
  lineId: string | null;
  subscriberId: string | null;
  /** Negative: minus the charge. */
  amountCents: number;
  currency: "EUR";
  reason: "returned" | "waived";
  at: number;
  actor: string;
  detail: Record<string, unknown>;
  exportBatchId: string | null;
}

/** One atomic move of one router, planned on `expectedVersion`. */
export interface RouterChange {
  serial: string;
  expectedVersion: number;
  /** Idempotency key: a router never applies two changes with the same key. */
  key: string;
  at: number;
  actor: string;
  steps: TransitionStep[];
  patch: RouterPatch;
  newCharge?: Charge;
  chargeUpdate?: ChargeUpdate;
  reversal?: Reversal;
}

/**
 * applied: committed now. duplicate: a change with this key was committed
 * before (nothing done). conflict: the router moved on since it was read
 * (nothing done; re-read and re-plan).
 */
export interface ChangeOutcome {
  status: "applied" | "duplicate" | "conflict";
  router: RentalRouter;
}

export const CONTRACT_EVENT_TYPES = ["activation", "exchange", "termination_request", "suspension", "reactivation"] as const;
export type ContractEventType = (typeof CONTRACT_EVENT_TYPES)[number];

export const EQUIPMENT_KINDS = ["rented", "customer_owned", "ont"] as const;
/** Only "rented" routers enter the lifecycle; customer-owned routers and ONTs never do. */
export type EquipmentKind = (typeof EQUIPMENT_KINDS)[number];

export interface ContractEvent {
  /** Idempotency key: the same event imported twice is applied once. */
  eventId: string;
  type: ContractEventType;
  lineId: string;
  subscriberId: string;
  /** Paris date: activation, exchange, request received, suspension or reactivation. */
  date: PlainDate;
  /** activation: the router; exchange: the old unit. */
  serial: string | null;
  /** exchange: the new unit. */
  newSerial: string | null;
  equipment: EquipmentKind;
}

export interface ContractEventRecord extends ContractEvent {
  receivedAt: number;
  actor: string;
  source: "api" | "csv";
  /** Routers the event moved, and a note when it moved none. */
  outcome: { routers: string[]; note: string | null };
}

export interface ExportBatchIntent {
  id: string;
  createdAt: number;
  actor: string;
}

export interface ExportItem {
  /** A charge id or a reversal id; claimed by one batch only. */
  itemId: string;
  kind: "charge" | "reversal";
  batchId: string;
}

export interface ExportBatch extends ExportBatchIntent {
  chargeIds: string[];
  reversalIds: string[];
  totalCents: number;
  csv: string;
  json: string;
}

export type ExportBatchSummary = Omit<ExportBatch, "csv" | "json">;

export interface RentalContact extends ContactEvidence {
  serial: string;
  deviceId: string;
}

export interface ReviewFlag {
  /** One flag per router and observed line. */
  id: string;
  serial: string;
  deviceId: string;
  kind: "online_on_other_line";
  routerState: RentalState;
  routerLineId: string | null;
  routerSubscriberId: string | null;
  observedLineId: string;
  observedSubscriberId: string | null;
  remoteAddress: string;
  at: number;
}

/** The line a source address was last seen on, learnt from active rented routers. */
export interface LineAddress {
  remoteAddress: string;
  lineId: string;
  subscriberId: string | null;
  serial: string;
  at: number;
}

export interface FlaggingRun {
  id: string;
  day: PlainDate;
  instance: string;
  startedAt: number;
  finishedAt: number | null;
  result: Record<string, number> | null;
}

export interface RouterQuery {
  state?: RentalState;
  lineId?: string;
  subscriberId?: string;
  /** Keyset paging: serials after this one. */
  after?: string;
  limit?: number;
}

export interface RentalRepository {
  // ---- inventory and lifecycle --------------------------------------------
  /** New routers in stock; a serial or MAC already there is reported (`reason`), never changed. */
  addRouters(routers: readonly NewRouter[], at: number, actor: string): Promise<AddRouterOutcome[]>;
  getRouter(serial: string): Promise<RentalRouter | null>;
  /** By serial. */
  listRouters(query: RouterQuery): Promise<RentalRouter[]>;
  countRoutersByState(): Promise<Partial<Record<RentalState, number>>>;
  /** Routers owed back (due_back or overdue) whose due date is before `today`, by serial. */
  owedRouters(today: PlainDate, after: string | null, limit: number): Promise<RentalRouter[]>;
  /** Oldest first. */
  history(serial: string): Promise<RentalTransition[]>;
  /** History of several routers, by serial then oldest first. */
  transitionsOf(serials: readonly string[]): Promise<RentalTransition[]>;
  /** Routers that already applied a change with this key. */
  serialsWithChangeKey(key: string): Promise<string[]>;
  /** Each change independently, in order; an illegal step throws before anything is written. */
  applyChanges(changes: readonly RouterChange[]): Promise<ChangeOutcome[]>;

  // ---- contract events ----------------------------------------------------
  /** false when an event with this id is already recorded. */
  recordContractEvent(event: ContractEventRecord): Promise<boolean>;
  getContractEvent(eventId: string): Promise<ContractEventRecord | null>;
  /** Newest first (received time, then the order they were recorded in). */
  listContractEvents(query: { lineId?: string; limit?: number }): Promise<ContractEventRecord[]>;

  // ---- charges, reversals, billing export ---------------------------------
  getCharge(id: string): Promise<Charge | null>;
  /** By id. */
  listCharges(query: { status?: ChargeStatus; serial?: string; after?: string; limit?: number }): Promise<Charge[]>;
  getReversal(id: string): Promise<Reversal | null>;
  listReversals(query: { chargeId?: string; limit?: number }): Promise<Reversal[]>;
  /** Flagged charges and reversals that no export batch has claimed, by id. */
  pendingExport(): Promise<{ charges: Charge[]; reversals: Reversal[] }>;
  /** false when an intent with this id exists. */
  openExportBatch(intent: ExportBatchIntent): Promise<boolean>;
  openExportBatches(): Promise<ExportBatchIntent[]>;
  closeExportBatch(id: string): Promise<void>;
  /** false when another batch claimed the item first. */
  claimExportItem(item: ExportItem): Promise<boolean>;
  exportItems(batchId: string): Promise<ExportItem[]>;
  exportItemOf(itemId: string): Promise<ExportItem | null>;
  /** false when the batch is sealed already (its content never changes). */
  sealExportBatch(batch: ExportBatch): Promise<boolean>;
  getExportBatch(id: string): Promise<ExportBatch | null>;
  /** Newest first. */
  listExportBatches(limit?: number): Promise<ExportBatchSummary[]>;
  markReversalExported(id: string, batchId: string): Promise<void>;

  // ---- ACS signals --------------------------------------------------------
  /** Aggregated per router, Paris day and source address. */
  recordContact(contact: { serial: string; deviceId: string; day: PlainDate; remoteAddress: string; at: number }): Promise<void>;
  /** Contacts on days after `afterDay` (all when null), by serial then time. */
  contactsOf(serials: readonly string[], afterDay: PlainDate | null): Promise<RentalContact[]>;
  /** false when this flag exists already. */
  addReviewFlag(flag: ReviewFlag): Promise<boolean>;
  /** Newest first. */
  listReviewFlags(query: { serial?: string; limit?: number }): Promise<ReviewFlag[]>;
  noteLineAddress(entry: LineAddress): Promise<void>;
  lineAtAddress(remoteAddress: string): Promise<LineAddress | null>;

  // ---- flagging runs ------------------------------------------------------
  startFlaggingRun(run: FlaggingRun): Promise<void>;
  finishFlaggingRun(id: string, finishedAt: number, result: Record<string, number>): Promise<void>;
  /** Newest first. */
  listFlaggingRuns(query: { day?: PlainDate; limit?: number }): Promise<FlaggingRun[]>;

  // ---- whole-store copy (rental-dump.ts) ----------------------------------
  /** Every record, one kind per batch, in RENTAL_DUMP_KINDS order. */
  dump(batchSize?: number): AsyncIterable<RentalDumpBatch>;
  /** Writes dumped records as they are; for an empty repository (copy.ts checks). */
  restore(batch: RentalDumpBatch): Promise<void>;
}

export class UnknownRouterError extends Error {
  override name = "UnknownRouterError";
  constructor(readonly serial: string) {
    super(`router ${serial} is not in the rented-router inventory`);
  }
}

/** Checks a change against the router it is applied to: each step legal and chained. */
export function checkChange(router: RentalRouter, change: RouterChange): void {
  if (change.steps.length === 0) throw new RangeError(`change ${change.key} of router ${change.serial} has no step`);
  let state = router.state;
  for (const step of change.steps) {
    if (step.from !== state) throw new RangeError(`change ${change.key}: step from "${String(step.from)}" but router ${router.serial} is "${state}"`);
    assertTransition(router.serial, state, step.to);
    state = step.to;
  }
}

/** The router once `change` is applied: shared by both stores so they agree. */
export function routerAfter(router: RentalRouter, change: RouterChange): RentalRouter {
  return {
    ...router,
    ...change.patch,
    state: change.steps[change.steps.length - 1]!.to,
    version: change.expectedVersion + 1,
    updatedAt: change.at,
  };
}

/** The history lines one change writes. */
export function transitionsOfChange(change: RouterChange, version: number): RentalTransition[] {
  return change.steps.map((s, step) => ({ ...s, serial: change.serial, version, step, at: change.at, actor: change.actor, key: change.key }));
}

/** A new router's first history line (version 1). */
export function creationChange(router: NewRouter, at: number, actor: string): RouterChange {
  return {
    serial: router.serial, expectedVersion: 0, key: "created", at, actor,
    steps: [{ from: null, to: "in_stock", reason: null, detail: { mac: router.mac, model: router.model } }],
    patch: {},
  };
}

export function newRouterRecord(router: NewRouter, at: number): RentalRouter {
  return {
    serial: router.serial, mac: router.mac, model: router.model, state: "in_stock", version: 1,
    lineId: null, subscriberId: null, dueDate: null, dueReason: null, chargeId: null, createdAt: at, updatedAt: at,
  };
}
