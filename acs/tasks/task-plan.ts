// Pure translation of tasks into RPCs and of CPE answers into task outcomes.
// Multi-RPC tasks (refreshObject, addObject with values) are small step
// machines; the task source (task-source.ts) does the I/O around them.

import { isSecretParameterName } from "../secrets.ts";
import type { AcsRequest, CpeResponse, CwmpFault, ParameterInfo, ParameterValue, XsdType } from "../cwmp/messages.ts";
import { isPermanentFault } from "./retry-policy.ts";
import type { TypedTask, ValueTuple } from "./task-args.ts";

export type TaskStep =
  /** The one RPC of a single-RPC task. */
  | { stage: "single" }
  | { stage: "refreshNames" }
  | { stage: "refreshValues"; infos: ParameterInfo[] }
  | { stage: "addObject" }
  | { stage: "addObjectValues"; instance: number };

export interface PlannedStep {
  step: TaskStep;
  rpc: AcsRequest;
}

/** A node to write into the device's parameter tree; `writable` undefined = keep what the store knows. */
export interface ParamWrite {
  name: string;
  value: string;
  type: XsdType | "object";
  writable?: boolean;
}

export interface StoreChange {
  set: ParamWrite[];
  deleteSubtrees: string[];
  /** Replace this subtree: nodes under it that are not in `set` have vanished from the device. */
  replace?: string;
}

export type TaskOutcome =
  | { kind: "next"; planned: PlannedStep; progress?: unknown }
  | { kind: "done"; result: unknown; change: StoreChange }
  /** Download accepted, not applied yet: the task waits for TransferComplete. */
  | { kind: "awaitTransfer"; result: unknown }
  | { kind: "fault"; code: string; message: string; detail: unknown; permanent: boolean; result?: unknown };

/** The instance an earlier session's AddObject created, kept in the task result so AddObject is never repeated. */
export function createdInstance(result: unknown): number | null {
  const n = (result as { instanceNumber?: unknown } | null)?.instanceNumber;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : null;
}

function inferType(value: ValueTuple[1]): XsdType {
  if (typeof value === "boolean") return "xsd:boolean";
  if (typeof value === "number" && Number.isInteger(value)) return value >= 0 ? "xsd:unsignedInt" : "xsd:int";
  return "xsd:string";
}

/** Names whose xsi:type must come from the store (the task gave none). */
export function untypedNames(t: TypedTask): string[] {
  if (t.name === "setParameterValues") return t.args.parameterValues.filter((v) => v.length === 2).map((v) => v[0]);
  if (t.name === "addObject") {
    // A fresh instance has no stored types yet; one created by an earlier session may.
    const instance = createdInstance(t.task.result);
    if (instance === null) return [];
    return (t.args.parameterValues ?? []).filter((v) => v.length === 2).map((v) => `${t.args.objectName}${instance}.${v[0]}`);
  }
  return [];
}

function parameterList(tuples: ValueTuple[], prefix: string, known: ReadonlyMap<string, XsdType | "object">): ParameterValue[] {
  return tuples.map(([rel, value, type]) => {
    const name = prefix + rel;
    const stored = known.get(name);
    return { name, value: String(value), type: type ?? (stored && stored !== "object" ? stored : inferType(value)) };
  });
}

/**
 * The first RPC of a task. `key` is the task's ParameterKey / CommandKey
 * (≤ 32 chars); `known` gives stored types for untyped values.
 */
export function firstStep(t: TypedTask, key: string, known: ReadonlyMap<string, XsdType | "object">): PlannedStep {
  const single = (rpc: AcsRequest): PlannedStep => ({ step: { stage: "single" }, rpc });
  switch (t.name) {
    case "getParameterValues":
      return single({ kind: "GetParameterValues", parameterNames: t.args.parameterNames });
    case "setParameterValues":
      return single({ kind: "SetParameterValues", parameterList: parameterList(t.args.parameterValues, "", known), parameterKey: key });
    case "refreshObject":
      return { step: { stage: "refreshNames" }, rpc: { kind: "GetParameterNames", parameterPath: t.args.objectName, nextLevel: false } };
    case "addObject": {
      const instance = createdInstance(t.task.result);
      if (instance !== null && t.args.parameterValues?.length) return addObjectValues(t, instance, key, known);
      return { step: { stage: "addObject" }, rpc: { kind: "AddObject", objectName: t.args.objectName, parameterKey: key } };
    }
    case "deleteObject":
      return single({ kind: "DeleteObject", objectName: t.args.objectName, parameterKey: key });
    case "reboot":
      return single({ kind: "Reboot", commandKey: key });
    case "factoryReset":
      return single({ kind: "FactoryReset" });
    case "download": {
      const a = t.args;
      return single({
        kind: "Download", commandKey: key, fileType: a.fileType, url: a.url,
        username: a.username ?? "", password: a.password ?? "", fileSize: a.fileSize ?? 0,
        targetFileName: a.targetFileName ?? "", delaySeconds: a.delaySeconds ?? 0,
        successURL: a.successURL ?? "", failureURL: a.failureURL ?? "",
      });
    }
  }
}

function addObjectValues(t: TypedTask & { name: "addObject" }, instance: number, key: string, known: ReadonlyMap<string, XsdType | "object">): PlannedStep {
  const prefix = `${t.args.objectName}${instance}.`;
  return {
    step: { stage: "addObjectValues", instance },
    rpc: { kind: "SetParameterValues", parameterList: parameterList(t.args.parameterValues ?? [], prefix, known), parameterKey: key },
  };
}

