// dump()/restore() of the MongoDB rented-router repository (acs/rentals/rental-dump.ts):
// each collection read in _id order (contract events in their recorded order),
// streamed a batch at a time, and inserted back with ordered insertMany (a
// duplicate _id stops the batch with the driver's error). Documents are shaped
// as rentals.ts and rentals-records.ts write them.

import type { Db, Document, Sort } from "mongodb";
import { RENTAL_DUMP_KINDS, type RentalDumpBatch, type RentalDumpItems, type RentalDumpKind } from "../../rentals/rental-dump.ts";
import type { RentalRouter, RouterChange } from "../../rentals/rental-repository.ts";
import { newId } from "./mongo-util.ts";

interface Collection<K extends RentalDumpKind> {
  name: string;
  sort: Sort;
  read(doc: Document): RentalDumpItems[K];
  write(item: RentalDumpItems[K]): Document;
}

/** The _id becomes `field`; JSON-text fields are parsed (read) or stringified (write). */
function renamed<K extends RentalDumpKind>(name: string, field: string, json: string[] = [], sort: Sort = { _id: 1 }): Collection<K> {
  return {
    name, sort,
    read: ({ _id, ...rest }) => {
      for (const f of json) if (rest[f] !== null) rest[f] = JSON.parse(rest[f] as string);
      return { [field]: _id, ...rest } as RentalDumpItems[K];
    },
    write: (item) => {
      const { [field]: _id, ...rest } = item as unknown as Record<string, unknown>;
      for (const f of json) if (rest[f] !== null) rest[f] = JSON.stringify(rest[f]);
      return { _id, ...rest };
    },
  };
}

const COLLECTIONS: { [K in RentalDumpKind]: Collection<K> } = {
  "rented routers": renamed("rental_routers", "serial"),
  "router changes": {
    name: "rental_changes", sort: { _id: 1 },
    read: (d) => JSON.parse(d.change as string) as RouterChange,
    write: (c) => ({ _id: `${c.serial}#${c.expectedVersion + 1}`, serial: c.serial, version: c.expectedVersion + 1, key: c.key, change: JSON.stringify(c) }),
  },
  "contract events": {
    // `order` is an insertion order only: new ids, given in the dumped order, keep it.
    name: "rental_events", sort: { receivedAt: 1, order: 1 },
    read: ({ _id, order: _order, ...rest }) => ({ eventId: _id, ...rest }) as RentalDumpItems["contract events"],
    write: ({ eventId, ...rest }) => ({ _id: eventId, ...rest, order: newId() }),
  },
  "rental charges": renamed("rental_charges", "id", ["evidence"]),
  "rental reversals": renamed("rental_reversals", "id", ["detail"]),
  "export intents": renamed("rental_export_intents", "id"),
  "export items": renamed("rental_export_items", "itemId"),
  "export batches": renamed("rental_export_batches", "id"),
  "rental contacts": {
    name: "rental_contacts", sort: { _id: 1 },
    read: ({ _id: _, ...rest }) => rest as RentalDumpItems["rental contacts"],
    write: (c) => ({ _id: `${c.serial}|${c.day}|${c.remoteAddress}`, ...c }),
  },
  "review flags": renamed("rental_reviews", "id"),
  "line addresses": renamed("rental_line_addresses", "remoteAddress"),
  "flagging runs": renamed("rental_flagging_runs", "id", ["result"]),
};

/** `current` completes a router's committed changes (rentals.ts), so a router is dumped as readers see it. */
export function mongoRentalDump(db: Db, current: (serial: string) => Promise<RentalRouter | null>) {
  async function* dumpKind<K extends RentalDumpKind>(kind: K, batchSize: number): AsyncIterable<RentalDumpBatch> {
    const c = COLLECTIONS[kind] as Collection<K>;
    let items: RentalDumpItems[K][] = [];
    const flush = async (): Promise<RentalDumpBatch> => {
      let out = items;
      items = [];
      if (kind === "rented routers") out = (await Promise.all((out as RentalRouter[]).map((r) => current(r.serial)))) as RentalDumpItems[K][];
      return { kind, items: out } as RentalDumpBatch;
    };
    for await (const doc of db.collection(c.name).find({}).sort(c.sort).batchSize(batchSize)) {
      items.push(c.read(doc));
      if (items.length === batchSize) yield await flush();
    }
    if (items.length > 0) yield await flush();
  }
  return {
    async *dump(batchSize = 500): AsyncIterable<RentalDumpBatch> {
      for (const kind of RENTAL_DUMP_KINDS) yield* dumpKind(kind, batchSize);
    },
    async restore(batch: RentalDumpBatch): Promise<void> {
      const c = COLLECTIONS[batch.kind] as Collection<RentalDumpKind>;
      if (batch.items.length > 0) await db.collection(c.name).insertMany(batch.items.map((i) => c.write(i)));
    },
  };
}
