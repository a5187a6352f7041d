// Object and device-control RPCs the ACS calls on a CPE: AddObject, DeleteObject,
// Reboot, FactoryReset, Download, ScheduleInform, and the CPE's responses.
import type { Codecs } from "./types.ts";
import { intLeaf, leaf, method } from "./write.ts";

type Kind =
  | "AddObject"
  | "AddObjectResponse"
  | "DeleteObject"
  | "DeleteObjectResponse"
  | "Reboot"
  | "RebootResponse"
  | "FactoryReset"
  | "FactoryResetResponse"
  | "Download"
  | "DownloadResponse"
  | "ScheduleInform"
  | "ScheduleInformResponse";

export const deviceControlCodecs: Codecs<Kind> = {
  AddObject: {
    read: (r) => ({ kind: "AddObject", objectName: r.nonEmpty("ObjectName"), parameterKey: r.raw("ParameterKey", "") }),
    write: (m) => method("AddObject", leaf("ObjectName", m.objectName) + leaf("ParameterKey", m.parameterKey)),
  },
  AddObjectResponse: {
    read: (r) => ({
      kind: "AddObjectResponse",
      instanceNumber: r.int("InstanceNumber", { min: 0 }),
      status: r.int("Status", { min: 0 }),
    }),
    write: (m) => method("AddObjectResponse", intLeaf("InstanceNumber", m.instanceNumber) + intLeaf("Status", m.status)),
  },
  DeleteObject: {
    read: (r) => ({
      kind: "DeleteObject",
      objectName: r.nonEmpty("ObjectName"),
      parameterKey: r.raw("ParameterKey", ""),
    }),
    write: (m) => method("DeleteObject", leaf("ObjectName", m.objectName) + leaf("ParameterKey", m.parameterKey)),
  },
  DeleteObjectResponse: {
    read: (r) => ({ kind: "DeleteObjectResponse", status: r.int("Status", { min: 0 }) }),
    write: (m) => method("DeleteObjectResponse", intLeaf("Status", m.status)),
  },
  Reboot: {
    read: (r) => ({ kind: "Reboot", commandKey: r.raw("CommandKey", "") }),
    write: (m) => method("Reboot", leaf("CommandKey", m.commandKey)),
  },
  RebootResponse: {
    read: () => ({ kind: "RebootResponse" }),
    write: () => method("RebootResponse"),
  },
  FactoryReset: {
    read: () => ({ kind: "FactoryReset" }),
    write: () => method("FactoryReset"),
  },
  FactoryResetResponse: {
    read: () => ({ kind: "FactoryResetResponse" }),
    write: () => method("FactoryResetResponse"),
  },
  Download: {
    read: (r) => ({
      kind: "Download",
      commandKey: r.raw("CommandKey", ""),
      fileType: r.nonEmpty("FileType"),
      url: r.nonEmpty("URL"),
      username: r.raw("Username", ""),
      password: r.raw("Password", ""),
      fileSize: r.int("FileSize", { fallback: 0, min: 0 }),
      targetFileName: r.raw("TargetFileName", ""),
      delaySeconds: r.int("DelaySeconds", { fallback: 0, min: 0 }),
      successURL: r.raw("SuccessURL", ""),
      failureURL: r.raw("FailureURL", ""),
    }),
    write: (m) =>
      method(
        "Download",
        leaf("CommandKey", m.commandKey) +
          leaf("FileType", m.fileType) +
          leaf("URL", m.url) +
          leaf("Username", m.username) +
          leaf("Password", m.password) +
          intLeaf("FileSize", m.fileSize) +
          leaf("TargetFileName", m.targetFileName) +
          intLeaf("DelaySeconds", m.delaySeconds) +
          leaf("SuccessURL", m.successURL) +
          leaf("FailureURL", m.failureURL),
      ),
  },
  DownloadResponse: {
    read: (r) => ({
      kind: "DownloadResponse",
      status: r.int("Status", { min: 0 }),
      startTime: r.str("StartTime", ""),
      completeTime: r.str("CompleteTime", ""),
    }),
    write: (m) =>
      method(
        "DownloadResponse",
        intLeaf("Status", m.status) + leaf("StartTime", m.startTime) + leaf("CompleteTime", m.completeTime),
      ),
  },
  ScheduleInform: {
    read: (r) => ({
      kind: "ScheduleInform",
      delaySeconds: r.int("DelaySeconds", { min: 0 }),
      commandKey: r.raw("CommandKey", ""),
    }),
    write: (m) => method("ScheduleInform", intLeaf("DelaySeconds", m.delaySeconds) + leaf("CommandKey", m.commandKey)),
  },
  ScheduleInformResponse: {
    read: () => ({ kind: "ScheduleInformResponse" }),
    write: () => method("ScheduleInformResponse"),
  },
};
