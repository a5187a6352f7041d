// Devices table: identity, summary columns, tags, credentials and the
// DeviceQuery listing. Contract decisions this file implements (the contract
// suite in test/contract/store-contract.ts checks them):
// - upsertDevice on an existing device applies `update` and refreshes the
//   identity columns (the device reports them at every Inform; last one wins).
// - updateDevice/setCredentials on an unknown device do nothing (a device may be
//   deleted while its session runs; recreating a partial record would be worse).
// - deleteDevice also removes its credentials, parameters, tags, tasks and
//   faults (a device registering again must not receive stale tasks); audit stays.
// - getCredentials: null for an unknown device, all-null fields when none were set.
// - DeviceQuery: `search` is a case-insensitive (ASCII) substring match where
//   "%" and "_" are literal; lastInformAfter is inclusive, lastInformBefore
//   exclusive, and both exclude never-informed devices; sort ties are broken by
//   id in the same direction; null lastInformAt sorts first ascending, last
//   descending; no limit returns every match.

import type { Device, DeviceCredentials, DeviceIdentity, DeviceQuery, DeviceUpdate } from "../store.ts";
import { prepareCached, sqlLimit, transactions, type Db, type Transactions } from "./sql-util.ts";
import { checkCount } from "../store-values.ts";
import { deviceDefaults } from "../device-defaults.ts";
import { BoundedCache, StringPool } from "./read-cache.ts";

interface DeviceRow {
  rid: number;
  id: string;
  manufacturer: string;
  oui: string;
  product_class: string;
  serial_number: string;
  software_version: string;
  hardware_version: string;
  data_model: Device["dataModel"];
  registered_at: number;
  last_inform_at: number | null;
  last_boot_at: number | null;
  last_remote_address: string | null;
  connection_request_url: string | null;
  udp_connection_request_address: string | null;
  last_events: string;
  periodic_inform_interval: number | null;
  tags: string;
}

type Column = Exclude<keyof DeviceRow, "rid" | "id">;

const IDENTITY_COLUMNS = {
  manufacturer: "manufacturer",
  oui: "oui",
  productClass: "product_class",
  serialNumber: "serial_number",
} as const satisfies Record<Exclude<keyof DeviceIdentity, "id">, Column>;

const UPDATE_COLUMNS = {
  softwareVersion: "software_version",
  hardwareVersion: "hardware_version",
  dataModel: "data_model",
  registeredAt: "registered_at",
  lastInformAt: "last_inform_at",
  lastBootAt: "last_boot_at",
  lastRemoteAddress: "last_remote_address",
  connectionRequestUrl: "connection_request_url",
  udpConnectionRequestAddress: "udp_connection_request_address",
  lastEvents: "last_events",
  periodicInformInterval: "periodic_inform_interval",
  tags: "tags",
} as const satisfies Record<keyof DeviceUpdate, Column>;

const SORT_COLUMNS = {
  id: "id",
  lastInformAt: "last_inform_at",
  productClass: "product_class",
  softwareVersion: "software_version",
} as const satisfies Record<NonNullable<DeviceQuery["sort"]>, string>;

const CREDENTIAL_COLUMNS = {
  cpeUsername: "cpe_username",
  cpeHa1: "cpe_ha1",
  connectionRequestUsername: "connection_request_username",
  connectionRequestPassword: "connection_request_password",
} as const satisfies Record<keyof DeviceCredentials, string>;

const ALL_COLUMNS = ["id", ...Object.values(IDENTITY_COLUMNS), ...Object.values(UPDATE_COLUMNS)];
const SELECT_DEVICE = `SELECT rid, ${ALL_COLUMNS.join(", ")} FROM devices`;

/** Columns most devices share a value of (models, versions, events, tags): one copy in the row cache (~0.5 → ~0.4 KB per device). */
const SHARED_COLUMNS = new Set<Column>(["manufacturer", "oui", "product_class", "software_version", "hardware_version", "data_model", "last_events", "tags"]);
const strings = new StringPool();

function cachedRow(row: DeviceRow): Readonly<DeviceRow> {
  for (const column of SHARED_COLUMNS) (row as unknown as Record<Column, string>)[column] = strings.intern(row[column] as string);
  return Object.freeze(row);
}

function rowToDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    manufacturer: row.manufacturer,
    oui: row.oui,
    productClass: row.product_class,
    serialNumber: row.serial_number,
    softwareVersion: row.software_version,
    hardwareVersion: row.hardware_version,
    dataModel: row.data_model,
    registeredAt: row.registered_at,
    lastInformAt: row.last_inform_at,
    lastBootAt: row.last_boot_at,
    lastRemoteAddress: row.last_remote_address,
    connectionRequestUrl: row.connection_request_url,
    udpConnectionRequestAddress: row.udp_connection_request_address,
    lastEvents: JSON.parse(row.last_events) as string[],
    periodicInformInterval: row.periodic_inform_interval,
    tags: JSON.parse(row.tags) as string[],
  };
}

interface CredentialsRow {
  rid: number;
  cpe_username: string | null;
  cpe_ha1: string | null;
  connection_request_username: string | null;
  connection_request_password: string | null;
}

/** Columns are NULL both when cleared and when the device never had credentials (LEFT JOIN). */
function rowToCredentials(row: CredentialsRow): DeviceCredentials {
  return {
    cpeUsername: row.cpe_username,
    cpeHa1: row.cpe_ha1,
    connectionRequestUsername: row.connection_request_username,
    connectionRequestPassword: row.connection_request_password,
  };
}

/** Column value as stored: lists as JSON text, tags without duplicates. */
function encode(key: keyof DeviceUpdate, value: unknown): unknown {
  if (key === "tags") return JSON.stringify([...new Set(value as string[])]);
  if (key === "lastEvents") return JSON.stringify(value);
  return value;
}

const LIKE_ESCAPES = /[\\%_]/g;

function where(query: Omit<DeviceQuery, "sort" | "order" | "offset" | "limit">): { sql: string; args: unknown[] } {
  const terms: string[] = [];
  const args: unknown[] = [];
  if (query.id !== undefined) terms.push("d.id = ?"), args.push(query.id);
  if (query.search !== undefined && query.search !== "") {
    const pattern = `%${query.search.replace(LIKE_ESCAPES, "\\$&")}%`;
    terms.push("(d.id LIKE ? ESCAPE '\\' OR d.serial_number LIKE ? ESCAPE '\\' OR d.product_class LIKE ? ESCAPE '\\')");
    args.push(pattern, pattern, pattern);
  }
  if (query.productClass !== undefined) terms.push("d.product_class = ?"), args.push(query.productClass);
  if (query.softwareVersion !== undefined) terms.push("d.software_version = ?"), args.push(query.softwareVersion);
  if (query.lastInformAfter !== undefined) terms.push("d.last_inform_at >= ?"), args.push(query.lastInformAfter);
  if (query.lastInformBefore !== undefined) terms.push("d.last_inform_at < ?"), args.push(query.lastInformBefore);
  if (query.tag !== undefined) {
    terms.push("d.rid IN (SELECT device_rid FROM device_tags WHERE tag = ?)");
    args.push(query.tag);
  }
  return { sql: terms.length ? ` WHERE ${terms.join(" AND ")}` : "", args };
}

export class DeviceTable {
  private readonly byId;
  private readonly ridById;
  private readonly insert;
  private readonly insertTag;
  private readonly deleteTags;
  private readonly deleteRow;
  private readonly deleteTasks;
  private readonly deleteFaults;
  private readonly credentials;
  private readonly putCredentials;
  private readonly tx: Transactions;
  /** Credentials of known devices, read at every CWMP session's authentication (see read-cache.ts); dropped on every write. */
  private readonly credentialsCache = new BoundedCache<string, Readonly<DeviceCredentials>>();
  /**
   * Rows of known devices as last written through this table, so that the
   * upsert of every Inform and the device-key lookups of the parameter table
   * read no row (see read-cache.ts for why this is coherent). Set after each
   * successful write, dropped on delete, and dropped whole when a group commit
   * rolls back (dropCachedRows). Measured on 10,000 devices, store CPU per
   * periodic session's calls: 82 µs without it, 63 µs with it; ~0.4 KB of heap per device.
   */
  private readonly rowCache = new BoundedCache<string, Readonly<DeviceRow>>();

