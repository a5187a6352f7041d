// Answers one ACS request. Parameter RPCs act on the data model at once;
// Reboot, FactoryReset, Download and ScheduleInform return an action that the
// device performs after the session, as TR-069 requires.

import type { AcsRequest, CpeResponse, Download } from "../../acs/cwmp/messages.ts";
import { makeFault } from "../../acs/cwmp/faults.ts";
import type { DeviceModel } from "../datamodel/device-model.ts";
import { UNKNOWN_TIME } from "../datamodel/values.ts";
import { getParameterAttributes, setParameterAttributes } from "./attributes.ts";
import { addObject, deleteObject } from "./objects.ts";
import { getParameterNames, getParameterValues, setParameterValues, type ReadOptions } from "./parameters.ts";

export const RPC_METHODS = [
  "GetRPCMethods",
  "SetParameterValues",
  "GetParameterValues",
  "GetParameterNames",
  "SetParameterAttributes",
  "GetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "Download",
  "ScheduleInform",
  "FactoryReset",
] as const;

export type DeviceAction =
  | { kind: "reboot"; commandKey: string }
  | { kind: "factoryReset" }
  | { kind: "download"; request: Download }
  | { kind: "scheduleInform"; delaySeconds: number; commandKey: string };

export interface RpcOutcome {
  response: CpeResponse;
  /** Something to do once the session is over. */
  action?: DeviceAction;
  /** Parameters the ACS changed (SetParameterValues). */
  changed?: string[];
  /** The device state changed and must be persisted before the response goes out. */
  mutated: boolean;
}

export interface RpcOptions extends ReadOptions {
  /** Downloads already queued; more than 16 pending is refused with 9004 (TransferList holds 16). */
  pendingTransfers?: number;
}

const TRANSFER_PROTOCOLS = /^(https?|ftp):\/\//i;
const FILE_TYPE = /^([1-5] [A-Za-z ]+|X [0-9A-F]{6} .+)$/;

function download(req: Download, opts: RpcOptions): RpcOutcome {
  if (!TRANSFER_PROTOCOLS.test(req.url)) return { response: makeFault(9013), mutated: false };
  if (!FILE_TYPE.test(req.fileType)) return { response: makeFault(9003, `unknown FileType ${req.fileType}`), mutated: false };
  if ((opts.pendingTransfers ?? 0) >= 16) return { response: makeFault(9004, "too many queued transfers"), mutated: false };
  return {
    // Status 1: the download happens after the session; TransferComplete reports it.
    response: { kind: "DownloadResponse", status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME },
    action: { kind: "download", request: req },
    mutated: true,
  };
}

export function handleAcsRequest(d: DeviceModel, req: AcsRequest, opts: RpcOptions = {}): RpcOutcome {
  switch (req.kind) {
    case "GetRPCMethods":
      return { response: { kind: "GetRPCMethodsResponse", methodList: [...RPC_METHODS] }, mutated: false };
    case "GetParameterValues":
      return { response: getParameterValues(d, req, opts), mutated: false };
    case "GetParameterNames":
      return { response: getParameterNames(d, req), mutated: false };
    case "SetParameterValues": {
      const { response, changed } = setParameterValues(d, req);
      return { response, changed, mutated: response.kind !== "Fault" };
    }
    case "GetParameterAttributes":
      return { response: getParameterAttributes(d, req), mutated: false };
    case "SetParameterAttributes": {
      const response = setParameterAttributes(d, req);
      return { response, mutated: response.kind !== "Fault" };
    }
    case "AddObject": {
      const response = addObject(d, req);
      return { response, mutated: response.kind !== "Fault" };
    }
    case "DeleteObject": {
      const response = deleteObject(d, req);
      return { response, mutated: response.kind !== "Fault" };
    }
    case "Reboot":
      return { response: { kind: "RebootResponse" }, action: { kind: "reboot", commandKey: req.commandKey }, mutated: true };
    case "FactoryReset":
      return { response: { kind: "FactoryResetResponse" }, action: { kind: "factoryReset" }, mutated: true };
    case "Download":
      return download(req, opts);
    case "ScheduleInform":
      return {
        response: { kind: "ScheduleInformResponse" },
        action: { kind: "scheduleInform", delaySeconds: req.delaySeconds, commandKey: req.commandKey },
        mutated: true,
      };
    default:
      return { response: makeFault(9000), mutated: false };
  }
}
