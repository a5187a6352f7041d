// What a device keeps across reboots and power cuts (pending events,
// unacknowledged TransferCompletes, ScheduleInforms, RetryCount, the URL it
// bootstrapped with, its data model's overlay) and the writes of it to the
// state store, one at a time, bursts coalesced.

import type { EventStruct, TransferComplete } from "../../acs/cwmp/messages.ts";
import type { DriverDevice } from "../drivers/driver.ts";
import { CoalescingWriter } from "../state/atomic-file.ts";
import type { DeviceState, StateStore } from "../state/device-state.ts";

export type ScheduledInform = DeviceState["scheduled"][number];

/** The device's own fields as last written, and the model's version then. */
type Written = Pick<DeviceState, "bootstrappedUrl" | "events" | "transfers" | "scheduled" | "retryCount"> & { modelVersion: number };

/** Same content: same list, both empty (the usual case), or equal JSON. */
const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a === b || (a.length === 0 && b.length === 0) || JSON.stringify(a) === JSON.stringify(b);

const RESOLVED = Promise.resolve();

export class PersistedState {
  // The lists are replaced, never changed in place: what was written is kept by reference.
  /** Events not yet delivered in a successful Inform. */
  events: EventStruct[] = [];
  /** TransferComplete messages not yet acknowledged by the ACS. */
  transfers: TransferComplete[] = [];
  scheduled: ScheduledInform[] = [];
  retryCount = 0;
  /** ManagementServer.URL at the last successful BOOTSTRAP Inform. */
  bootstrappedUrl?: string;
  /**
   * What was last written. A write request that finds the state unchanged
   * writes nothing and serialises nothing: a periodic session persists twice
   * and usually changes nothing.
   */
  private saved?: Written;
  private readonly writer = new CoalescingWriter(async () => {
    if (this.unchanged()) return;
    const written = this.written();
    await this.store.saveJson(this.drv.model.ident.serial, JSON.stringify(this.snapshot()));
    this.saved = written;
  });

  constructor(
    private readonly drv: DriverDevice,
    /** The simulated model, e.g. "router-tr181". */
    private readonly model: string,
    private readonly store: StateStore,
  ) {}

  restore(s: DeviceState): void {
    this.saved = undefined;
    this.bootstrappedUrl = s.bootstrappedUrl;
    this.events = s.events;
    this.transfers = s.transfers;
    this.scheduled = s.scheduled;
    this.retryCount = s.retryCount;
    this.drv.model.restore(s.data);
  }

  snapshot(): DeviceState {
    return {
      v: 1,
      serial: this.drv.model.ident.serial,
      model: this.model,
      crPath: this.drv.model.ident.crPath,
      bootstrappedUrl: this.bootstrappedUrl,
      events: this.events,
      transfers: this.transfers,
      scheduled: this.scheduled,
      retryCount: this.retryCount,
      data: this.drv.model.snapshot(),
    };
  }

  /** Factory state: nothing configured, never bootstrapped, nothing pending. */
  forget(): void {
    this.drv.model.factoryReset();
    this.bootstrappedUrl = undefined;
    this.events = [];
    this.transfers = [];
    this.scheduled = [];
    this.retryCount = 0;
  }

  /** Writes the state; resolves once it is on disk (at once when it already is). */
  persist(): Promise<void> {
    if (this.writer.idle && this.unchanged()) return RESOLVED;
    return this.writer.request();
  }

  /** Resolves once every state write requested so far has finished. */
  persisted(): Promise<void> {
    return this.writer.settled();
  }

  private written(): Written {
    const { bootstrappedUrl, events, transfers, scheduled, retryCount } = this;
    return { bootstrappedUrl, events, transfers, scheduled, retryCount, modelVersion: this.drv.model.version };
  }

  private unchanged(): boolean {
    const w = this.saved;
    return (
      w !== undefined && w.modelVersion === this.drv.model.version && w.bootstrappedUrl === this.bootstrappedUrl && w.retryCount === this.retryCount &&
      sameList(w.events, this.events) && sameList(w.transfers, this.transfers) && sameList(w.scheduled, this.scheduled)
    );
  }
}
