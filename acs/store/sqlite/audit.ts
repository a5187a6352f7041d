// Audit trail. Contract decisions (checked by the contract suite): listAudit is
// newest first (timestamp, then insertion order); deviceId, actor and action
// match exactly; `since` is inclusive; no limit returns every match.

import type { AuditEvent } from "../store.ts";
import { newId } from "./ids.ts";
import { prepareCached, sqlLimit, type Db } from "./sql-util.ts";

interface AuditRow {
  id: string;
  timestamp: number;
  actor: string;
  action: string;
  device_id: string | null;
  detail: string;
}

type AuditFilter = { deviceId?: string; actor?: string; action?: string; since?: number; limit?: number };

const COLUMNS = "id, timestamp, actor, action, device_id, detail";

export class AuditTable {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare<unknown[], unknown>(`INSERT INTO audit (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
  }

  add(event: Omit<AuditEvent, "id">): void {
    this.insert.run(newId(), event.timestamp, event.actor, event.action, event.deviceId, JSON.stringify(event.detail));
  }

  list(filter: AuditFilter): AuditEvent[] {
    const terms: string[] = [];
    const args: unknown[] = [];
    if (filter.deviceId !== undefined) terms.push("device_id = ?"), args.push(filter.deviceId);
    if (filter.actor !== undefined) terms.push("actor = ?"), args.push(filter.actor);
    if (filter.action !== undefined) terms.push("action = ?"), args.push(filter.action);
    if (filter.since !== undefined) terms.push("timestamp >= ?"), args.push(filter.since);
    const sql = `SELECT ${COLUMNS} FROM audit${terms.length ? ` WHERE ${terms.join(" AND ")}` : ""}
      ORDER BY timestamp DESC, seq DESC LIMIT ?`;
    return (prepareCached(this.db, sql).all(...args, sqlLimit(filter.limit)) as AuditRow[]).map((row) => ({
      id: row.id,
      timestamp: row.timestamp,
      actor: row.actor,
      action: row.action,
      deviceId: row.device_id,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
    }));
  }
}
