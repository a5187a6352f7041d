// Every record of the rented-router repository as stored (ids, versions,
// times, idempotency keys kept), for copying a whole store to another backend
// (acs/store/copy.ts). dump() yields batches of one kind at a time, in
// RENTAL_DUMP_KINDS order; restore() writes a batch into an empty repository
// as it is, without replaying lifecycle rules.

import type {
  Charge, ContractEventRecord, ExportBatch, ExportBatchIntent, ExportItem, FlaggingRun, LineAddress, RentalContact,
  RentalRouter, Reversal, ReviewFlag, RouterChange,
} from "./rental-repository.ts";

export interface RentalDumpItems {
  "rented routers": RentalRouter;
  /** A router's committed changes (its history); the version written is expectedVersion + 1. */
  "router changes": RouterChange;
  "contract events": ContractEventRecord;
  "rental charges": Charge;
  "rental reversals": Reversal;
  "export intents": ExportBatchIntent;
  "export items": ExportItem;
  "export batches": ExportBatch;
  "rental contacts": RentalContact;
  "review flags": ReviewFlag;
  "line addresses": LineAddress;
  "flagging runs": FlaggingRun;
}

export type RentalDumpKind = keyof RentalDumpItems;

export const RENTAL_DUMP_KINDS: readonly RentalDumpKind[] = [
  "rented routers", "router changes", "contract events", "rental charges", "rental reversals", "export intents",
  "export items", "export batches", "rental contacts", "review flags", "line addresses", "flagging runs",
];

export type RentalDumpBatch = { [K in RentalDumpKind]: { kind: K; items: RentalDumpItems[K][] } }[RentalDumpKind];
