// What the lines API returns: response schemas (a field not listed cannot
// reach a client) and views with secrets masked (Wi-Fi passphrases, PPPoE
// password) and times in ISO 8601.
import { redactSecrets } from "../secrets.ts";
import type { Line } from "./line.ts";

const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;
const int = { type: "integer" } as const;
const range = { type: "object", properties: { min: int, max: int } } as const;
const band = {
  type: "object",
  properties: { enabled: bool, ssid: str, passphrase: str, security: str, channel: { type: ["integer", "string"] }, hidden: bool, insecureOverride: bool },
} as const;

export const LINE_SCHEMA = {
  type: "object",
  properties: {
    id: str,
    subscriber: { type: "object", properties: { id: str, name: str } },
    address: str,
    commune: str,
    rates: { type: "object", properties: { download: range, upload: range } },
    wifi: { type: "object", properties: { "2.4GHz": band, "5GHz": band } },
    wan: {
      type: "object",
      properties: { mode: str, vlan: { type: ["integer", "string"] }, pppoe: { type: "object", properties: { username: str, password: str } } },
    },
    router: { type: "object", properties: { serial: str, customerOwned: bool } },
    ontSerial: { type: ["string", "null"] },
    version: int,
    createdAt: str,
    updatedAt: str,
    devices: {
      type: "array",
      items: { type: "object", properties: { deviceId: str, role: str, status: str } },
    },
    /** Insecure Wi-Fi modes allowed by an explicit override. */
    warnings: { type: "array", items: { type: "object", properties: { field: str, message: str } } },
  },
} as const;

export const FIELD_ERRORS_SCHEMA = {
  type: "object",
  properties: {
    error: str,
    message: str,
    errors: { type: "array", items: { type: "object", properties: { field: str, message: str } } },
  },
} as const;

const ROW_ERROR = { type: "object", properties: { row: int, line: int, field: str, message: str } } as const;

export const IMPORT_RESULT_SCHEMA = {
  type: "object",
  properties: { imported: int, rejectedRows: int, errors: { type: "array", items: ROW_ERROR } },
} as const;

export const IMPORT_REFUSED_SCHEMA = {
  type: "object",
  properties: { error: str, message: str, rejectedRows: int, errors: { type: "array", items: ROW_ERROR } },
} as const;

export function lineView(line: Line): Record<string, unknown> {
  return redactSecrets({ ...line, createdAt: new Date(line.createdAt).toISOString(), updatedAt: new Date(line.updatedAt).toISOString() });
}
