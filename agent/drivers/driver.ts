// What the CWMP client needs from a device backend. The `sim` driver
// simulates one; a driver for real hardware would map the same calls onto the
// system (UCI, sysfs, firmware tools).

import type { CwmpNamespace, DeviceId, Download, FaultStruct } from "../../acs/cwmp/messages.ts";
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
}
