// CWMP fault code tables and the Fault builder. Meanings follow ACSFaultCodeType /
// CPEFaultCodeType in cwmp-1-2.xsd (8006 from cwmp-1-4.xsd). The SOAP faultcode
// split (Client = the request was wrong, Server = the receiver failed) mirrors the
// CPE table used by easycwmp/icwmp; the ACS table follows the same logic.
import type { CwmpFault, SetParameterValuesFault } from "./messages.ts";

export const ACS_FAULTS: Readonly<Record<number, string>> = {
  8000: "Method not supported",
  8001: "Request denied (no reason specified)",
  8002: "Internal error",
  8003: "Invalid arguments",
  8004: "Resources exceeded",
  8005: "Retry request",
  8006: "ACS version incompatible with CPE",
};

export const CPE_FAULTS: Readonly<Record<number, string>> = {
  9000: "Method not supported",
  9001: "Request denied (no reason specified)",
  9002: "Internal error",
  9003: "Invalid arguments",
  9004: "Resources exceeded",
  9005: "Invalid parameter name",
  9006: "Invalid parameter type",
  9007: "Invalid parameter value",
  9008: "Attempt to set a non-writable parameter",
  9009: "Notification request rejected",
  9010: "File transfer failure",
  9011: "Upload failure",
  9012: "File transfer server authentication failure",
  9013: "Unsupported protocol for file transfer",
  9014: "File transfer failure: unable to join multicast group",
  9015: "File transfer failure: unable to contact file server",
  9016: "File transfer failure: unable to access file",
  9017: "File transfer failure: unable to complete download",
  9018: "File transfer failure: file corrupted",
  9019: "File transfer failure: file authentication failure",
  9020: "File transfer failure: unable to complete download within specified time windows",
  9021: "Cancelation of file transfer not permitted in current transfer state",
  9022: "Invalid UUID format",
  9023: "Unknown Execution Environment",
  9024: "Disabled Execution Environment",
  9025: "Deployment Unit to Execution Environment mismatch",
  9026: "Duplicate Deployment Unit",
  9027: "System resources exceeded",
  9028: "Unknown Deployment Unit",
  9029: "Invalid Deployment Unit state",
  9030: "Invalid Deployment Unit update: downgrade not permitted",
  9031: "Invalid Deployment Unit update: version not specified",
  9032: "Invalid Deployment Unit update: version already exists",
};

/** Faults caused by what the sender put in its request; every other code is "Server". */
const CLIENT_FAULTS: ReadonlySet<number> = new Set([8003, 9003, 9005, 9006, 9007, 9008]);

/** SOAP faultstring that every CWMP fault carries. */
export const CWMP_FAULT_STRING = "CWMP fault";

/** Standard meaning of a fault code, or undefined for vendor / reserved codes. */
export function faultMessage(code: number): string | undefined {
  return ACS_FAULTS[code] ?? CPE_FAULTS[code];
}

export function soapFaultCode(code: number): "Client" | "Server" {
  return CLIENT_FAULTS.has(code) ? "Client" : "Server";
}

/**
 * A ready-to-serialise Fault. `message` defaults to the standard meaning of
 * `code` (empty for vendor codes); SetParameterValuesFault entries are kept as given.
 */
export function makeFault(
  code: number,
  message?: string,
  spvFaults: SetParameterValuesFault[] = [],
): CwmpFault {
  return {
    kind: "Fault",
    faultCode: soapFaultCode(code),
    faultString: CWMP_FAULT_STRING,
    code,
    message: message ?? faultMessage(code) ?? "",
    setParameterValuesFaults: spvFaults.map((f) => ({ ...f })),
  };
}
