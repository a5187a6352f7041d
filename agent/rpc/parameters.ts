// GetParameterValues, SetParameterValues, GetParameterNames over a DeviceModel.
// Pure: no I/O; faults are returned as CwmpFault values.

import type {
  CwmpFault,
  GetParameterNames,
  GetParameterNamesResponse,
  GetParameterValues,
  GetParameterValuesResponse,
  ParameterInfo,
  ParameterValue,
  SetParameterValues,
  SetParameterValuesFault,
  SetParameterValuesResponse,
} from "../../acs/cwmp/messages.ts";
import { CPE_FAULTS, makeFault } from "../../acs/cwmp/faults.ts";
import type { DeviceModel, Resolved, Visited } from "../datamodel/device-model.ts";
import type { ParamNode } from "../datamodel/template.ts";
import { splitList, valueOk, xsdTypeOf } from "../datamodel/values.ts";

export interface ReadOptions {
  /** Quirk of some legacy CPEs: booleans reported as 1/0. */
  booleanDigits?: boolean;
}

/** "" addresses the whole tree, as some ACSs use it. */
export const resolveName = (d: DeviceModel, name: string): Resolved | null => d.resolve(name === "" ? d.root : name);

/** A parameter's value as the ACS sees it: secrets read back empty. */
export function wireValue(d: DeviceModel, node: ParamNode, path: string, opts: ReadOptions = {}): ParameterValue {
  let value = node.def.s ? "" : d.read(node, path);
  if (opts.booleanDigits && node.def.t === "boolean" && node.def.l === undefined) value = value === "true" ? "1" : "0";
  return { name: path, value, type: xsdTypeOf(node.def) };
}

export function getParameterValues(d: DeviceModel, req: GetParameterValues, opts: ReadOptions = {}): GetParameterValuesResponse | CwmpFault {
  const out: ParameterValue[] = [];
  for (const name of req.parameterNames) {
    const r = resolveName(d, name);
    if (!r) return makeFault(9005, `${CPE_FAULTS[9005]}: ${name}`);
    d.visit(r, true, (path, node) => {
      if (node.kind === "param") out.push(wireValue(d, node, path, opts));
    });
  }
  return { kind: "GetParameterValuesResponse", parameterList: out };
}

const objectWritable = (node: Visited): boolean =>
  node.kind === "table" ? node.writable : node.kind === "object" ? (node.owner?.writable ?? false) : node.def.w === 1;

export function getParameterNames(d: DeviceModel, req: GetParameterNames): GetParameterNamesResponse | CwmpFault {
  const path = req.parameterPath;
  if (path === "" && req.nextLevel) {
    return { kind: "GetParameterNamesResponse", parameterList: [{ name: d.root, writable: false }] };
  }
  const r = resolveName(d, path);
  if (!r) return makeFault(9005, `${CPE_FAULTS[9005]}: ${path}`);
  if (r.kind === "param" && req.nextLevel) return makeFault(9003, "NextLevel=true needs an object path");
  const list: ParameterInfo[] = [];
  if (req.nextLevel) for (const [p, node] of d.children(r)) list.push({ name: p, writable: objectWritable(node) });
  else d.visit(r, true, (p, node) => list.push({ name: p, writable: objectWritable(node) }));
  return { kind: "GetParameterNamesResponse", parameterList: list };
}

const spvFault = (parameterName: string, code: number): SetParameterValuesFault => ({
  parameterName,
  faultCode: code,
  faultString: CPE_FAULTS[code] ?? "",
});

/** Per-parameter check of one SetParameterValues entry: a fault code, or 0 when it may be applied. */
function checkSet(d: DeviceModel, pv: ParameterValue): { code: number; node?: ParamNode } {
  const r = d.resolve(pv.name);
  if (r?.kind !== "param") return { code: 9005 };
  const def = r.node.def;
  if (def.w !== 1) return { code: 9008 };
  if (pv.type !== xsdTypeOf(def)) return { code: 9006 };
  const allowed = def.er ? splitList(d.get(pv.name.slice(0, pv.name.lastIndexOf(".") + 1) + def.er) ?? "") : undefined;
  if (!valueOk(def, pv.value, allowed)) return { code: 9007 };
  if (r.node.check && !r.node.check(d, pv.name, pv.value)) return { code: 9007 };
  return { code: 0, node: r.node };
}

export const parameterKeyPath = (d: DeviceModel): string => `${d.root}ManagementServer.ParameterKey`;

/**
 * All or nothing: every entry is checked first; any failure returns 9003 with one
 * SetParameterValuesFault per failing parameter and changes nothing. On success
 * the values and ParameterKey are written and the changed paths returned.
 */
export function setParameterValues(d: DeviceModel, req: SetParameterValues): { response: SetParameterValuesResponse | CwmpFault; changed: string[] } {
  const faults: SetParameterValuesFault[] = [];
  const ok: [ParamNode, ParameterValue][] = [];
  const seen = new Set<string>();
  for (const pv of req.parameterList) {
    if (seen.has(pv.name)) return { response: makeFault(9003, `${pv.name} appears more than once`), changed: [] };
    seen.add(pv.name);
    const { code, node } = checkSet(d, pv);
    if (code) faults.push(spvFault(pv.name, code));
    else ok.push([node!, pv]);
  }
  if (faults.length) return { response: makeFault(9003, undefined, faults), changed: [] };
  for (const [node, pv] of ok) {
    d.write(node, pv.name, pv.value);
    d.acknowledge(node, pv.name);
  }
  d.set(parameterKeyPath(d), req.parameterKey);
  return { response: { kind: "SetParameterValuesResponse", status: 0 }, changed: ok.map(([, pv]) => pv.name) };
}
