// Fault records. Contract decisions (checked by the contract suite): listFaults
// is newest first (timestamp, then insertion order), `since` is inclusive, no
// limit returns every match.

import type { FaultRecord } from "../store.ts";
import { newId } from "./ids.ts";
import { prepareCached, sqlLimit, type Db } from "./sql-util.ts";
import { fromJson, toJson } from "../store-values.ts";

interface FaultRow {
  id: string;
  device_id: string;
  channel: string;
  code: string;
  message: string;
  detail: string | null;
  rpc: string | null;
  retries: number;
  timestamp: number;
}

const COLUMNS = "id, device_id, channel, code, message, detail, rpc, retries, timestamp";

function rowToFault(row: FaultRow): FaultRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    channel: row.channel,
    code: row.code,
    message: row.message,
    detail: fromJson(row.detail),
    rpc: fromJson(row.rpc),
    retries: row.retries,
    timestamp: row.timestamp,
  };
}

export class FaultTable {
  private readonly insert;
  private readonly deleteRow;

  constructor(private readonly db: Db) {
    this.insert = db.prepare<unknown[], unknown>(`INSERT INTO faults (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.deleteRow = db.prepare<[string], unknown>("DELETE FROM faults WHERE id = ?");
  }

  add(fault: Omit<FaultRecord, "id">): FaultRecord {
    const detail = toJson(fault.detail);
    const rpc = toJson(fault.rpc);
    const record: FaultRecord = { ...fault, id: newId(), detail: fromJson(detail), rpc: fromJson(rpc) };
    this.insert.run(record.id, fault.deviceId, fault.channel, fault.code, fault.message, detail, rpc, fault.retries, fault.timestamp);
    return record;
  }

  list(filter: { deviceId?: string; since?: number; limit?: number }): FaultRecord[] {
    const terms: string[] = [];
    const args: unknown[] = [];
    if (filter.deviceId !== undefined) terms.push("device_id = ?"), args.push(filter.deviceId);
    if (filter.since !== undefined) terms.push("timestamp >= ?"), args.push(filter.since);
    const sql = `SELECT ${COLUMNS} FROM faults${terms.length ? ` WHERE ${terms.join(" AND ")}` : ""}
      ORDER BY timestamp DESC, seq DESC LIMIT ?`;
    return (prepareCached(this.db, sql).all(...args, sqlLimit(filter.limit)) as FaultRow[]).map(rowToFault);
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }
}
