// Values every simulated model shares: DeviceInfo identity, ManagementServer
// (from the fleet's factory settings), Time, diagnostics rules. Keyed by the
// data-model root so TR-098 and TR-181 models use the same code.

import type { DeviceModel } from "../../../datamodel/device-model.ts";
import type { ValueSource } from "../../../datamodel/template.ts";
import { UNKNOWN_TIME } from "../../../datamodel/values.ts";
import { currentTime, upTime } from "../derive.ts";

export interface Identity {
  manufacturer: string;
  oui: string;
  productClass: string;
  modelName: string;
  hardwareVersion: string;
  softwareVersion: string;
}

/** Europe/Paris as a POSIX TZ string. */
export const PARIS_TZ = "CET-1CEST,M3.5.0,M10.5.0/3";

export function deviceInfoValues(root: string, id: Identity): Record<string, ValueSource> {
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

export function managementServerValues(root: string): Record<string, ValueSource> {
  const p = `${root}ManagementServer.`;
  return {
    [`${p}EnableCWMP`]: "true",
    [`${p}URL`]: (d) => d.host.settings.acsUrl,
    [`${p}Username`]: (d) => d.host.settings.username,
    [`${p}Password`]: (d) => d.host.settings.password,
    [`${p}PeriodicInformEnable`]: (d) => String(d.host.settings.periodicInterval > 0),
    [`${p}PeriodicInformInterval`]: (d) => String(d.host.settings.periodicInterval || 86400),
    [`${p}PeriodicInformTime`]: UNKNOWN_TIME,
    [`${p}ConnectionRequestUsername`]: (d) => d.host.settings.crUsername ?? d.ident.serial,
    [`${p}ConnectionRequestPassword`]: (d) => d.host.settings.crPassword ?? `cr-${d.ident.serial}`,
    [`${p}CWMPRetryMinimumWaitInterval`]: "5",
    [`${p}CWMPRetryIntervalMultiplier`]: "2000",
    [`${p}DefaultActiveNotificationThrottle`]: "0",
    [`${p}SupportedConnReqMethods`]: "HTTP",
    [`${p}UpgradesManaged`]: "false",
    [`${p}AliasBasedAddressing`]: "false",
  };
}

export function commonDynamic(root: string): Record<string, (d: DeviceModel, path: string) => string> {
  return {
    [`${root}ManagementServer.ConnectionRequestURL`]: (d) => d.host.crUrl(d),
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

/** TR-143: the ACS may only write Requested (and Canceled in TR-181); results are the CPE's. */
export const diagnosticsStateCheck = (allowed: readonly string[]) => (_d: DeviceModel, _path: string, value: string): boolean => allowed.includes(value);

/**
 * Factory values for the factory instances of a table: one value for all, or
 * one per instance in the order of `ids`. The last "{i}" of `entry` is the instance.
 */
export function forInstances(
  entry: string,
  ids: readonly number[],
  vals: Record<string, ValueSource | readonly ValueSource[]>,
): Record<string, ValueSource> {
  const out: Record<string, ValueSource> = {};
  const at = entry.lastIndexOf("{i}");
  ids.forEach((id, k) => {
    const base = entry.slice(0, at) + id + entry.slice(at + 3);
    for (const [name, v] of Object.entries(vals)) {
      const value = typeof v === "string" || typeof v === "function" ? v : v[k];
      if (value !== undefined) out[base + name] = value;
    }
  });
  return out;
}
