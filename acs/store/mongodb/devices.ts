// Devices collection: one document per device (identity, summary fields, tags
// and the parameter tree under `p`, see param-tree.ts), plus the credentials
// collection. Contract decisions (test/contract/store-contract-devices.ts), as
// in the SQLite store: upsert refreshes identity fields; updates and
// credentials of an unknown device do nothing; deleteDevice also removes the
// device's credentials, tasks and faults, not its audit; `search` is an ASCII
// case-insensitive substring of id, serial or product class; lastInformAfter is
// inclusive, lastInformBefore exclusive, both skip never-informed devices; sort
// ties are broken by id in the same direction; null lastInformAt sorts first
// ascending (BSON orders null before numbers).

import type { Collection, Db, Filter, Sort } from "mongodb";
import type { Device, DeviceCredentials, DeviceIdentity, DeviceQuery, DeviceUpdate, ParamRecord } from "../store.ts";
import { isDuplicateKey, limited } from "./mongo-util.ts";
import { checkCount } from "../store-values.ts";
import { projectionFor, readTree, TREE_FIELD, treeUpdate, type TreeNode } from "./param-tree.ts";
import { deviceDefaults } from "../device-defaults.ts";

type DeviceDoc = Omit<Device, "id"> & { _id: string; [TREE_FIELD]?: TreeNode };
type CredentialsDoc = Partial<DeviceCredentials> & { _id: string };
type DeviceFilter = Omit<DeviceQuery, "sort" | "order" | "offset" | "limit">;

/** Device reads never load the parameter tree. */
const WITHOUT_TREE = { [TREE_FIELD]: 0 } as const;

const UPDATE_FIELDS = [
  "softwareVersion",
  "hardwareVersion",
  "dataModel",
  "registeredAt",
  "lastInformAt",
  "lastBootAt",
  "lastRemoteAddress",
  "connectionRequestUrl",
  "udpConnectionRequestAddress",
  "lastEvents",
  "periodicInformInterval",
  "tags",
] as const satisfies readonly (keyof DeviceUpdate)[];

const CREDENTIAL_FIELDS = ["cpeUsername", "cpeHa1", "connectionRequestUsername", "connectionRequestPassword"] as const satisfies readonly (keyof DeviceCredentials)[];

const SORT_FIELDS = {
  id: "_id",
  lastInformAt: "lastInformAt",
  productClass: "productClass",
  softwareVersion: "softwareVersion",
} as const satisfies Record<NonNullable<DeviceQuery["sort"]>, string>;


function docToDevice(doc: DeviceDoc): Device {
  return {
    id: doc._id,
    manufacturer: doc.manufacturer,
    oui: doc.oui,
    productClass: doc.productClass,
    serialNumber: doc.serialNumber,
    softwareVersion: doc.softwareVersion,
    hardwareVersion: doc.hardwareVersion,
    dataModel: doc.dataModel,
    registeredAt: doc.registeredAt,
    lastInformAt: doc.lastInformAt,
    lastBootAt: doc.lastBootAt,
    lastRemoteAddress: doc.lastRemoteAddress,
    connectionRequestUrl: doc.connectionRequestUrl,
    udpConnectionRequestAddress: doc.udpConnectionRequestAddress,
    lastEvents: doc.lastEvents,
    periodicInformInterval: doc.periodicInformInterval,
    tags: doc.tags,
  };
}

/** The given fields of an update, tags without duplicates. */
function updateFields(update: DeviceUpdate): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of UPDATE_FIELDS) {
    if (update[key] !== undefined) fields[key] = key === "tags" ? [...new Set(update.tags)] : update[key];
  }
  return fields;
}

/**
 * Regex source matching `text` literally, ASCII letters in either case: the
 * same meaning as the SQLite store's LIKE, without relying on the "i" option
 * (Unicode-aware in FerretDB's Go regexp, ASCII-only in SQLite).
 */
function asciiCaseInsensitive(text: string): string {
  return text.replace(/[a-zA-Z]|[.*+?^${}()|[\]\\]/g, (ch) =>
    /[a-zA-Z]/.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : `\\${ch}`,
  );
}

function deviceFilter(query: DeviceFilter): Filter<DeviceDoc> {
  const filter: Filter<DeviceDoc> = {};
  if (query.id !== undefined) filter._id = query.id;
  if (query.search !== undefined && query.search !== "") {
    // An unanchored regex uses no index: a scan of the devices, as LIKE '%x%' in SQLite.
    const $regex = asciiCaseInsensitive(query.search);
    filter.$or = [{ _id: { $regex } }, { serialNumber: { $regex } }, { productClass: { $regex } }];
  }
  if (query.productClass !== undefined) filter.productClass = query.productClass;
  if (query.softwareVersion !== undefined) filter.softwareVersion = query.softwareVersion;
  if (query.lastInformAfter !== undefined || query.lastInformBefore !== undefined) {
    // Range operators never match null (BSON type bracketing): never-informed devices are out.
    filter.lastInformAt = {
      ...(query.lastInformAfter !== undefined && { $gte: query.lastInformAfter }),
      ...(query.lastInformBefore !== undefined && { $lt: query.lastInformBefore }),
    };
  }
  if (query.tag !== undefined) filter.tags = query.tag;
  return filter;
}

export class DeviceCollection {
  private readonly devices: Collection<DeviceDoc>;
  private readonly credentials: Collection<CredentialsDoc>;