  constructor(private readonly db: Db) {
    this.tx = transactions(db);
    this.byId = db.prepare<[string], DeviceRow>(`${SELECT_DEVICE} WHERE id = ?`);
    this.ridById = db.prepare<[string], number>("SELECT rid FROM devices WHERE id = ?").pluck();
    this.insert = db.prepare<unknown[], unknown>(
      `INSERT INTO devices (${ALL_COLUMNS.join(", ")}) VALUES (${ALL_COLUMNS.map(() => "?").join(", ")})`,
    );
    this.insertTag = db.prepare<[string, number], unknown>("INSERT OR IGNORE INTO device_tags (tag, device_rid) VALUES (?, ?)");
    this.deleteTags = db.prepare<[number], unknown>("DELETE FROM device_tags WHERE device_rid = ?");
    this.deleteRow = db.prepare<[number], unknown>("DELETE FROM devices WHERE rid = ?");
    this.deleteTasks = db.prepare<[string], unknown>("DELETE FROM tasks WHERE device_id = ?");
    this.deleteFaults = db.prepare<[string], unknown>("DELETE FROM faults WHERE device_id = ?");
    this.credentials = db.prepare<[string], CredentialsRow>(
      `SELECT d.rid, ${Object.values(CREDENTIAL_COLUMNS).map((c) => `c.${c}`).join(", ")}
       FROM devices d LEFT JOIN device_credentials c ON c.device_rid = d.rid WHERE d.id = ?`,
    );
    this.putCredentials = db.prepare<unknown[], unknown>(
      `INSERT OR REPLACE INTO device_credentials (device_rid, ${Object.values(CREDENTIAL_COLUMNS).join(", ")}) VALUES (?, ?, ?, ?, ?)`,
    );
  }

  /** Integer key of a device, or undefined; used by the tables keyed by it. */
  rid(id: string): number | undefined {
    return this.rowCache.get(id)?.rid ?? this.ridById.get(id);
  }

  get(id: string): Device | null {
    const row = this.row(id);
    return row ? rowToDevice(row) : null;
  }

  /** A group transaction rolled back after rows were cached from its writes. */
  dropCachedRows(): void {
    this.rowCache.clear();
  }

  private row(id: string): Readonly<DeviceRow> | undefined {
    const cached = this.rowCache.get(id);
    if (cached) return cached;
    const row = this.byId.get(id);
    if (!row) return undefined;
    const shared = cachedRow(row);
    this.rowCache.set(id, shared);
    return shared;
  }

  upsert(identity: DeviceIdentity, update: DeviceUpdate): Device {
    return this.tx.write((): Device => {
      const row = this.row(identity.id);
      if (!row) return this.create(identity, update);
      return rowToDevice(this.apply(row, this.upsertChanges(row, identity, update)));
    });
  }

  private upsertChanges(row: Readonly<DeviceRow>, identity: DeviceIdentity, update: DeviceUpdate): Map<Column, unknown> {
    const changes = new Map<Column, unknown>();
    for (const [key, column] of Object.entries(IDENTITY_COLUMNS) as [keyof typeof IDENTITY_COLUMNS, Column][]) {
      if (identity[key] !== row[column]) changes.set(column, identity[key]);
    }
    this.collectChanges(row, update, changes);
    return changes;
  }

  update(id: string, update: DeviceUpdate): void {
    this.tx.write(() => {
      const row = this.row(id);
      if (!row) return;
      const changes = new Map<Column, unknown>();
      this.collectChanges(row, update, changes);
      this.apply(row, changes);
    });
  }

  delete(id: string): boolean {
    this.credentialsCache.delete(id);
    this.rowCache.delete(id);
    return this.tx.write((): boolean => {
      const rid = this.ridById.get(id);
      if (rid === undefined) return false;
      this.deleteTasks.run(id);
      this.deleteFaults.run(id);
      this.deleteRow.run(rid); // credentials, params and tags follow by ON DELETE CASCADE
      return true;
    });
  }

