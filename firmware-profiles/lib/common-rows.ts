// Rows that TR-098 and TR-181 spell the same way under their own root:
// ManagementServer, the NTP server list and the TR-143 diagnostics objects.
import { alwaysWrite, downloadDiagnostics, integer, listItem, secretText, text, uploadDiagnostics } from "./codecs.ts";
import type { ObjectRow, ValueRow } from "./types.ts";

type Root = "Device." | "InternetGatewayDevice.";

export function managementServer(root: Root): ValueRow[] {
  const p = `${root}ManagementServer.`;
  return [
    ["management.periodicInformInterval", `${p}PeriodicInformInterval`, integer()],
    ["management.periodicInformInterval", `${p}PeriodicInformEnable`, alwaysWrite<number>("boolean", "true")],
    ["management.acsUsername", `${p}Username`, text],
    ["management.acsPassword", `${p}Password`, secretText],
    ["management.connectionRequestUsername", `${p}ConnectionRequestUsername`, text],
    ["management.connectionRequestPassword", `${p}ConnectionRequestPassword`, secretText],
  ];
}

/** ntp.servers over Time.NTPServer1…5 (both models define five, the catalogue's maximum); setting servers also enables the client. */
export function ntpServers(root: Root): ValueRow[] {
  const rows: ValueRow[] = [];
  for (let i = 0; i < 5; i++) rows.push(["ntp.servers", `${root}Time.NTPServer${i + 1}`, listItem(i)]);
  rows.push(["ntp.servers", `${root}Time.Enable`, alwaysWrite<string[]>("boolean", "true")]);
  return rows;
}

/** TR-143 objects: Device.IP.Diagnostics.* in TR-181, InternetGatewayDevice.* in TR-098. */
export function tr143Diagnostics(root: Root): ObjectRow[] {
  const p = root === "Device." ? "Device.IP.Diagnostics." : root;
  return [
    ["linkRate.downloadDiagnostics", `${p}DownloadDiagnostics.`, downloadDiagnostics],
    ["linkRate.uploadDiagnostics", `${p}UploadDiagnostics.`, uploadDiagnostics],
  ];
}