  constructor(db: Db) {
    this.devices = db.collection<DeviceDoc>("devices");
    this.credentials = db.collection<CredentialsDoc>("credentials");
  }

  async get(id: string): Promise<Device | null> {
    const doc = await this.devices.findOne({ _id: id }, { projection: WITHOUT_TREE });
    return doc ? docToDevice(doc) : null;
  }

  async upsert(identity: DeviceIdentity, update: DeviceUpdate): Promise<Device> {
    const { id, ...identityFields } = identity;
    const $set = { ...identityFields, ...updateFields(update) };
    // Update, else insert; not one upsert with $setOnInsert: FerretDB 1.24 drops
    // the null and [] values of a $setOnInsert (lastBootAt, tags...).
    const { matchedCount } = await this.devices.updateOne({ _id: id }, { $set });
    if (matchedCount === 0) {
      try {
        await this.devices.insertOne({ _id: id, ...deviceDefaults(), ...$set } as DeviceDoc);
      } catch (err) {
        // Two first Informs raced: the loser applies its update to the winner's document.
        if (!isDuplicateKey(err)) throw err;
        await this.devices.updateOne({ _id: id }, { $set });
      }
    }
    // A second read, because FerretDB 1.24's findAndModify has no projection and
    // the whole parameter tree would come back with the device.
    const device = await this.get(id);
    if (!device) throw new Error(`device ${id} was deleted while being registered`);
    return device;
  }

  async update(id: string, update: DeviceUpdate): Promise<void> {
    const $set = updateFields(update);
    if (Object.keys($set).length > 0) await this.devices.updateOne({ _id: id }, { $set });
  }

  /**
   * Neither MongoDB without a replica set nor FerretDB 1.24 has multi-document
   * transactions: the device goes first (it decides the answer), then what
   * hangs off it. A crash in between leaves its credentials, tasks and faults
   * behind, and a device registering again with that id would find them.
   */
  async delete(id: string): Promise<boolean> {
    const { deletedCount } = await this.devices.deleteOne({ _id: id });
    if (deletedCount === 0) return false;
    await Promise.all([
      this.credentials.deleteOne({ _id: id }),
      this.devices.db.collection("tasks").deleteMany({ deviceId: id }),
      this.devices.db.collection("faults").deleteMany({ deviceId: id }),
    ]);
    return true;
  }

  async list(query: DeviceQuery): Promise<{ total: number; items: Device[] }> {
    const sort = query.sort ?? "id";
    const order = query.order ?? "asc";
    if (!Object.hasOwn(SORT_FIELDS, sort)) throw new RangeError(`unknown device sort field: ${String(sort)}`);
    if (order !== "asc" && order !== "desc") throw new RangeError(`device sort order must be asc or desc, got ${String(order)}`);
    checkCount("offset", query.offset);
    const filter = deviceFilter(query);
    const direction = order === "asc" ? 1 : -1;
    const field = SORT_FIELDS[sort];
    const sortSpec: Sort = field === "_id" ? { _id: direction } : { [field]: direction, _id: direction };
    // Two reads without a shared snapshot (no transactions): the total may lag the page by a write.
    const [total, docs] = await Promise.all([
      this.devices.countDocuments(filter),
      limited(query.limit, (limit) =>
        this.devices.find(filter, { projection: WITHOUT_TREE }).sort(sortSpec).skip(query.offset ?? 0).limit(limit).toArray(),
      ),
    ]);
    return { total, items: docs.map(docToDevice) };
  }

  count(query: DeviceFilter): Promise<number> {
    return this.devices.countDocuments(deviceFilter(query));
  }

  async getCredentials(id: string): Promise<DeviceCredentials | null> {
    const [device, doc] = await Promise.all([
      this.devices.findOne({ _id: id }, { projection: { _id: 1 } }),
      this.credentials.findOne({ _id: id }),
    ]);
    if (!device) return null;
    return Object.fromEntries(CREDENTIAL_FIELDS.map((key) => [key, doc?.[key] ?? null])) as unknown as DeviceCredentials;
  }

  async setCredentials(id: string, creds: Partial<DeviceCredentials>): Promise<void> {
    const $set = Object.fromEntries(CREDENTIAL_FIELDS.filter((key) => creds[key] !== undefined).map((key) => [key, creds[key]]));
    if (Object.keys($set).length === 0) return;
    if (!(await this.devices.findOne({ _id: id }, { projection: { _id: 1 } }))) return;
    await this.credentials.updateOne({ _id: id }, { $set }, { upsert: true });
  }

  async getParameters(id: string, prefixes?: readonly string[]): Promise<Map<string, ParamRecord>> {
    if (prefixes !== undefined) {
      const fields = projectionFor(prefixes);
      if (fields.length === 0) return new Map();
      const doc = await this.devices.findOne({ _id: id }, { projection: Object.fromEntries(fields.map((f) => [f, 1])) });
      return readTree(doc?.[TREE_FIELD], prefixes);
    }
    const doc = await this.devices.findOne({ _id: id }, { projection: { [TREE_FIELD]: 1 } });
    return readTree(doc?.[TREE_FIELD]);
  }

  /** One targeted update of the device document; an unknown device matches nothing and gets nothing. */
  async updateParameters(id: string, set: ReadonlyMap<string, ParamRecord>, deleteSubtrees: readonly string[]): Promise<void> {
    const update = treeUpdate(set, deleteSubtrees);
    if (update.$set || update.$unset) await this.devices.updateOne({ _id: id }, update);
  }
}
