// Generic codecs shared by every profile: booleans, numbers, text, secrets,
// lists, units. Model-family helpers (tr181.ts, tr098.ts) and vendor files
// combine them into rows.
import { parseBoolean } from "../../agent/datamodel/values.ts";
import type { BbfType } from "../../agent/datamodel/schema.ts";
import type { ObjectCodec, ValueCodec } from "./types.ts";

const bool = (raw: string): boolean | undefined => {
  const b = parseBoolean(raw);
  return b === undefined ? undefined : b === "true";
};
const str = (b: boolean): string => (b ? "true" : "false");

/** A boolean. Several rows of one key read as their AND (Radio.Enable and SSID.Enable: on only if both are). */
export const flag: ValueCodec<boolean> = {
  kind: "value",
  name: "flag",
  type: "boolean",
  encode: (v) => str(v),
  decode: (raw, acc) => {
    const b = bool(raw);
    return b === undefined ? acc : acc === false ? false : b;
  },
};

/** A boolean stored negated (hidden ↔ SSIDAdvertisementEnabled). */
export const negatedFlag: ValueCodec<boolean> = {
  kind: "value",
  name: "negatedFlag",
  type: "boolean",
  encode: (v) => str(!v),
  decode: (raw, acc) => {
    const b = bool(raw);
    return b === undefined ? acc : !b;
  },
};

/** Plain text, read back as is. */
export const text: ValueCodec<string> = {
  kind: "value",
  name: "text",
  type: "string",
  encode: (v) => v,
  decode: (raw) => raw,
};

/** A secret: hidden/secured parameters read back as "", which says nothing about the value (keep `acc`). */
export const secretText: ValueCodec<string> = {
  kind: "value",
  name: "secretText",
  type: "string",
  encode: (v) => v,
  decode: (raw, acc) => (raw === "" ? acc : raw),
};

/** A non-negative integer as unsignedInt (or another integer type). */
export const integer = (type: Extract<BbfType, "unsignedInt" | "int"> = "unsignedInt"): ValueCodec<number> => ({
  kind: "value",
  name: `integer(${type})`,
  type,
  encode: (v) => String(v),
  decode: (raw, acc) => (/^-?\d+$/.test(raw) ? Number(raw) : acc),
});

/** Writes a fixed value whenever its key is set (PeriodicInformEnable=true with the interval); reads nothing. */
export const alwaysWrite = <V>(type: BbfType, raw: string): ValueCodec<V> => ({
  kind: "value",
  name: `alwaysWrite(${raw})`,
  type,
  values: [raw],
  encode: () => raw,
});

/** Item `index` of a list spread over numbered parameters (NTPServer1…5); unused ones are cleared. */
export const listItem = (index: number): ValueCodec<string[]> => ({
  kind: "value",
  name: `listItem(${index + 1})`,
  type: "string",
  encode: (v) => v[index] ?? "",
  decode: (raw, acc) => (raw === "" ? (acc ?? []) : [...(acc ?? []), raw]),
});

/** A reading in Dbm1000 (dBm × 1000, TR-181 Optical.Interface levels) as dBm. */
export const dbm1000: ValueCodec<number> = {
  kind: "value",
  name: "dbm1000",
  type: "int",
  decode: (raw, acc) => (/^-?\d+$/.test(raw) ? Number(raw) / 1000 : acc),
};

/** A reading in whole units (Mbit/s for CurrentBitRate). */
export const reading: ValueCodec<number> = {
  kind: "value",
  name: "reading",
  type: "unsignedInt",
  decode: (raw, acc) => (/^\d+$/.test(raw) ? Number(raw) : acc),
};

const NO_DATA: Record<string, string> = { unsignedInt: "4294967295", unsignedLong: "18446744073709551615" };

/** A byte counter kept as decimal text (64-bit values exceed a JS number); the "no data" sentinel reads as unknown. */
export const counter = (type: "unsignedInt" | "unsignedLong"): ValueCodec<string> => ({
  kind: "value",
  name: `counter(${type})`,
  type,
  decode: (raw, acc) => (/^\d+$/.test(raw) && raw !== NO_DATA[type] ? raw.replace(/^0+(?=\d)/, "") : acc),
});

/** TR-143 download diagnostics (TR-098 and TR-181 share these parameter names). */
export const downloadDiagnostics: ObjectCodec = {
  kind: "object",
  name: "downloadDiagnostics",
  writes: ["DiagnosticsState", "DownloadURL"],
  reads: ["ROMTime", "BOMTime", "EOMTime", "TestBytesReceived", "TotalBytesReceived"],
};

/** TR-143 upload diagnostics; TR-098 has no TestBytesSent, so only the common results are required. */
export const uploadDiagnostics: ObjectCodec = {
  kind: "object",
  name: "uploadDiagnostics",
  writes: ["DiagnosticsState", "UploadURL", "TestFileLength"],
  reads: ["ROMTime", "BOMTime", "EOMTime", "TotalBytesSent"],
};
