// TR-143 Download/UploadDiagnostics of a simulated device with a line
// behaviour: a real HTTP transfer to the test URL (loopback only, like every
// real transfer of the sim), shaped to the behaviour's rate, with the results
// written the way a CPE reports them.

import type { DeviceModel } from "../../datamodel/device-model.ts";
import { isoMicros } from "./diagnostics.ts";
import { shapedDownload, shapedUpload, type TransferTimes } from "./shaped-transfer.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Only loopback http URLs are really transferred (the sim never reaches beyond this machine). */
export function isRealTestUrl(d: DeviceModel, obj: string): boolean {
  const raw = d.get(obj + (obj.endsWith("UploadDiagnostics.") ? "UploadURL" : "DownloadURL")) ?? "";
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  return url.protocol === "http:" && LOOPBACK.has(url.hostname);
}

/** dateTime with microseconds from a fractional-ms device time. */
const isoAt = (ms: number): string => isoMicros(Math.floor(ms), Math.min(999, Math.round((ms % 1) * 1000)));

const completeState = (d: DeviceModel): string => (d.root === "Device." ? "Complete" : "Completed");

/** Runs the test at `rateMbps` and stores its results (or its Error_* state) under `obj`. */
export async function runShapedDiagnostic(d: DeviceModel, obj: string, rateMbps: number, signal: AbortSignal): Promise<void> {
  const upload = obj.endsWith("UploadDiagnostics.");
  const url = new URL(d.get(obj + (upload ? "UploadURL" : "DownloadURL"))!);
  const bps = rateMbps * 1e6;
  const now = () => d.host.now();
  const outcome = upload
    ? await shapedUpload(url, Number(d.get(obj + "TestFileLength") ?? "0") || 1_000_000, bps, now, signal)
    : await shapedDownload(url, bps, now, signal);
  if (signal.aborted || d.get(obj + "DiagnosticsState") !== "Requested") return;
  const set = (name: string, value: string): void => {
    if (d.resolve(obj + name)) d.set(obj + name, value);
  };
  if (!outcome.ok) {
    set("DiagnosticsState", outcome.state);
    return;
  }
  const t: TransferTimes = outcome.times;
  set("TCPOpenRequestTime", isoAt(t.tcpOpenRequestMs));
  set("TCPOpenResponseTime", isoAt(t.tcpOpenResponseMs));
  set("ROMTime", isoAt(t.romMs));
  set("BOMTime", isoAt(t.bomMs));
  set("EOMTime", isoAt(t.eomMs));
  set(upload ? "TestBytesSent" : "TestBytesReceived", String(t.bytes));
  set(upload ? "TotalBytesSent" : "TotalBytesReceived", String(t.bytes));
  set("PeriodOfFullLoading", String(Math.round((t.eomMs - t.bomMs) * 1000)));
  set("DiagnosticsState", completeState(d));
}
