// Faults, audit trail and API tokens. Contract decisions
// (test/contract/store-contract-records.ts): listFaults and listAudit are newest
// first (timestamp, then id = insertion order) with `since` inclusive and exact
// matches on the other filters; addToken rejects a name (or hash) in use;
// listTokens is sorted by name.

import type { Collection, Db, Filter } from "mongodb";
import type { ApiToken, AuditEvent, FaultRecord } from "../store.ts";
import { isDuplicateKey, limited, newId } from "./mongo-util.ts";
import { fromJson, toJson } from "../store-values.ts";

type FaultDoc = Omit<FaultRecord, "id" | "detail" | "rpc"> & { _id: string; detail: string | null; rpc: string | null };
type AuditDoc = Omit<AuditEvent, "id" | "detail"> & { _id: string; detail: string };
type TokenDoc = Omit<ApiToken, "name"> & { _id: string };

const NEWEST_FIRST = { timestamp: -1, _id: -1 } as const;

function docToFault(doc: FaultDoc): FaultRecord {
  return {
    id: doc._id,
    deviceId: doc.deviceId,
    channel: doc.channel,
    code: doc.code,
    message: doc.message,
    detail: fromJson(doc.detail),
    rpc: fromJson(doc.rpc),
    retries: doc.retries,
    timestamp: doc.timestamp,
  };
}

function docToAudit(doc: AuditDoc): AuditEvent {
  return {
    id: doc._id,
    timestamp: doc.timestamp,
    actor: doc.actor,
    action: doc.action,
    deviceId: doc.deviceId,
    detail: fromJson(doc.detail) as Record<string, unknown>,
  };
}

function docToToken(doc: TokenDoc): ApiToken {
  return { name: doc._id, role: doc.role, hash: doc.hash, createdAt: doc.createdAt };
}

export class FaultCollection {
  private readonly faults: Collection<FaultDoc>;

  constructor(db: Db) {
    this.faults = db.collection<FaultDoc>("faults");
  }

  async add(fault: Omit<FaultRecord, "id">): Promise<FaultRecord> {
    const doc: FaultDoc = {
      _id: newId(),
      deviceId: fault.deviceId,
      channel: fault.channel,
      code: fault.code,
      message: fault.message,
      detail: toJson(fault.detail),
      rpc: toJson(fault.rpc),
      retries: fault.retries,
      timestamp: fault.timestamp,
    };
    await this.faults.insertOne(doc);
    return docToFault(doc);
  }

  async list(filter: { deviceId?: string; since?: number; limit?: number }): Promise<FaultRecord[]> {
    const query: Filter<FaultDoc> = {};
    if (filter.deviceId !== undefined) query.deviceId = filter.deviceId;
    if (filter.since !== undefined) query.timestamp = { $gte: filter.since };
    const docs = await limited(filter.limit, (limit) => this.faults.find(query).sort(NEWEST_FIRST).limit(limit).toArray());
    return docs.map(docToFault);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.faults.deleteOne({ _id: id })).deletedCount > 0;
  }
}

export class AuditCollection {
  private readonly audit: Collection<AuditDoc>;

  constructor(db: Db) {
    this.audit = db.collection<AuditDoc>("audit");
  }

  async add(event: Omit<AuditEvent, "id">): Promise<void> {
    const { detail, ...fields } = event;
    await this.audit.insertOne({ _id: newId(), ...fields, detail: JSON.stringify(detail) });
  }

  async list(filter: { deviceId?: string; actor?: string; action?: string; since?: number; limit?: number }): Promise<AuditEvent[]> {
    const query: Filter<AuditDoc> = {};
    if (filter.deviceId !== undefined) query.deviceId = filter.deviceId;
    if (filter.actor !== undefined) query.actor = filter.actor;
    if (filter.action !== undefined) query.action = filter.action;
    if (filter.since !== undefined) query.timestamp = { $gte: filter.since };
    const docs = await limited(filter.limit, (limit) => this.audit.find(query).sort(NEWEST_FIRST).limit(limit).toArray());
    return docs.map(docToAudit);
  }
}

export class TokenCollection {
  private readonly tokens: Collection<TokenDoc>;

  constructor(db: Db) {
    this.tokens = db.collection<TokenDoc>("tokens");
  }

  async add(token: ApiToken): Promise<void> {
    try {
      await this.tokens.insertOne({ _id: token.name, role: token.role, hash: token.hash, createdAt: token.createdAt });
    } catch (err) {
      if (isDuplicateKey(err)) throw new Error(`API token "${token.name}" already exists (or its hash is in use)`, { cause: err });
      throw err;
    }
  }

  async findByHash(hash: string): Promise<ApiToken | null> {
    const doc = await this.tokens.findOne({ hash });
    return doc ? docToToken(doc) : null;
  }

  async list(): Promise<ApiToken[]> {
    return (await this.tokens.find().sort({ _id: 1 }).toArray()).map(docToToken);
  }

  async delete(name: string): Promise<boolean> {
    return (await this.tokens.deleteOne({ _id: name })).deletedCount > 0;
  }
}
