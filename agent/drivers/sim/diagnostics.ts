// Simulated TR-143 throughput tests (Download/Upload diagnostics) for TR-098
// and TR-181. Results are plausible for the model's line rate and written the
// way a CPE reports them: µs timestamps, byte counters, final state.

import type { DeviceModel } from "../../datamodel/device-model.ts";
import type { SimModel } from "./model-spec.ts";

/** dateTime with microseconds, as TR-143 requires for ROM/BOM/EOM times. */
export const isoMicros = (ms: number, extraMicros = 0): string =>
  new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, (_, milli: string) => `.${milli}${String(extraMicros % 1000).padStart(3, "0")}Z`);

/** TR-181 reports "Complete"; TR-098 (and old TR-181 firmware) "Completed". */
const completeState = (d: DeviceModel): string => (d.root === "Device." ? "Complete" : "Completed");

function wanAddress(d: DeviceModel): string {
  return (
    d.get("Device.IP.Interface.1.IPv4Address.1.IPAddress") ??
    d.get("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress") ??
    ""
  );
}

/**
 * Writes the results of the diagnostic under `obj` (its path, ending in ".").
 * `random` gives the share of the line rate reached (85..98 %).
 */
export function completeDiagnostic(d: DeviceModel, model: SimModel, obj: string, random: () => number): void {
  const upload = obj.endsWith("UploadDiagnostics.");
  const url = d.get(obj + (upload ? "UploadURL" : "DownloadURL")) ?? "";
  const set = (name: string, value: string): void => {
    if (d.resolve(obj + name)) d.set(obj + name, value);
  };
  if (!/^(https?|ftp):\/\/[^/]/i.test(url)) {
    set("DiagnosticsState", "Error_InitConnectionFailed");
    return;
  }
  const mbps = (upload ? model.uplinkMbps : model.downlinkMbps) * (0.85 + 0.13 * random());
  const bytesPerMs = (mbps * 1e6) / 8 / 1000;
  const seconds = Number(d.get(obj + "TimeBasedTestDuration") ?? "0");
  const fileLength = Number(d.get(obj + "TestFileLength") ?? "0");
  // Without a time-based duration a download test reads one file: assume 100 MB.
  const testBytes = upload ? fileLength || 10_000_000 : seconds > 0 ? Math.round(bytesPerMs * seconds * 1000) : 100_000_000;
  const durationMs = seconds > 0 ? seconds * 1000 : testBytes / bytesPerMs;
  const eom = d.host.now();
  const bom = eom - durationMs;
  const rom = bom - 14;
  const overhead = Math.round(testBytes * 1.035);
  set("ROMTime", isoMicros(rom, 117));
  set("BOMTime", isoMicros(bom, 402));
  set("EOMTime", isoMicros(eom, 958));
  set("TCPOpenRequestTime", isoMicros(rom - 11, 25));
  set("TCPOpenResponseTime", isoMicros(rom - 2, 610));
  set("IPAddressUsed", wanAddress(d));
  if (upload) {
    set("TestBytesSent", String(testBytes));
    set("TotalBytesSent", String(overhead));
    set("TotalBytesReceived", String(Math.round(testBytes * 0.02)));
  } else {
    set("TestBytesReceived", String(testBytes));
    set("TotalBytesReceived", String(overhead));
    set("TotalBytesSent", String(Math.round(testBytes * 0.02)));
  }
  set("PeriodOfFullLoading", String(Math.round(durationMs * 900)));
  set("DiagnosticsState", completeState(d));
}