/** What the tree should hold after a successful set: secrets are kept empty, as CPEs read them back. */
function setWrites(list: ParameterValue[]): ParamWrite[] {
  return list.map((p) => ({ name: p.name, value: isSecretParameterName(p.name) ? "" : p.value, type: p.type, writable: true }));
}

function faultOutcome(f: CwmpFault): TaskOutcome {
  const nested = f.setParameterValuesFaults;
  return {
    kind: "fault",
    code: `cwmp.${f.code}`,
    message: f.message || f.faultString,
    detail: nested.length > 0 ? { setParameterValuesFaults: nested } : null,
    permanent: isPermanentFault(f.code) || (nested.length > 0 && nested.every((n) => isPermanentFault(n.faultCode))),
  };
}

const protocolFault = (what: string): TaskOutcome => ({ kind: "fault", code: "task.protocol", message: what, detail: null, permanent: false });

const done = (result: unknown, change: Partial<StoreChange> = {}): TaskOutcome => ({
  kind: "done", result, change: { set: change.set ?? [], deleteSubtrees: change.deleteSubtrees ?? [], ...(change.replace && { replace: change.replace }) },
});

/** Interprets the CPE's answer to `planned` (the state machine already matched its kind and cwmp:ID). */
export function onStepResponse(
  t: TypedTask, planned: PlannedStep, key: string, response: CpeResponse, known: ReadonlyMap<string, XsdType | "object">,
): TaskOutcome {
  const { step, rpc } = planned;
  if (response.kind === "Fault") {
    // The object is gone from the device: the refresh's answer is "no such subtree".
    if (t.name === "refreshObject" && response.code === 9005) return done({ exists: false }, { deleteSubtrees: [t.args.objectName] });
    const outcome = faultOutcome(response);
    // AddObject already created the instance: repeating it would create another one.
    if (step.stage === "addObjectValues" && outcome.kind === "fault") return { ...outcome, permanent: true, result: { instanceNumber: step.instance } };
    return outcome;
  }
  switch (response.kind) {
    case "GetParameterValuesResponse": {
      const values = response.parameterList;
      if (step.stage === "refreshValues") {
        const infos = new Map(step.infos.map((i) => [i.name, i.writable]));
        const objects = step.infos.filter((i) => i.name.endsWith(".")).map((i) => ({ name: i.name, value: "", type: "object" as const, writable: i.writable }));
        const leaves = values.map((v) => ({ name: v.name, value: v.value, type: v.type, writable: infos.get(v.name) ?? false }));
        return done({ parameters: step.infos.length }, { set: [...objects, ...leaves], replace: (t.args as { objectName: string }).objectName });
      }
      return done({ parameterValues: values.map((v) => [v.name, v.value, v.type]) }, { set: values.map((v) => ({ name: v.name, value: v.value, type: v.type })) });
    }
    case "SetParameterValuesResponse": {
      if (rpc.kind !== "SetParameterValues") return protocolFault("SetParameterValuesResponse to another request");
      if (step.stage === "addObjectValues" && t.name === "addObject") {
        const object = { name: `${t.args.objectName}${step.instance}.`, value: "", type: "object" as const, writable: true };
        return done({ instanceNumber: step.instance, status: response.status }, { set: [object, ...setWrites(rpc.parameterList)] });
      }
      return done({ status: response.status }, { set: setWrites(rpc.parameterList) });
    }
    case "GetParameterNamesResponse": {
      if (t.name !== "refreshObject") return protocolFault("GetParameterNamesResponse outside a refresh");
      const infos = response.parameterList;
      const leaves = infos.filter((i) => !i.name.endsWith(".")).map((i) => i.name);
      if (leaves.length === 0) {
        const objects = infos.map((i) => ({ name: i.name, value: "", type: "object" as const, writable: i.writable }));
        return done({ parameters: infos.length }, { set: objects, replace: t.args.objectName });
      }
      return { kind: "next", planned: { step: { stage: "refreshValues", infos }, rpc: { kind: "GetParameterValues", parameterNames: leaves } } };
    }
    case "AddObjectResponse": {
      if (t.name !== "addObject") return protocolFault("AddObjectResponse outside addObject");
      const instance = response.instanceNumber;
      if (t.args.parameterValues?.length) {
        return { kind: "next", planned: addObjectValues(t, instance, key, known), progress: { instanceNumber: instance } };
      }
      const object = { name: `${t.args.objectName}${instance}.`, value: "", type: "object" as const, writable: true };
      return done({ instanceNumber: instance, status: response.status }, { set: [object] });
    }
    case "DeleteObjectResponse":
      if (t.name !== "deleteObject") return protocolFault("DeleteObjectResponse outside deleteObject");
      return done({ status: response.status }, { deleteSubtrees: [t.args.objectName] });
    case "RebootResponse":
    case "FactoryResetResponse":
      return done({});
    case "DownloadResponse":
      if (response.status === 0) return done({ status: 0, startTime: response.startTime, completeTime: response.completeTime });
      return { kind: "awaitTransfer", result: { status: response.status, commandKey: key } };
    default:
      return protocolFault(`unexpected ${response.kind}`);
  }
}

/**
 * Topmost stored nodes under `root` that are absent from `present`: the
 * minimal delete list (a vanished object takes its subtree with it).
 */
export function vanishedNodes(stored: Iterable<string>, present: ReadonlySet<string>, root: string): string[] {
  const gone = [...stored].filter((p) => p !== root && p.startsWith(root) && !present.has(p)).sort();
  const out: string[] = [];
  for (const p of gone) {
    const last = out[out.length - 1];
    if (last !== undefined && last.endsWith(".") && p.startsWith(last)) continue;
    out.push(p);
  }
  return out;
}
