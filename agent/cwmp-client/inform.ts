// Builds the Inform (tr069.md §1.5, §1.7): DeviceId, events, and the
// ParameterList = forced parameters + parameters with notification on whose
// value changed since last reported (with 4 VALUE CHANGE) + enabled
// ManagementServer.InformParameter entries.

import type { EventStruct, Inform, ParameterValue } from "../../acs/cwmp/messages.ts";
import type { DeviceModel } from "../datamodel/device-model.ts";
import { isoSeconds, splitList } from "../datamodel/values.ts";
import { addEvent, VALUE_CHANGE } from "../device/events.ts";
import type { DriverDevice } from "../drivers/driver.ts";
import { wireValue } from "../rpc/parameters.ts";

export interface BuiltInform {
  inform: Inform;
  /** Changed values reported; they become the new baseline once the Inform is delivered. */
  changed: [string, string][];
}

/** Parameters with notification on whose value differs from the last reported one. */
function valueChanges(d: DeviceModel): [string, string][] {
  const changed: [string, string][] = [];
  for (const [path, node] of d.notified()) {
    const now = d.read(node, path);
    const before = d.baseline?.get(path);
    // First sight of a notified parameter: remember it, nothing to report.
    if (before === undefined) d.setBaseline(path, now);
    else if (before !== now) changed.push([path, now]);
  }
  return changed;
}

/** Enabled InformParameter entries whose EventList is empty or names one of the events. */
function informParameterNames(d: DeviceModel, events: readonly EventStruct[]): string[] {
  const table = `${d.root}ManagementServer.InformParameter.`;
  const names: string[] = [];
  for (const id of d.instanceIds(table)) {
    const p = `${table}${id}.`;
    if (d.get(p + "Enable") !== "true") continue;
    const list = splitList(d.get(p + "EventList") ?? "");
    if (list.length && !events.some((e) => list.includes(e.eventCode))) continue;
    const name = d.get(p + "ParameterName") ?? "";
    if (name) names.push(name);
  }
  return names;
}

export function buildInform(dev: DriverDevice, pending: readonly EventStruct[], retryCount: number): BuiltInform {
  const d = dev.model;
  const changed = valueChanges(d);
  let events = [...pending];
  if (changed.length) events = addEvent(events, VALUE_CHANGE);
  const seen = new Set<string>();
  const parameterList: ParameterValue[] = [];
  const add = (path: string): void => {
    const r = seen.has(path) ? null : d.resolve(path);
    if (!r) return;
    d.visit(r, true, (p, node) => {
      if (node.kind !== "param" || seen.has(p)) return;
      seen.add(p);
      parameterList.push(wireValue(d, node, p, dev.readOptions));
    });
  };
  for (const p of dev.informParams) add(p);
  for (const [p] of changed) add(p);
  for (const p of informParameterNames(d, events)) add(p);
  return {
    inform: {
      kind: "Inform",
      deviceId: dev.deviceId,
      events,
      maxEnvelopes: 1,
      currentTime: isoSeconds(d.host.now()),
      retryCount,
      parameterList,
    },
    changed,
  };
}
