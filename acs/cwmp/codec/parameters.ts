// Parameter RPCs the ACS calls on a CPE: Get/SetParameterValues, GetParameterNames,
// Get/SetParameterAttributes, and the CPE's responses.
import type { Codecs } from "./types.ts";
import { readParameterValue, writeParameterList } from "./structs.ts";
import { array, boolLeaf, intLeaf, leaf, method, stringArray } from "./write.ts";

type Kind =
  | "GetParameterValues"
  | "GetParameterValuesResponse"
  | "SetParameterValues"
  | "SetParameterValuesResponse"
  | "GetParameterNames"
  | "GetParameterNamesResponse"
  | "GetParameterAttributes"
  | "GetParameterAttributesResponse"
  | "SetParameterAttributes"
  | "SetParameterAttributesResponse";

export const parameterCodecs: Codecs<Kind> = {
  GetParameterValues: {
    read: (r) => ({ kind: "GetParameterValues", parameterNames: r.strings("ParameterNames", true) }),
    write: (m) => method("GetParameterValues", stringArray("ParameterNames", m.parameterNames)),
  },
  GetParameterValuesResponse: {
    read: (r) => ({
      kind: "GetParameterValuesResponse",
      parameterList: r.list("ParameterList", true).map(readParameterValue),
    }),
    write: (m) => method("GetParameterValuesResponse", writeParameterList(m.parameterList)),
  },
  SetParameterValues: {
    read: (r) => ({
      kind: "SetParameterValues",
      parameterList: r.list("ParameterList", true).map(readParameterValue),
      parameterKey: r.raw("ParameterKey", ""),
    }),
    write: (m) =>
      method("SetParameterValues", writeParameterList(m.parameterList) + leaf("ParameterKey", m.parameterKey)),
  },
  SetParameterValuesResponse: {
    read: (r) => ({ kind: "SetParameterValuesResponse", status: r.int("Status", { min: 0 }) }),
    write: (m) => method("SetParameterValuesResponse", intLeaf("Status", m.status)),
  },
  GetParameterNames: {
    // An empty ParameterPath means the whole tree, so absence reads the same way.
    read: (r) => ({
      kind: "GetParameterNames",
      parameterPath: r.str("ParameterPath", ""),
      nextLevel: r.bool("NextLevel"),
    }),
    write: (m, o) =>
      method("GetParameterNames", leaf("ParameterPath", m.parameterPath) + boolLeaf("NextLevel", m.nextLevel, o)),
  },
  GetParameterNamesResponse: {
    read: (r) => ({
      kind: "GetParameterNamesResponse",
      parameterList: r
        .list("ParameterList", true)
        .map((p) => ({ name: p.nonEmpty("Name"), writable: p.bool("Writable") })),
    }),
    write: (m, o) =>
      method(
        "GetParameterNamesResponse",
        array(
          "ParameterList",
          "cwmp:ParameterInfoStruct",
          m.parameterList.map(
            (p) => `<ParameterInfoStruct>${leaf("Name", p.name)}${boolLeaf("Writable", p.writable, o)}</ParameterInfoStruct>`,
          ),
        ),
      ),
  },
  GetParameterAttributes: {
    read: (r) => ({ kind: "GetParameterAttributes", parameterNames: r.strings("ParameterNames", true) }),
    write: (m) => method("GetParameterAttributes", stringArray("ParameterNames", m.parameterNames)),
  },
  GetParameterAttributesResponse: {
    read: (r) => ({
      kind: "GetParameterAttributesResponse",
      parameterList: r.list("ParameterList", true).map((p) => ({
        name: p.nonEmpty("Name"),
        notification: p.int("Notification", { min: 0 }),
        accessList: p.strings("AccessList", false),
      })),
    }),
    write: (m) =>
      method(
        "GetParameterAttributesResponse",
        array(
          "ParameterList",
          "cwmp:ParameterAttributeStruct",
          m.parameterList.map(
            (p) =>
              `<ParameterAttributeStruct>${leaf("Name", p.name)}${intLeaf("Notification", p.notification)}` +
              `${stringArray("AccessList", p.accessList)}</ParameterAttributeStruct>`,
          ),
        ),
      ),
  },
  SetParameterAttributes: {
    read: (r) => ({
      kind: "SetParameterAttributes",
      parameterList: r.list("ParameterList", true).map((p) => ({
        name: p.nonEmpty("Name"),
        notificationChange: p.bool("NotificationChange"),
        notification: p.int("Notification", { min: 0 }),
        accessListChange: p.bool("AccessListChange"),
        accessList: p.strings("AccessList", false),
      })),
    }),
    write: (m, o) =>
      method(
        "SetParameterAttributes",
        array(
          "ParameterList",
          "cwmp:SetParameterAttributesStruct",
          m.parameterList.map(
            (p) =>
              `<SetParameterAttributesStruct>${leaf("Name", p.name)}` +
              boolLeaf("NotificationChange", p.notificationChange, o) +
              intLeaf("Notification", p.notification) +
              boolLeaf("AccessListChange", p.accessListChange, o) +
              `${stringArray("AccessList", p.accessList)}</SetParameterAttributesStruct>`,
          ),
        ),
      ),
  },
  SetParameterAttributesResponse: {
    read: () => ({ kind: "SetParameterAttributesResponse" }),
    write: () => method("SetParameterAttributesResponse"),
  },
};
