// The store interface: the one seam between the ACS logic and its database.
// Every method is async so that SQLite (embedded default) and MongoDB
// (several ACS instances) implement the same contract, checked by one
// contract suite (test/contract/store-contract.ts). Shapes are chosen so that
// MongoDB maps one document per device (identity + parameter tree) and
// everything else to one collection per record kind.

import type { XsdType } from "../cwmp/messages.ts";
import type { FirmwareRepository } from "../firmware/firmware-repository.ts";
import type { LineRepository } from "../lines/line-repository.ts";
import type { LinkrateRepository } from "../linkrate/measurement-repository.ts";
import type { RentalRepository } from "../rentals/rental-repository.ts";
import type { WifiChangeRepository } from "../wifi/change-repository.ts";
import type { MacLookup } from "../wifi/line-search.ts";

/** One node of a device's parameter tree. Objects (paths ending in ".") have type "object". */
export interface ParamRecord {
  value: string;
  type: XsdType | "object";
  writable: boolean;
  /** When the ACS last learnt this value from the device (epoch ms). */
  ts: number;
}

export interface DeviceIdentity {
  id: string;
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface Device extends DeviceIdentity {
  softwareVersion: string;
  hardwareVersion: string;
  /** "Device:2" (TR-181) or "InternetGatewayDevice:1" (TR-098), from the Inform's parameter root. */
  dataModel: "tr181" | "tr098";
  registeredAt: number;
  lastInformAt: number | null;
  lastBootAt: number | null;
  /** Address the device last connected from; connection requests only go there. */
  lastRemoteAddress: string | null;
  connectionRequestUrl: string | null;
  udpConnectionRequestAddress: string | null;
  /** Events of the last Inform, e.g. ["2 PERIODIC"]. */
  lastEvents: string[];
  periodicInformInterval: number | null;
  /** Free labels (quarantined, returned, ...) set by capabilities. */
  tags: string[];
}

/**
 * Secrets kept beside the device, never returned by API reads.
 * cpeHa1 = MD5(username:realm:password) so the CPE password itself is not stored.
 * The connection-request password must be stored in clear: the ACS computes
 * Digest responses with it.
 */
export interface DeviceCredentials {
  cpeUsername: string | null;
  cpeHa1: string | null;
  connectionRequestUsername: string | null;
  connectionRequestPassword: string | null;
}

export type DeviceUpdate = Partial<Omit<Device, keyof DeviceIdentity>>;

export interface DeviceQuery {
  id?: string;
  /** Substring match on id, serial or product class. */
  search?: string;
  productClass?: string;
  softwareVersion?: string;
  /** Devices whose last Inform is at or after this time (epoch ms). */
  lastInformAfter?: number;
  lastInformBefore?: number;
  tag?: string;
  sort?: "id" | "lastInformAt" | "productClass" | "softwareVersion";
  order?: "asc" | "desc";
  offset?: number;
  limit?: number;
}

export type TaskName =
  | "getParameterValues"
  | "setParameterValues"
  | "refreshObject"
  | "addObject"
  | "deleteObject"
  | "reboot"
  | "factoryReset"
  | "download";

export type TaskStatus = "pending" | "done" | "fault";

export interface TaskFault {
  code: string; // e.g. "cwmp.9007", "session.timeout"
  message: string;
  detail?: unknown;
}

export interface Task {
  id: string;
  deviceId: string;
  name: TaskName;
  /** Arguments by task name, e.g. { parameterValues: [[path, value, type]] }. */
  args: Record<string, unknown>;
  status: TaskStatus;
  createdAt: number;
  /** Who asked (token name), for the audit trail. */
  createdBy: string;
  attempts: number;
  /** Not delivered before this time (epoch ms): retry backoff. */
  notBefore: number;
  doneAt: number | null;
  fault: TaskFault | null;
  /** What the device answered, for tasks that read (e.g. getParameterValues). */
  result: unknown;
}

export type NewTask = Pick<Task, "deviceId" | "name" | "args" | "createdBy">;

export interface FaultRecord {
  id: string;
  deviceId: string;
  /** What caused it: "task:<id>", "provision", "inform" ... */
  channel: string;
  code: string;
  message: string;
  detail: unknown;
  /** The RPC that caused the fault, as sent. */
  rpc: unknown;
  retries: number;
  timestamp: number;
}

export interface AuditEvent {
  id: string;
  timestamp: number;
  actor: string; // token name, "acs", "device:<id>"
  action: string; // e.g. "task.create", "device.delete", "auth.failure"
  deviceId: string | null;
  detail: Record<string, unknown>;
}

export type Role = "noc" | "support" | "admin";

export interface ApiToken {
  name: string;
  role: Role;
  /** SHA-256 of the token; the token itself is shown once, at creation. */
  hash: string;
  createdAt: number;
}

/**
 * Each capability declares its own repository interface in its folder; both
 * backends implement all of them on the store's one connection, so a
 * capability never opens the database itself.
 */
export interface CapabilityRepositories {
  readonly lines: LineRepository;
  readonly rentals: RentalRepository;
  readonly firmware: FirmwareRepository;
  readonly linkrate: LinkrateRepository;
  readonly wifiChanges: WifiChangeRepository;
  /** Serial of the rented router with a MAC address (support search). */
  readonly routerSerialByMac: MacLookup;
}

export interface Store extends CapabilityRepositories {
  /**
   * True when several ACS instances may share this store (MongoDB): sessions
   * then take the lease `session:<device id>`. The embedded SQLite store serves
   * one ACS process (sqlite/owner-lock.ts), whose in-process lock suffices.
   */
  readonly sharedByInstances: boolean;

