// What a device reports of a session, and what the devices of a fleet share.

import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { SocketPool } from "../cwmp-client/http1-connection.ts";
import type { SystemRestartKind } from "../drivers/driver.ts";
import type { StateStore } from "../state/device-state.ts";
import type { Device } from "./device.ts";

export interface SessionResult {
  ok: boolean;
  durationMs: number;
  error?: string;
  /** ACS requests answered in the session. */
  rpcs: number;
}

/** What the devices of a fleet share. */
export interface DeviceEnv {
  store: StateStore;
  /** Bounds the connections to the ACS open at once. */
  acsPool: SocketPool;
  /** TLS settings towards an https ACS (a private CA). */
  acsTls?: TlsOptions;
  /** Retry failed sessions after the TR-069 back-off (off: the next session carries RetryCount). */
  retry: boolean;
  rebootDelayMs: number;
  random: () => number;
  sessionTimeoutMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Set when the fleet stops: no device powers on again (pending reboots included). */
  closed?: boolean;
  /** Real systems: the driver's reboot / factory-reset command was accepted and the system is going down. */
  onSystemRestart?: (kind: SystemRestartKind) => void;
  /** After each session: the agent channel follows the device's credentials (agent/channel/channel-fleet.ts). */
  onSession?: (device: Device, result: SessionResult) => void;
  /** A power cut (kill): what needs the device up stops too (its agent channel). */
  onPowerOff?: (device: Device) => void;
}

export interface InformOptions {
  /** Simulated power cut right after the n-th ACS request of this session arrives. */
  killAfterAcsRequests?: number;
}

/** The outcome of anything asked of a device that is off. */
export const OFF: SessionResult = { ok: false, durationMs: 0, error: "device is powered off", rpcs: 0 };
