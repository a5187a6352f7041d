// What a device keeps across reboots and process restarts, one small JSON
// file per device (<stateDir>/<serial>.json), written atomically.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { EventStruct, TransferComplete } from "../../acs/cwmp/messages.ts";
import type { ModelSnapshot } from "../datamodel/device-model.ts";
import { readJsonFile, writeFileAtomic } from "./atomic-file.ts";

export interface DeviceState {
  v: 1;
  serial: string;
  model: string;
  crPath: string;
  /** ManagementServer.URL at the last successful BOOTSTRAP Inform; absent = never bootstrapped. */
  bootstrappedUrl?: string;
  /** Events not yet delivered in a successful Inform. */
  events: EventStruct[];
  /** TransferComplete messages not yet acknowledged by the ACS. */
  transfers: TransferComplete[];
  /** Pending ScheduleInform: epoch ms and CommandKey. */
  scheduled: { at: number; commandKey: string }[];
  retryCount: number;
  /** Values, instances and attributes that differ from the factory state (credentials the ACS set included). */
  data: ModelSnapshot;
}

const FILE_SAFE = /[^A-Za-z0-9_.-]/g;

export class StateStore {
  private ready?: Promise<unknown>;

  constructor(
    readonly dir: string,
    private readonly fsync = true,
  ) {}

  pathOf(serial: string): string {
    return join(this.dir, `${serial.replace(FILE_SAFE, "_")}.json`);
  }

  async load(serial: string): Promise<DeviceState | undefined> {
    const raw = await readJsonFile(this.pathOf(serial));
    if (raw === undefined) return undefined;
    const s = raw as Partial<DeviceState>;
    if (s.v !== 1 || s.serial !== serial || typeof s.crPath !== "string") throw new Error(`state file for ${serial} has an unknown layout`);
    return {
      v: 1,
      serial,
      model: String(s.model),
      crPath: s.crPath,
      bootstrappedUrl: s.bootstrappedUrl,
      events: s.events ?? [],
      transfers: s.transfers ?? [],
      scheduled: s.scheduled ?? [],
      retryCount: s.retryCount ?? 0,
      data: s.data ?? {},
    };
  }

  async save(state: DeviceState): Promise<void> {
    await this.saveJson(state.serial, JSON.stringify(state));
  }

  /** Saves an already serialised DeviceState. */
  async saveJson(serial: string, json: string): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.ready;
    await writeFileAtomic(this.pathOf(serial), json, { fsync: this.fsync });
  }
}