  // ---- devices -----------------------------------------------------------
  getDevice(id: string): Promise<Device | null>;
  /** Creates the device if absent (registration), otherwise applies `update`. */
  upsertDevice(identity: DeviceIdentity, update: DeviceUpdate): Promise<Device>;
  updateDevice(id: string, update: DeviceUpdate): Promise<void>;
  deleteDevice(id: string): Promise<boolean>;
  listDevices(query: DeviceQuery): Promise<{ total: number; items: Device[] }>;
  countDevices(query: Omit<DeviceQuery, "sort" | "order" | "offset" | "limit">): Promise<number>;

  getCredentials(id: string): Promise<DeviceCredentials | null>;
  setCredentials(id: string, creds: Partial<DeviceCredentials>): Promise<void>;

  // ---- parameter tree ----------------------------------------------------
  /** Parameters under any of the prefixes (all when omitted); a prefix without a trailing "." is one exact name. */
  getParameters(id: string, prefixes?: string[]): Promise<Map<string, ParamRecord>>;
  /** Targeted update: sets the given nodes and deletes the given subtrees; never rewrites the tree. */
  updateParameters(id: string, set: ReadonlyMap<string, ParamRecord>, deleteSubtrees?: readonly string[]): Promise<void>;

  // ---- tasks -------------------------------------------------------------
  addTask(task: NewTask): Promise<Task>;
  getTask(id: string): Promise<Task | null>;
  listTasks(filter: { deviceId?: string; status?: TaskStatus; limit?: number }): Promise<Task[]>;
  /** Pending tasks of a device deliverable at `now`, oldest first. */
  pendingTasks(deviceId: string, now: number): Promise<Task[]>;
  updateTask(id: string, patch: Partial<Pick<Task, "status" | "attempts" | "notBefore" | "doneAt" | "fault" | "result">>): Promise<void>;
  deleteTask(id: string): Promise<boolean>;
  countPendingTasks(): Promise<number>;

  // ---- faults ------------------------------------------------------------
  addFault(fault: Omit<FaultRecord, "id">): Promise<FaultRecord>;
  listFaults(filter: { deviceId?: string; since?: number; limit?: number }): Promise<FaultRecord[]>;
  deleteFault(id: string): Promise<boolean>;

  // ---- audit -------------------------------------------------------------
  addAudit(event: Omit<AuditEvent, "id">): Promise<void>;
  listAudit(filter: { deviceId?: string; actor?: string; action?: string; since?: number; limit?: number }): Promise<AuditEvent[]>;

  // ---- API tokens --------------------------------------------------------
  addToken(token: ApiToken): Promise<void>;
  findTokenByHash(hash: string): Promise<ApiToken | null>;
  listTokens(): Promise<ApiToken[]>;
  deleteToken(name: string): Promise<boolean>;

  // ---- coordination between ACS instances --------------------------------
  /** Takes or renews a named lease; false when another owner holds an unexpired one. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  close(): Promise<void>;
}
