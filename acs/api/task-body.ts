// JSON schema of a task request (GenieACS NBI shape: { name, ...args }). One
// `if name = X then <X's arguments>` branch per task name, so ajv reports the
// error of the branch that applies rather than a oneOf summary.

import type { XsdType } from "../cwmp/messages.ts";
import type { TaskName } from "../store/store.ts";
import { ANY_PATH, FILE_TYPE, OBJECT_PATH, PARAMETER_PATH, TRANSFER_URL, type FieldPattern } from "./field-patterns.ts";

export const TASK_NAMES: readonly TaskName[] = [
  "getParameterValues", "setParameterValues", "refreshObject", "addObject", "deleteObject", "reboot", "factoryReset", "download",
];

const XSD_TYPES = [
  "xsd:string", "xsd:int", "xsd:unsignedInt", "xsd:long", "xsd:unsignedLong", "xsd:boolean", "xsd:dateTime", "xsd:base64", "xsd:hexBinary",
] satisfies XsdType[];

const path = (p: FieldPattern) => ({ type: "string", maxLength: 256, pattern: p.pattern }) as const;

/** Parameters in one request: bounded so a single call cannot queue an unbounded RPC. */
const MAX_PARAMETERS = 1000;

/** [path, value, type?]: values travel as strings (ajv coerces 1 and true to "1" and "true"). */
const VALUE_TUPLES = {
  type: "array", minItems: 1, maxItems: MAX_PARAMETERS,
  items: { type: "array", minItems: 2, maxItems: 3, items: [path(PARAMETER_PATH), { type: "string", maxLength: 65536 }, { type: "string", enum: XSD_TYPES }] },
} as const;

const ARGS: Record<TaskName, { properties: Record<string, object>; required: string[] }> = {
  getParameterValues: {
    properties: { parameterNames: { type: "array", minItems: 1, maxItems: MAX_PARAMETERS, items: path(ANY_PATH) } },
    required: ["parameterNames"],
  },
  setParameterValues: { properties: { parameterValues: VALUE_TUPLES }, required: ["parameterValues"] },
  refreshObject: { properties: { objectName: path(ANY_PATH) }, required: ["objectName"] },
  addObject: {
    // parameterValues: names relative to the new instance ("SSID" under Device.WiFi.SSID.<n>.).
    properties: { objectName: path(OBJECT_PATH), parameterValues: VALUE_TUPLES },
    required: ["objectName"],
  },
  deleteObject: { properties: { objectName: path(OBJECT_PATH) }, required: ["objectName"] },
  reboot: { properties: {}, required: [] },
  factoryReset: { properties: {}, required: [] },
  download: {
    properties: {
      fileType: { type: "string", maxLength: 64, pattern: FILE_TYPE.pattern },
      url: { type: "string", maxLength: 1024, pattern: TRANSFER_URL.pattern },
      fileSize: { type: "integer", minimum: 0 },
      // Credentials for the file server, if it asks; masked in every read like any password.
      username: { type: "string", maxLength: 256 },
      password: { type: "string", maxLength: 256 },
      targetFileName: { type: "string", maxLength: 256 },
      delaySeconds: { type: "integer", minimum: 0 },
      successURL: { type: "string", maxLength: 1024, pattern: TRANSFER_URL.pattern },
      failureURL: { type: "string", maxLength: 1024, pattern: TRANSFER_URL.pattern },
    },
    required: ["fileType", "url"],
  },
};

export type TaskBody = { name: TaskName } & Record<string, unknown>;

/** The arguments of a validated body that belong to its task (others are dropped, not stored). */
export function taskArgs(body: TaskBody): Record<string, unknown> {
  return Object.fromEntries(Object.keys(ARGS[body.name].properties).filter((k) => k in body).map((k) => [k, body[k]]));
}

export const TASK_BODY_SCHEMA = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: { type: "string", enum: TASK_NAMES },
    ...Object.assign({}, ...Object.values(ARGS).map((a) => Object.fromEntries(Object.keys(a.properties).map((k) => [k, {}])))),
  },
  allOf: TASK_NAMES.map((name) => ({
    if: { properties: { name: { const: name } }, required: ["name"] },
    then: { properties: ARGS[name].properties, required: ARGS[name].required },
  })),
} as const;
