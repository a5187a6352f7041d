// What a firmware campaign is: the image it installs, the devices it targets,
// its waves, and the state of every device in it. Shared by the pure rules
// (device-state.ts, campaign-rules.ts), the runner and both repositories.

/**
 * Per-device state. pending: waits for its wave; scheduled: holds a slot of
 * its wave, the Download goes out in its next session; downloading: the CPE
 * accepted the Download (Status 1); rebooting: TransferComplete reported
 * success, the image applies at the reboot; verifying: the device came back,
 * its SoftwareVersion is checked against the target. Terminal: succeeded,
 * failed, skipped (never reached; not a firmware failure), cancelled.
 */
export const DEVICE_STATES = ["pending", "scheduled", "downloading", "rebooting", "verifying", "succeeded", "failed", "skipped", "cancelled"] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** Holding one of the wave's concurrency slots. */
export const IN_FLIGHT: readonly DeviceState[] = ["scheduled", "downloading", "rebooting", "verifying"];
/** Downloads sent (or being sent) whose outcome is still unknown. */
export const TRANSFERRING: readonly DeviceState[] = ["downloading", "rebooting", "verifying"];
export const TERMINAL: readonly DeviceState[] = ["succeeded", "failed", "skipped", "cancelled"];
export const NOT_TERMINAL: readonly DeviceState[] = ["pending", ...IN_FLIGHT];

export interface DeviceFault {
  /** "cwmp.9010" (TransferComplete or Download fault), "firmware.version_mismatch", "firmware.timeout", ... */
  code: string;
  message: string;
}

export interface CampaignDevice {
  campaignId: string;
  deviceId: string;
  /** Wave index, from 0. */
  wave: number;
  /** Position in the rollout order. */
  seq: number;
  state: DeviceState;
  stateAt: number;
  /** CWMP CommandKey of this device's Download (unique per device and campaign). */
  commandKey: string;
  /** SoftwareVersion when the campaign was created. */
  fromVersion: string;
  /** SoftwareVersion reported after the transfer, once known. */
  version: string | null;
  /** Download RPCs sent (a session that dies before the answer sends it again). */
  attempts: number;
  fault: DeviceFault | null;
  history: { state: DeviceState; at: number }[];
}

export type CampaignStatus = "running" | "paused" | "completed" | "cancelled";

export interface WaveState {
  size: number;
  /** Devices of the wave in flight at once. */
  concurrency: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Outcomes already judged when an admin resumed the campaign after a threshold pause. */
  baseline: { finished: number; failed: number };
}

/** Daily window, Paris local time, "HH:MM"; end before start spans midnight. */
export interface TimeWindow {
  start: string;
  end: string;
}

export interface CampaignTarget {
  /** Profile file (e.g. "firmware-profiles/homewave/hw-ax3000.ts"): its OUI, ProductClass and hardware versions. */
  profile: string | null;
  oui: string | null;
  productClass: string;
  hardwareVersions: string[] | null;
  /** Inclusive SoftwareVersion range of the devices to upgrade. */
  versions: { min?: string; max?: string };
}

export interface CampaignPause {
  reason: "threshold" | "admin";
  at: number;
  by: string;
  wave: number;
  /** For threshold pauses: the wave's judged outcomes. */
  failed?: number;
  finished?: number;
  failureRate?: number;
}

export interface Campaign {
  id: string;
  name: string;
  firmware: { name: string; version: string; size: number; sha256: string };
  target: CampaignTarget;
  waves: WaveState[];
  currentWave: number;
  window: TimeWindow | null;
  /** 0..1: a wave whose failure rate passes it pauses the campaign. */
  failureThreshold: number;
  /** Outcomes a wave needs before its rate is judged (a finished wave is always judged). */
  minSample: number;
  /** A device silent this long in a transfer state fails ("firmware.timeout"); scheduled this long, it is skipped. */
  timeoutMs: number;
  status: CampaignStatus;
  pause: CampaignPause | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  /** Set once no device can change any more (completed or cancelled, nothing in flight). */
  endedAt: number | null;
  rev: number;
}

export type WaveCounts = Record<DeviceState, number>;

export const emptyCounts = (): WaveCounts => Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as WaveCounts;
