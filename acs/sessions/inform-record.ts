// What an Inform tells the store: the device summary (pure, from the
// DeviceId, events and forced-Inform parameters) and the parameter values
// that changed since the store last heard them.

import type { Inform, ParameterValue } from "../cwmp/messages.ts";
import type { Device, DeviceIdentity, DeviceUpdate, ParamRecord } from "../store/store.ts";

export interface InformSummary {
  identity: DeviceIdentity;
  update: DeviceUpdate;
  events: string[];
  bootstrap: boolean;
}

const ROOTS: ReadonlyArray<[string, Device["dataModel"]]> = [
  ["InternetGatewayDevice.", "tr098"],
  ["Device.", "tr181"],
];

/** Data model of an Inform, from the root of its parameter names; undefined when it carries none. */
export function dataModelOf(params: readonly ParameterValue[]): { root: string; model: Device["dataModel"] } | undefined {
  for (const p of params) {
    for (const [root, model] of ROOTS) if (p.name.startsWith(root)) return { root, model };
  }
  return undefined;
}

/** IPv4-mapped IPv6 peers ("::ffff:192.0.2.1") are IPv4 devices: keep the address they use. */
export function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export function summarizeInform(deviceId: string, inform: Inform, remoteAddress: string, now: number): InformSummary {
  const events = inform.events.map((e) => e.eventCode);
  const update: DeviceUpdate = { lastInformAt: now, lastRemoteAddress: remoteAddress, lastEvents: events };
  if (events.includes("1 BOOT")) update.lastBootAt = now;

  const dm = dataModelOf(inform.parameterList);
  if (dm) {
    update.dataModel = dm.model;
    const values = new Map<string, string>();
    for (const p of inform.parameterList) values.set(p.name, p.value);
    const sw = values.get(`${dm.root}DeviceInfo.SoftwareVersion`);
    if (sw !== undefined) update.softwareVersion = sw;
    const hw = values.get(`${dm.root}DeviceInfo.HardwareVersion`);
    if (hw !== undefined) update.hardwareVersion = hw;
    const crUrl = values.get(`${dm.root}ManagementServer.ConnectionRequestURL`);
    if (crUrl !== undefined) update.connectionRequestUrl = crUrl.trim() || null;
    const udp = values.get(`${dm.root}ManagementServer.UDPConnectionRequestAddress`);
    if (udp !== undefined) update.udpConnectionRequestAddress = udp.trim() || null;
    const interval = values.get(`${dm.root}ManagementServer.PeriodicInformInterval`);
    if (interval !== undefined && /^\d+$/.test(interval.trim())) update.periodicInformInterval = Number(interval.trim());
  }
  const { manufacturer, oui, productClass, serialNumber } = inform.deviceId;
  return {
    identity: { id: deviceId, manufacturer, oui, productClass, serialNumber },
    update,
    events,
    bootstrap: events.includes("0 BOOTSTRAP"),
  };
}

/**
 * Inform parameters whose value or type differs from the store's (all of them
 * when `stored` is null, i.e. a new device). Writability is not in an Inform:
 * the stored flag is kept, false for a node never seen.
 */
export function changedParameters(
  params: readonly ParameterValue[], stored: ReadonlyMap<string, ParamRecord> | null, now: number,
): Map<string, ParamRecord> {
  const out = new Map<string, ParamRecord>();
  for (const p of params) {
    const old = stored?.get(p.name);
    if (old && old.value === p.value && old.type === p.type) continue;
    out.set(p.name, { value: p.value, type: p.type, writable: old?.writable ?? false, ts: now });
  }
  return out;
}
