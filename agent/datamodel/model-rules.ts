// Model rules every driver shares (the simulated models and the linux
// driver): ManagementServer factory values from the agent's settings, factory
// values per table instance, and write checks real CPEs enforce beyond the
// BBF syntax. Keyed by the data-model root so TR-098 and TR-181 use the same code.

import type { DeviceModel } from "./device-model.ts";
import type { ValueSource } from "./template.ts";
import { expandRanges, UNKNOWN_TIME } from "./values.ts";

/** What DeviceInfo says the product is, the same for every device of a model. */
export interface ProductIdentity {
  manufacturer: string;
  /** 6 upper-case hex digits. */
  oui: string;
  productClass: string;
  modelName: string;
  hardwareVersion: string;
  softwareVersion: string;
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

/** The ConnectionRequestURL follows the Connection Request server (and the address it is reached at). */
export const managementServerDynamic = (root: string): Record<string, (d: DeviceModel, path: string) => string> => ({
  [`${root}ManagementServer.ConnectionRequestURL`]: (d) => d.host.crUrl(d),
});

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

/** A radio only accepts a channel listed in its PossibleChannels (e.g. "1-13" or "36,40,…"). */
export function channelCheck(d: DeviceModel, path: string, value: string): boolean {
  const possible = d.get(path.replace(/Channel$/, "PossibleChannels")) ?? "";
  return expandRanges(possible).includes(String(Number(value)));
}

/** TR-143: the ACS may only write Requested (and Canceled in TR-181); results are the CPE's. */
export const diagnosticsStateCheck = (allowed: readonly string[]) => (_d: DeviceModel, _path: string, value: string): boolean => allowed.includes(value);

/** The n-th instance number in a path ("Device.WiFi.SSID.2.Stats.BytesSent", 0) -> 2. */
export function instanceOf(path: string, n = 0): number {
  const ids = path.match(/\.(\d+)(?=\.)/g) ?? [];
  return Number(ids[n]?.slice(1) ?? 0);
}
