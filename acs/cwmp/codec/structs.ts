// Structures shared by several RPCs: ParameterValueStruct (Inform, GPV response,
// SPV) and the TransferComplete FaultStruct (TransferComplete, AutonomousTransferComplete).
import type { FaultStruct, ParameterValue } from "../messages.ts";
import type { Reader } from "./read.ts";
import { array, escapeAttr, escapeText, intLeaf, leaf } from "./write.ts";

export function readParameterValue(r: Reader): ParameterValue {
  return { name: r.nonEmpty("Name"), value: r.raw("Value", ""), type: r.xsiType("Value") };
}

/** Values go out exactly as given, typed by xsi:type; they are never converted. */
export function writeParameterList(list: readonly ParameterValue[]): string {
  return array(
    "ParameterList",
    "cwmp:ParameterValueStruct",
    list.map(
      (p) =>
        `<ParameterValueStruct>${leaf("Name", p.name)}` +
        `<Value xsi:type="${escapeAttr(p.type)}">${escapeText(p.value)}</Value></ParameterValueStruct>`,
    ),
  );
}

export function readFaultStruct(r: Reader): FaultStruct {
  const f = r.sub("FaultStruct");
  return { faultCode: f.int("FaultCode", { min: 0 }), faultString: f.raw("FaultString", "") };
}

export function writeFaultStruct(f: FaultStruct): string {
  return `<FaultStruct>${intLeaf("FaultCode", f.faultCode)}${leaf("FaultString", f.faultString)}</FaultStruct>`;
}
