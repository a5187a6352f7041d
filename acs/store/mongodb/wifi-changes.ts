// Wi-Fi change records on MongoDB (FerretDB 1.24 subset): the record as JSON
// text (its field names hold "2.4GHz", a dot FerretDB refuses in keys) beside
// the fields queries use. Contract: acs/wifi/change-repository.ts, checked by
// test/contract/wifi-changes-contract.ts.

import type { Db } from "mongodb";
import type { WifiChangeRepository } from "../../wifi/change-repository.ts";
import { isOpen, type WifiChange } from "../../wifi/wifi-change.ts";
import { ensureMissingIndexes, indexOf } from "./mongo-util.ts";

interface ChangeDoc {
  _id: string;
  lineId: string;
  createdAt: number;
  open: boolean;
  doc: string;
}

export async function createMongoWifiChangeRepository(db: Db): Promise<WifiChangeRepository> {
  await ensureMissingIndexes(db, { wifi_changes: [indexOf({ lineId: 1, createdAt: -1, _id: -1 }), indexOf({ open: 1, createdAt: 1, _id: 1 })] });
  const changes = db.collection<ChangeDoc>("wifi_changes");
  const parse = (d: ChangeDoc): WifiChange => JSON.parse(d.doc) as WifiChange;
  return {
    async put(c) {
      await changes.replaceOne({ _id: c.id }, { lineId: c.lineId, createdAt: c.createdAt, open: isOpen(c), doc: JSON.stringify(c) }, { upsert: true });
    },
    async get(id) {
      const d = await changes.findOne({ _id: id });
      return d ? parse(d) : null;
    },
    async listByLine(lineId, limit) {
      if (limit <= 0) return [];
      return (await changes.find({ lineId }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray()).map(parse);
    },
    async listOpen() {
      return (await changes.find({ open: true }).sort({ createdAt: 1, _id: 1 }).toArray()).map(parse);
    },
    async *dump(batchSize = 500) {
      const batch: WifiChange[] = [];
      for await (const d of changes.find().sort({ createdAt: 1, _id: 1 })) {
        batch.push(parse(d));
        if (batch.length === batchSize) yield batch.splice(0);
      }
      if (batch.length > 0) yield batch;
    },
  };
}
