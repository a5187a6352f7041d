// GetParameterAttributes / SetParameterAttributes: notification levels and
// access lists. Pure over a DeviceModel.

import type {
  CwmpFault,
  GetParameterAttributes,
  GetParameterAttributesResponse,
  ParameterAttribute,
  SetParameterAttributes,
  SetParameterAttributesResponse,
} from "../../acs/cwmp/messages.ts";
import { CPE_FAULTS, makeFault } from "../../acs/cwmp/faults.ts";
import type { DeviceModel } from "../datamodel/device-model.ts";
import type { ParamNode } from "../datamodel/template.ts";
import { resolveName } from "./parameters.ts";

/** The only AccessList entry TR-069 defines. */
const ACCESS_ENTRIES = new Set(["Subscriber"]);

export function getParameterAttributes(d: DeviceModel, req: GetParameterAttributes): GetParameterAttributesResponse | CwmpFault {
  const out: ParameterAttribute[] = [];
  for (const name of req.parameterNames) {
    const r = resolveName(d, name);
    if (!r) return makeFault(9005, `${CPE_FAULTS[9005]}: ${name}`);
    d.visit(r, true, (path, node) => {
      if (node.kind === "param") out.push({ name: path, notification: d.notification(node, path), accessList: d.accessList(path) });
    });
  }
  return { kind: "GetParameterAttributesResponse", parameterList: out };
}

/** Whether a notification level may be set on a parameter (9009 otherwise). */
function notificationAllowed(node: ParamNode, n: number): boolean {
  if (node.def.an === "f") return n === 2; // forceEnabled: active, always
  if (node.def.an === "c") return n !== 2; // canDeny: we deny active notification (counters, clocks)
  return true;
}

/**
 * All entries are validated before any is applied. A rejected level on a named
 * parameter is fault 9009; on a partial path the parameters that cannot take it
 * keep their level, the others change.
 */
export function setParameterAttributes(d: DeviceModel, req: SetParameterAttributes): SetParameterAttributesResponse | CwmpFault {
  const apply: (() => void)[] = [];
  for (const a of req.parameterList) {
    const r = resolveName(d, a.name);
    if (!r) return makeFault(9005, `${CPE_FAULTS[9005]}: ${a.name}`);
    if (a.notificationChange) {
      if (!Number.isInteger(a.notification) || a.notification < 0 || a.notification > 6) return makeFault(9003, `notification ${a.notification} is out of range`);
      // 3-6 are the CWMP 1.4 lightweight (UDP) notifications, which this CPE does not offer.
      if (a.notification > 2) return makeFault(9009, `${CPE_FAULTS[9009]}: lightweight notification is not supported`);
      if (r.kind === "param" && !notificationAllowed(r.node, a.notification)) return makeFault(9009, `${CPE_FAULTS[9009]}: ${a.name}`);
    }
    if (a.accessListChange && a.accessList.some((x) => !ACCESS_ENTRIES.has(x))) return makeFault(9003, "unknown AccessList entry");
    apply.push(() =>
      d.visit(r, true, (path, node) => {
        if (node.kind !== "param") return;
        if (a.notificationChange && notificationAllowed(node, a.notification)) d.setNotification(node, path, a.notification);
        if (a.accessListChange) d.setAccessList(path, [...a.accessList]);
      }),
    );
  }
  for (const f of apply) f();
  return { kind: "SetParameterAttributesResponse" };
}
