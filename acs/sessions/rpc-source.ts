// What a session asks, in order, for the next ACS request. Tasks are the
// first source; provisioning adds another one (see rpc-sources.ts).

import type { Logger } from "pino";
import type { AcsRequest, AutonomousTransferComplete, CpeResponse, Inform, TransferComplete } from "../cwmp/messages.ts";
import type { EventBus } from "../events.ts";
import type { Device, Store } from "../store/store.ts";

export interface SessionContext {
  readonly sessionId: string;
  readonly deviceId: string;
  /** The device record as written by this session's Inform. */
  readonly device: Device;
  readonly inform: Inform;
  readonly remoteAddress: string;
  /** Scheme and Host the CPE used to reach this listener (e.g. "http://acs.example:7547"), null when its Host header was unusable: URLs handed to it (firmware, speed tests) name what it can reach. */
  readonly acsOrigin: string | null;
  readonly startedAt: number;
  readonly store: Store;
  readonly bus: EventBus;
  readonly logger: Logger;
}

/** An ACS request chosen by a source; `meta` is the source's own bookkeeping, handed back in onResponse. */
export interface PlannedRpc {
  rpc: AcsRequest;
  meta?: unknown;
}

export interface RpcSource {
  name: string;
  /** The next request to send in this session, or null when the source has nothing (more) to ask. */
  next(ctx: SessionContext): Promise<PlannedRpc | null>;
  /** The CPE's answer (or CWMP Fault) to a request this source planned. Runs before the session moves on. */
  onResponse(ctx: SessionContext, planned: PlannedRpc, response: CpeResponse): Promise<void>;
  /** A transfer report from the CPE; it is persisted before the ACS acknowledges it. */
  onCpeRequest?(ctx: SessionContext, request: TransferComplete | AutonomousTransferComplete): Promise<void>;
}
