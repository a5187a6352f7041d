// Values every simulated model shares: DeviceInfo identity, ManagementServer
// (from the fleet's factory settings), Time, diagnostics rules. Keyed by the
// data-model root so TR-098 and TR-181 models use the same code.

import type { DeviceModel } from "../../../datamodel/device-model.ts";
import { managementServerDynamic, type ProductIdentity } from "../../../datamodel/model-rules.ts";
import type { ValueSource } from "../../../datamodel/template.ts";
import { currentTime, upTime } from "../derive.ts";

// Shared with the linux driver; re-exported for the simulated models.
export { diagnosticsStateCheck, forInstances, managementServerValues } from "../../../datamodel/model-rules.ts";


/** Europe/Paris as a POSIX TZ string. */
export const PARIS_TZ = "CET-1CEST,M3.5.0,M10.5.0/3";

export function deviceInfoValues(root: string, id: ProductIdentity): Record<string, ValueSource> {
  const p = `${root}DeviceInfo.`;
  return {
    [`${p}Manufacturer`]: id.manufacturer,
    [`${p}ManufacturerOUI`]: id.oui,
    [`${p}ModelName`]: id.modelName,
    [`${p}Description`]: `${id.manufacturer} ${id.modelName}`,
    [`${p}ProductClass`]: id.productClass,
    [`${p}SerialNumber`]: (d: DeviceModel) => d.ident.serial,
    [`${p}HardwareVersion`]: id.hardwareVersion,
    [`${p}SoftwareVersion`]: id.softwareVersion,
    [`${p}ProvisioningCode`]: "",
  };
}

export function commonDynamic(root: string): Record<string, (d: DeviceModel, path: string) => string> {
  return {
    ...managementServerDynamic(root),
    [`${root}DeviceInfo.UpTime`]: upTime,
    [`${root}Time.CurrentLocalTime`]: currentTime,
  };
}

export const timeValues = (root: string): Record<string, ValueSource> => ({
  [`${root}Time.Enable`]: "true",
  [`${root}Time.Status`]: "Synchronized",
  [`${root}Time.NTPServer1`]: "ntp1.flexnet.example",
  [`${root}Time.NTPServer2`]: "pool.ntp.org",
});
