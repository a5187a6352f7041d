// Live readings shared by the models: every traffic counter of the listed
// objects grows with uptime, every LastChange reads as the uptime. Derived from
// the BBF definitions, so a model gets them for every Stats object it includes.

import type { DeviceModel } from "../../datamodel/device-model.ts";
import type { BbfDefinitions } from "../../datamodel/schema.ts";
import { counter, upTime } from "./derive.ts";

type Dynamic = (d: DeviceModel, path: string) => string;

/** Per-second rate for a counter name; undefined when the name is not a traffic counter. */
function rateOf(name: string): number | undefined {
  if (/Bytes(Sent|Received)$/.test(name)) return name.endsWith("Received") ? 180_000 : 40_000;
  if (/Packets(Sent|Received)$/.test(name)) return /Multicast|Broadcast/.test(name) ? 0.5 : name.endsWith("Received") ? 160 : 60;
  if (/(Errors|Discard|Unknown|Retrans|Retry|Failure|Fail|Error|Invalid)/.test(name)) return 0.002;
  return undefined;
}

export function liveValues(defs: BbfDefinitions, objects: readonly string[]): Record<string, Dynamic> {
  const out: Record<string, Dynamic> = {};
  for (const o of objects) {
    for (const [name, p] of Object.entries(defs.objects[o]?.p ?? {})) {
      if (name === "LastChange") out[o + name] = upTime;
      const counts = p.t === "unsignedInt" || p.t === "unsignedLong";
      const rate = counts && p.l === undefined && p.an === "c" ? rateOf(name) : undefined;
      if (rate !== undefined) {
        const bits = p.t === "unsignedInt" ? 32 : 64;
        out[o + name] = (d, path) => counter(d, path, rate, bits);
      }
    }
  }
  return out;
}
