// SOAP 1.1 Fault carrying a cwmp:Fault detail (with SetParameterValuesFault entries for SPV).
import { CWMP_FAULT_STRING, faultMessage, soapFaultCode } from "../faults.ts";
import type { CwmpFault } from "../messages.ts";
import type { Reader } from "./read.ts";
import type { Codecs } from "./types.ts";
import { escapeText, intLeaf, leaf } from "./write.ts";

/** SOAP faultcode is a QName (soap-env:Client); SOAP 1.2 names (Sender/Receiver) map onto 1.1's. */
function readSoapFaultCode(text: string, code: number): "Client" | "Server" {
  const qname = text.trim();
  const local = qname.slice(qname.indexOf(":") + 1);
  if (local === "Client" || local === "Sender") return "Client";
  if (local === "Server" || local === "Receiver") return "Server";
  return soapFaultCode(code);
}

/** The cwmp:Fault detail; some CPEs put it straight into the Body instead of inside soap-env:Fault. */
function cwmpDetail(r: Reader): Reader {
  return r.has("FaultCode") ? r : r.sub("detail").sub("Fault");
}

export const faultCodecs: Codecs<"Fault"> = {
  Fault: {
    read(r): CwmpFault {
      const d = cwmpDetail(r);
      const code = d.int("FaultCode", { min: 0 });
      return {
        kind: "Fault",
        faultCode: readSoapFaultCode(r.raw("faultcode", ""), code),
        faultString: r.raw("faultstring", CWMP_FAULT_STRING),
        code,
        message: d.raw("FaultString", faultMessage(code) ?? ""),
        setParameterValuesFaults: d.all("SetParameterValuesFault").map((f) => ({
          parameterName: f.str("ParameterName"),
          faultCode: f.int("FaultCode", { min: 0 }),
          faultString: f.raw("FaultString", ""),
        })),
      };
    },
    write(m) {
      const spv = m.setParameterValuesFaults
        .map(
          (f) =>
            `<SetParameterValuesFault>${leaf("ParameterName", f.parameterName)}` +
            `${intLeaf("FaultCode", f.faultCode)}${leaf("FaultString", f.faultString)}</SetParameterValuesFault>`,
        )
        .join("");
      return (
        `<soap-env:Fault><faultcode>${m.faultCode}</faultcode>` +
        `<faultstring>${escapeText(m.faultString)}</faultstring>` +
        `<detail><cwmp:Fault>${intLeaf("FaultCode", m.code)}${leaf("FaultString", m.message)}${spv}</cwmp:Fault></detail>` +
        `</soap-env:Fault>`
      );
    },
  },
};
