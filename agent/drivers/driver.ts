// What the CWMP client needs from a device backend. The `sim` driver
// simulates one; the `linux` driver maps the same calls onto a real system
// (sysfs, hostapd / uci files, configured commands). The optional methods are
// what only a real system needs.

import type { CwmpFault, CwmpNamespace, DeviceId, Download, FaultStruct } from "../../acs/cwmp/messages.ts";
import type { DeviceModel } from "../datamodel/device-model.ts";
import type { ReadOptions } from "../rpc/parameters.ts";

export interface TransferResult {
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
  /** The device must reboot to apply the file (firmware, configuration). */
  reboot: boolean;
}

export interface DriverDevice {
  readonly model: DeviceModel;
  readonly deviceId: DeviceId;
  readonly namespace: CwmpNamespace;
  readonly readOptions: ReadOptions;
  /** Concrete paths of the Inform ParameterList (forcedInform + model extras). */
  readonly informParams: readonly string[];
  /** Power-on after a reboot or a power cut: uptime and counters restart. */
  boot(): void;
  /** Fetches and applies a file; never rejects (failures are faults). */
  download(req: Download, signal: AbortSignal): Promise<TransferResult>;
  /**
   * Side effects of parameters the ACS just set. Returns the diagnostics objects
   * (e.g. "Device.IP.Diagnostics.DownloadDiagnostics.") that must run after the session.
   */
  applied(changed: readonly string[]): string[];
  /** Runs a requested diagnostic and stores its results in the model. */
  runDiagnostic(objectPath: string, signal: AbortSignal): Promise<void>;
  /**
   * Real systems: applies the parameters the ACS just set to the system before
   * the SetParameterValuesResponse goes out. A fault refuses the whole request
   * and the device restores its model as it was. Absent: values live in the model.
   */
  commit?(changed: readonly string[]): Promise<CwmpFault | undefined>;
  /**
   * Real systems: restarts the system (Reboot RPC) or resets it to factory
   * settings, after the session. `ok` means the command was accepted and the
   * system is going down. Absent: the device simulates the power cycle itself.
   */
  restartSystem?(kind: SystemRestartKind): Promise<SystemRestart>;
}

export type SystemRestartKind = "reboot" | "factoryReset";
export type SystemRestart = { ok: true } | { ok: false; error: string };