  list(query: DeviceQuery): { total: number; items: Device[] } {
    const sort = query.sort ?? "id";
    const order = query.order ?? "asc";
    if (!Object.hasOwn(SORT_COLUMNS, sort)) throw new RangeError(`unknown device sort field: ${String(sort)}`);
    if (order !== "asc" && order !== "desc") throw new RangeError(`device sort order must be asc or desc, got ${String(order)}`);
    checkCount("offset", query.offset);
    const filter = where(query);
    const column = SORT_COLUMNS[sort];
    const orderBy = column === "id" ? `d.id ${order}` : `d.${column} ${order}, d.id ${order}`;
    const select = prepareCached(this.db, `${SELECT_DEVICE} d${filter.sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`);
    const count = prepareCached(this.db, `SELECT count(*) FROM devices d${filter.sql}`).pluck();
    // One read transaction: total and page come from the same snapshot.
    return this.tx.read(() => {
      const rows = select.all(...filter.args, sqlLimit(query.limit), query.offset ?? 0) as DeviceRow[];
      return { total: count.get(...filter.args) as number, items: rows.map(rowToDevice) };
    });
  }

  count(query: Omit<DeviceQuery, "sort" | "order" | "offset" | "limit">): number {
    const filter = where(query);
    return prepareCached(this.db, `SELECT count(*) FROM devices d${filter.sql}`).pluck().get(...filter.args) as number;
  }

  getCredentials(id: string): Readonly<DeviceCredentials> | null {
    const cached = this.credentialsCache.get(id);
    if (cached) return cached;
    const row = this.credentials.get(id);
    if (!row) return null; // not cached: the device may register
    const creds = Object.freeze(rowToCredentials(row));
    this.credentialsCache.set(id, creds);
    return creds;
  }

  setCredentials(id: string, creds: Partial<DeviceCredentials>): void {
    // Dropped, not updated: the next read sees what is written, committed or not on this one connection.
    this.credentialsCache.delete(id);
    this.tx.write(() => {
      const row = this.credentials.get(id);
      if (!row) return;
      const merged = rowToCredentials(row);
      for (const key of Object.keys(CREDENTIAL_COLUMNS) as (keyof DeviceCredentials)[]) {
        if (creds[key] !== undefined) merged[key] = creds[key];
      }
      this.putCredentials.run(
        row.rid,
        merged.cpeUsername,
        merged.cpeHa1,
        merged.connectionRequestUsername,
        merged.connectionRequestPassword,
      );
    });
  }

  private create(identity: DeviceIdentity, update: DeviceUpdate): Device {
    const device: Device = { ...identity, ...deviceDefaults() };
    for (const key of Object.keys(UPDATE_COLUMNS) as (keyof DeviceUpdate)[]) {
      if (update[key] !== undefined) (device as unknown as Record<string, unknown>)[key] = update[key];
    }
    device.tags = [...new Set(device.tags)];
    const values = [
      device.id,
      ...(Object.keys(IDENTITY_COLUMNS) as (keyof typeof IDENTITY_COLUMNS)[]).map((key) => device[key]),
      ...(Object.keys(UPDATE_COLUMNS) as (keyof DeviceUpdate)[]).map((key) => encode(key, device[key])),
    ];
    const newRid = Number(this.insert.run(...values).lastInsertRowid);
    for (const tag of device.tags) this.insertTag.run(tag, newRid);
    return device;
  }

  private collectChanges(row: DeviceRow, update: DeviceUpdate, changes: Map<Column, unknown>): void {
    for (const [key, column] of Object.entries(UPDATE_COLUMNS) as [keyof DeviceUpdate, Column][]) {
      const value = update[key];
      if (value === undefined) continue;
      const stored = encode(key, value);
      if (stored !== row[column]) changes.set(column, stored);
    }
  }

  /** One UPDATE of the changed columns only; nothing is written when nothing changed. Returns the row as stored. */
  private apply(row: Readonly<DeviceRow>, changes: Map<Column, unknown>): Readonly<DeviceRow> {
    if (changes.size === 0) return row;
    const columns = [...changes.keys()];
    prepareCached(this.db, `UPDATE devices SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE rid = ?`).run(
      ...changes.values(),
      row.rid,
    );
    if (changes.has("tags")) {
      this.deleteTags.run(row.rid);
      for (const tag of JSON.parse(changes.get("tags") as string) as string[]) this.insertTag.run(tag, row.rid);
    }
    const written = { ...row, ...Object.fromEntries(changes) } as DeviceRow;
    for (const column of changes.keys()) {
      if (SHARED_COLUMNS.has(column)) (written as unknown as Record<Column, string>)[column] = strings.intern(written[column] as string);
    }
    Object.freeze(written);
    this.rowCache.set(row.id, written);
    return written;
  }
}
