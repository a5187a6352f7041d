// In-process event bus: capabilities publish domain events, the API (waiting
// for a task), live dashboards and the agent channel subscribe. Typed so a
// listener cannot misread a payload.

import { EventEmitter } from "node:events";
import type { DriftItem, ProvisioningStatus, Standing } from "./provisioning/provisioning-state.ts";
import type { LinkAlert, SpeedTestRecord } from "./linkrate/measurement.ts";
import type { FaultRecord, Task } from "./store/store.ts";
import type { WifiChange } from "./wifi/wifi-change.ts";

export interface AcsEvents {
  "device.informed": { deviceId: string; serialNumber: string; events: string[]; remoteAddress: string; bootstrap: boolean };
  "device.registered": { deviceId: string };
  "session.ended": { deviceId: string; ok: boolean; durationMs: number; rpcs: number };
  "task.done": { task: Task };
  "task.fault": { task: Task; fault: FaultRecord };
  "fault.recorded": { fault: FaultRecord };
  /** A device confirmed a SetParameterValues of its desired state (keys only: values may be secrets). */
  "provisioning.applied": { deviceId: string; parameterKey: string; keys: string[]; bootstrap: boolean };
  /** A provisioning run ended (status provisioned, fault, ...). */
  "provisioning.status": { deviceId: string; status: ProvisioningStatus; parameterKey: string | null };
  /** A drift check found settings changed behind the ACS (never secrets: they cannot be read). */
  "provisioning.drift": { deviceId: string; drift: DriftItem[] };
  /** A device got management settings only: unknown serial, returned or charged router, router on no line. */
  "device.quarantined": { deviceId: string; serial: string; standing: Exclude<Standing, "line">; remoteAddress: string };
  /** A support Wi-Fi change was made or moved to another status (secrets are masked in the record). */
  "wifi.change": { change: WifiChange };
  /** Link rates: an alert raised, cleared or acknowledged. */
  "linkrate.alert": LinkrateAlertEvent;
  /** Link rates: a speed test finished (done or failed). */
  "linkrate.speedtest": { test: SpeedTestRecord };
}

/** Link rates: an alert raised, cleared or acknowledged (pushed live to the dashboards). */
export interface LinkrateAlertEvent {
  alert: LinkAlert;
  transition: "raised" | "cleared" | "acknowledged";
}

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  emit<K extends keyof AcsEvents>(name: K, payload: AcsEvents[K]): void {
    this.emitter.emit(name, payload);
  }
  on<K extends keyof AcsEvents>(name: K, listener: (payload: AcsEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
