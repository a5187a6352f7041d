// AddObject / DeleteObject on multi-instance tables. Pure over a DeviceModel.

import type { AddObject, AddObjectResponse, CwmpFault, DeleteObject, DeleteObjectResponse } from "../../acs/cwmp/messages.ts";
import { CPE_FAULTS, makeFault } from "../../acs/cwmp/faults.ts";
import type { DeviceModel } from "../datamodel/device-model.ts";
import { parameterKeyPath } from "./parameters.ts";

export function addObject(d: DeviceModel, req: AddObject): AddObjectResponse | CwmpFault {
  const r = req.objectName.endsWith(".") ? d.resolve(req.objectName) : null;
  if (r?.kind !== "table" || !r.node.writable) return makeFault(9005, `${CPE_FAULTS[9005]}: ${req.objectName}`);
  const id = d.addInstance(r.path, r.node);
  if (id === null) return makeFault(9004, `${req.objectName} already holds its maximum number of instances`);
  d.set(parameterKeyPath(d), req.parameterKey);
  return { kind: "AddObjectResponse", instanceNumber: id, status: 0 };
}

export function deleteObject(d: DeviceModel, req: DeleteObject): DeleteObjectResponse | CwmpFault {
  const r = req.objectName.endsWith(".") ? d.resolve(req.objectName) : null;
  if (r?.kind !== "object" || !r.node.owner?.writable) return makeFault(9005, `${CPE_FAULTS[9005]}: ${req.objectName}`);
  d.deleteInstance(r.path);
  d.set(parameterKeyPath(d), req.parameterKey);
  return { kind: "DeleteObjectResponse", status: 0 };
}
