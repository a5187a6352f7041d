// What a CPE does when the ACS writes TR-143 diagnostics parameters
// (Download/UploadDiagnostics): DiagnosticsState "Requested" starts a test
// after the session, "Canceled" stops it (back to "None", TR-181), and
// changing a test parameter without requesting a run clears earlier results.

import type { DeviceModel } from "./device-model.ts";

export const isDiagnosticsObject = (path: string): boolean => /(DownloadDiagnostics|UploadDiagnostics)\.$/.test(path);

/** Applies the rules to the parameters just set; returns the diagnostics objects to run after the session. */
export function diagnosticsToRun(model: DeviceModel, changed: readonly string[]): string[] {
  const requested: string[] = [];
  const touched = new Set<string>();
  for (const path of changed) {
    const obj = path.slice(0, path.lastIndexOf(".") + 1);
    if (!isDiagnosticsObject(obj)) continue;
    touched.add(obj);
    const state = model.get(obj + "DiagnosticsState");
    if (path.endsWith(".DiagnosticsState") && state === "Requested") requested.push(obj);
    if (path.endsWith(".DiagnosticsState") && state === "Canceled") model.set(path, "None");
  }
  for (const obj of touched) if (!requested.includes(obj)) model.set(obj + "DiagnosticsState", "None");
  return requested;
}
