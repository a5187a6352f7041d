// What a device record holds before its first Inform fills it in: one
// definition for both backends, so a new field gets the same default in each.

import type { Device, DeviceIdentity } from "./store.ts";

export function deviceDefaults(now: number = Date.now()): Omit<Device, keyof DeviceIdentity> {
  return {
    softwareVersion: "",
    hardwareVersion: "",
    dataModel: "tr181",
    registeredAt: now,
    lastInformAt: null,
    lastBootAt: null,
    lastRemoteAddress: null,
    connectionRequestUrl: null,
    udpConnectionRequestAddress: null,
    lastEvents: [],
    periodicInformInterval: null,
    tags: [],
  };
}
