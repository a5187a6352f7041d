// In-process event bus: capabilities publish domain events, the API (waiting
// for a task), live dashboards and the agent channel subscribe. Typed so a
// listener cannot misread a payload.

import { EventEmitter } from "node:events";
import type { FaultRecord, Task } from "./store/store.ts";

export interface AcsEvents {
  "device.informed": { deviceId: string; events: string[]; remoteAddress: string; bootstrap: boolean };
  "device.registered": { deviceId: string };
  "session.ended": { deviceId: string; ok: boolean; durationMs: number; rpcs: number };
  "task.done": { task: Task };
  "task.fault": { task: Task; fault: FaultRecord };
  "fault.recorded": { fault: FaultRecord };
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
