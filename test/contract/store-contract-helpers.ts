// Shared fixtures of the Store contract suite.

import type { DeviceIdentity, ParamRecord, Store } from "../../acs/store/store.ts";

/** The store of the running test (a new, empty one for each test). */
export interface ContractContext {
  store: Store;
}

export function identity(id: string, over: Partial<DeviceIdentity> = {}): DeviceIdentity {
  return { id, manufacturer: "Huawei", oui: "00D09E", productClass: "HG8245H", serialNumber: `SN-${id}`, ...over };
}

export function param(value: string, type: ParamRecord["type"] = "xsd:string", writable = false, ts = 1_700_000_000_000): ParamRecord {
  return { value, type, writable, ts };
}

export function object(ts = 1_700_000_000_000): ParamRecord {
  return { value: "", type: "object", writable: false, ts };
}

/** A Map's entries sorted by key, for comparisons that must not depend on iteration order. */
export function sorted<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
