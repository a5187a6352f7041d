// The per-device state machine of a firmware campaign (pure). Given the state
// a device is in and what just happened, it says which states the device goes
// through, or null when the event changes nothing: a TransferComplete for a
// device already past its transfer is a duplicate (tr069.md §6.3: CPEs resend
// it until acknowledged), acknowledged by the session and otherwise ignored.

import { faultMessage } from "../cwmp/faults.ts";
import { compareFirmware } from "../provisioning/firmware-version.ts";
import type { DeviceFault, DeviceState } from "./campaign-types.ts";

export type DeviceEvent =
  /** DownloadResponse: Status 1 = transfer to come (TransferComplete later), 0 = already applied. */
  | { kind: "downloadAnswered"; status: number }
  /** The CPE answered the Download with a CWMP Fault. */
  | { kind: "downloadRefused"; code: number; message: string }
  /** `booted`: the session's Inform carried 1 BOOT; `version`: its SoftwareVersion. */
  | { kind: "transferComplete"; faultCode: number; faultString: string; booted: boolean; version: string }
  /** An Inform of a session after the transfer was reported. */
  | { kind: "informed"; booted: boolean; version: string }
  | { kind: "alreadyAtTarget"; version: string }
  | { kind: "undelivered"; attempts: number }
  | { kind: "timeout"; afterMs: number };

export interface DeviceStep {
  /** States entered in order; the last is the new state. */
  path: DeviceState[];
  fault?: DeviceFault;
  version?: string;
}

const cwmpFault = (code: number, text: string): DeviceFault => ({
  code: `cwmp.${code}`,
  message: text.trim() || faultMessage(code) || `CPE fault ${code}`,
});

/** The version check after the reboot: the device must report the target version. */
function verdict(version: string, target: string): { state: DeviceState; fault?: DeviceFault } {
  if (compareFirmware(version, target) === 0) return { state: "succeeded" };
  return { state: "failed", fault: { code: "firmware.version_mismatch", message: `SoftwareVersion is ${version || "(none)"} after the upgrade, expected ${target}` } };
}

function verified(prefix: DeviceState[], version: string, target: string): DeviceStep {
  const v = verdict(version, target);
  return { path: [...prefix, v.state], version, ...(v.fault && { fault: v.fault }) };
}

/** Before the Download's outcome is known (pending: a pause or the window took its slot meanwhile). */
const AWAITING_TRANSFER: readonly DeviceState[] = ["pending", "scheduled", "downloading"];

export function stepDevice(state: DeviceState, event: DeviceEvent, target: string): DeviceStep | null {
  switch (event.kind) {
    case "downloadAnswered":
      if (state !== "scheduled" && state !== "pending") return null;
      // Status 0: applied within the session; the version is checked at the next Inform.
      return { path: [event.status === 0 ? "verifying" : "downloading"] };
    case "downloadRefused":
      if (!AWAITING_TRANSFER.includes(state)) return null;
      return { path: ["failed"], fault: cwmpFault(event.code, event.message) };
    case "transferComplete":
      if (!AWAITING_TRANSFER.includes(state)) return null;
      if (event.faultCode !== 0) return { path: ["failed"], fault: cwmpFault(event.faultCode, event.faultString) };
      // Reported after the reboot (the usual case): this session's Inform is the post-reboot one.
      return event.booted ? verified(["rebooting", "verifying"], event.version, target) : { path: ["rebooting"] };
    case "informed":
      if (state === "verifying") return verified([], event.version, target);
      if (state !== "rebooting") return null;
      if (event.booted) return verified(["verifying"], event.version, target);
      // Applied without a reboot; otherwise the reboot is still to come.
      return compareFirmware(event.version, target) === 0 ? verified(["verifying"], event.version, target) : null;
    case "alreadyAtTarget":
      return state === "scheduled" ? { path: ["succeeded"], version: event.version } : null;
    case "undelivered":
      if (state !== "scheduled") return null;
      return { path: ["failed"], fault: { code: "firmware.undelivered", message: `the Download was sent ${event.attempts} times without an answer` } };
    case "timeout": {
      const minutes = Math.round(event.afterMs / 60_000);
      if (state === "scheduled") return { path: ["skipped"], fault: { code: "firmware.unreachable", message: `no session within ${minutes} min of being scheduled` } };
      const awaited = state === "downloading" ? "TransferComplete" : state === "rebooting" ? "Inform after the reboot" : state === "verifying" ? "Inform with the new version" : null;
      if (awaited === null) return null;
      return { path: ["failed"], fault: { code: "firmware.timeout", message: `no ${awaited} within ${minutes} min` } };
    }
  }
}
