// Methods a CPE calls on the ACS (Inform, TransferComplete, AutonomousTransferComplete,
// GetRPCMethods) and the ACS's responses to them.
import type { Codecs } from "./types.ts";
import { readFaultStruct, readParameterValue, writeFaultStruct, writeParameterList } from "./structs.ts";
import { array, boolLeaf, intLeaf, leaf, method, stringArray } from "./write.ts";

type Kind =
  | "Inform"
  | "InformResponse"
  | "TransferComplete"
  | "TransferCompleteResponse"
  | "AutonomousTransferComplete"
  | "AutonomousTransferCompleteResponse"
  | "GetRPCMethods"
  | "GetRPCMethodsResponse";

export const cpeRequestCodecs: Codecs<Kind> = {
  Inform: {
    read(r) {
      const d = r.sub("DeviceId");
      return {
        kind: "Inform",
        // OUI and SerialNumber identify the device; without them the Inform is useless.
        deviceId: {
          manufacturer: d.str("Manufacturer", ""),
          oui: d.nonEmpty("OUI"),
          productClass: d.str("ProductClass", ""),
          serialNumber: d.nonEmpty("SerialNumber"),
        },
        events: r.list("Event", false).map((e) => ({
          eventCode: e.nonEmpty("EventCode"),
          commandKey: e.raw("CommandKey", ""),
        })),
        maxEnvelopes: r.int("MaxEnvelopes", { fallback: 1, min: 0 }),
        currentTime: r.str("CurrentTime", ""),
        retryCount: r.int("RetryCount", { fallback: 0, min: 0 }),
        parameterList: r.list("ParameterList", false).map(readParameterValue),
      };
    },
    write(m) {
      const d = m.deviceId;
      const events = m.events.map(
        (e) => `<EventStruct>${leaf("EventCode", e.eventCode)}${leaf("CommandKey", e.commandKey)}</EventStruct>`,
      );
      return method(
        "Inform",
        `<DeviceId>${leaf("Manufacturer", d.manufacturer)}${leaf("OUI", d.oui)}` +
          `${leaf("ProductClass", d.productClass)}${leaf("SerialNumber", d.serialNumber)}</DeviceId>` +
          array("Event", "cwmp:EventStruct", events) +
          intLeaf("MaxEnvelopes", m.maxEnvelopes) +
          leaf("CurrentTime", m.currentTime) +
          intLeaf("RetryCount", m.retryCount) +
          writeParameterList(m.parameterList),
      );
    },
  },
  InformResponse: {
    read: (r) => ({ kind: "InformResponse", maxEnvelopes: r.int("MaxEnvelopes", { fallback: 1, min: 0 }) }),
    write: (m) => method("InformResponse", intLeaf("MaxEnvelopes", m.maxEnvelopes)),
  },
  TransferComplete: {
    read: (r) => ({
      kind: "TransferComplete",
      commandKey: r.raw("CommandKey", ""),
      fault: readFaultStruct(r),
      startTime: r.str("StartTime", ""),
      completeTime: r.str("CompleteTime", ""),
    }),
    write: (m) =>
      method(
        "TransferComplete",
        leaf("CommandKey", m.commandKey) +
          writeFaultStruct(m.fault) +
          leaf("StartTime", m.startTime) +
          leaf("CompleteTime", m.completeTime),
      ),
  },
  TransferCompleteResponse: {
    read: () => ({ kind: "TransferCompleteResponse" }),
    write: () => method("TransferCompleteResponse"),
  },
  AutonomousTransferComplete: {
    read: (r) => ({
      kind: "AutonomousTransferComplete",
      announceURL: r.raw("AnnounceURL", ""),
      transferURL: r.raw("TransferURL", ""),
      isDownload: r.bool("IsDownload"),
      fileType: r.str("FileType", ""),
      fileSize: r.int("FileSize", { fallback: 0, min: 0 }),
      targetFileName: r.raw("TargetFileName", ""),
      fault: readFaultStruct(r),
      startTime: r.str("StartTime", ""),
      completeTime: r.str("CompleteTime", ""),
    }),
    write: (m, o) =>
      method(
        "AutonomousTransferComplete",
        leaf("AnnounceURL", m.announceURL) +
          leaf("TransferURL", m.transferURL) +
          boolLeaf("IsDownload", m.isDownload, o) +
          leaf("FileType", m.fileType) +
          intLeaf("FileSize", m.fileSize) +
          leaf("TargetFileName", m.targetFileName) +
          writeFaultStruct(m.fault) +
          leaf("StartTime", m.startTime) +
          leaf("CompleteTime", m.completeTime),
      ),
  },
  AutonomousTransferCompleteResponse: {
    read: () => ({ kind: "AutonomousTransferCompleteResponse" }),
    write: () => method("AutonomousTransferCompleteResponse"),
  },
  GetRPCMethods: {
    read: () => ({ kind: "GetRPCMethods" }),
    write: () => method("GetRPCMethods"),
  },
  GetRPCMethodsResponse: {
    read: (r) => ({ kind: "GetRPCMethodsResponse", methodList: r.strings("MethodList", true) }),
    write: (m) => method("GetRPCMethodsResponse", stringArray("MethodList", m.methodList)),
  },
};
