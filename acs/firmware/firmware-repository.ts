// Persistence of firmware files (their record and their image bytes, shared
// by every ACS instance on the store; each instance caches images on its own
// disk, see image-cache.ts), campaigns and the per-device state of each campaign.
// Implemented by acs/store/sqlite/firmware.ts and acs/store/mongodb/firmware.ts,
// both checked by test/contract/firmware-contract.ts.
//
// Contract decisions:
// - A file name is taken once: addFile of a taken name, or of a name another
//   addFile is storing at the same time, throws FirmwareConflictError and
//   keeps none of its bytes (of two at once, one is stored whole).
// - A file's record and its image bytes are stored together: openImage never
//   sees a recorded file with part of its bytes (only, for a file recorded
//   with no bytes, none). The bytes are read and written in chunks of
//   IMAGE_CHUNK_BYTES, never a whole image in memory, nor in one step that
//   holds the event loop; they are visible only once the record is stored,
//   and those of an addFile cut short (process killed) are removed later.
// - createCampaign stores the campaign and its devices all or nothing, and
//   refuses a taken campaign id with FirmwareConflictError.
// - replaceCampaign writes only over the revision the caller read (false
//   otherwise, nothing changed); the stored campaign gets rev + 1.
// - transitionDevice changes a device only from the state the caller read
//   (false otherwise): that guard makes duplicate reports (a TransferComplete
//   sent twice) change nothing. Each state entered is appended to the history.
// - moveUnsentDevices never moves a device that was sent a Download.
// - Device lists are in rollout order (seq); campaign lists newest first.
import type { Readable } from "node:stream";
import type { Campaign, CampaignDevice, DeviceFault, DeviceState } from "./campaign-types.ts";

/** Size of the stored pieces of an image (GridFS's default, under any document or row limit). */
export const IMAGE_CHUNK_BYTES = 255 * 1024;

export interface FirmwareFile {
  /** Name in download URLs (/firmware/<name>); the simulated CPEs read the version from it. */
  name: string;
  version: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  /** Profile file the image was checked against at upload, if any. */
  profile: string | null;
  uploadedAt: number;
  uploadedBy: string;
}

export interface DeviceListQuery {
  states?: readonly DeviceState[];
  wave?: number;
  /** Devices whose current state was entered before this time (epoch ms). */
  stateBefore?: number;
  offset?: number;
  limit?: number;
}

export interface DeviceChange {
  /** States entered, in order; the last one becomes the current state. Empty: the state stays. */
  path: readonly DeviceState[];
  at: number;
  fault?: DeviceFault | null;
  /** SoftwareVersion the device reported after the transfer. */
  version?: string | null;
  attempts?: number;
}

export interface StateCount {
  wave: number;
  state: DeviceState;
  count: number;
}

export interface FirmwareRepository {
  // ---- files ---------------------------------------------------------------
  /**
   * Records the file with its image, read from the local file `imagePath`
   * (the caller checked its size and SHA-256). null: the record only, for
   * copying a store whose file has no bytes in it (uploaded before images
   * were kept in the store); such an image is served only where it is on disk.
   */
  addFile(file: FirmwareFile, imagePath: string | null): Promise<void>;
  getFile(name: string): Promise<FirmwareFile | null>;
  /** The file's image bytes, in order; null when there is no such file or it was recorded without bytes. */
  openImage(name: string): Promise<Readable | null>;
  /** Ordered by name. */
  listFiles(): Promise<FirmwareFile[]>;

  // ---- campaigns -----------------------------------------------------------
  createCampaign(campaign: Campaign, devices: readonly CampaignDevice[]): Promise<void>;
  getCampaign(id: string): Promise<Campaign | null>;
  /** `ended: false`: campaigns still running, paused, or with devices in flight. */
  listCampaigns(filter?: { ended?: boolean }): Promise<Campaign[]>;
  /** Stores `campaign` (its rev is ignored) over `expectedRev`; false when the stored revision differs or the campaign is gone. */
  replaceCampaign(campaign: Campaign, expectedRev: number): Promise<boolean>;

  // ---- devices of campaigns -------------------------------------------------
  listDevices(campaignId: string, query?: DeviceListQuery): Promise<{ total: number; items: CampaignDevice[] }>;
  countStates(campaignId: string): Promise<StateCount[]>;
  /** The device's records in the given states, across campaigns. Read-only: they may be shared with other readers (a store's cache). */
  recordsOf(deviceId: string, states: readonly DeviceState[]): Promise<CampaignDevice[]>;
  findByCommandKey(deviceId: string, commandKey: string): Promise<CampaignDevice | null>;
  /** Ids of devices with a record in one of `states`, across campaigns. */
  devicesIn(states: readonly DeviceState[]): Promise<Set<string>>;
  transitionDevice(campaignId: string, deviceId: string, expected: DeviceState, change: DeviceChange): Promise<boolean>;
  /**
   * Moves the campaign's devices (of one wave, when given) that are in `from`
   * and were never sent a Download (attempts 0) to `to`; returns how many moved.
   * A device whose Download is out keeps its state: its answer will come.
   */
  moveUnsentDevices(campaignId: string, from: readonly DeviceState[], to: DeviceState, at: number, wave?: number): Promise<number>;
}

export class FirmwareConflictError extends Error {
  override name = "FirmwareConflictError";
  readonly code = "FLX_ERR_FIRMWARE_CONFLICT";
}
