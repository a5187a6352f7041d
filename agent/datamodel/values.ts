// Value rules of the BBF types: the wire type of a parameter, its zero value,
// and whether a string is a valid value (type syntax, enumerations, ranges,
// lengths). Values stay strings; 64-bit integers are checked with BigInt.

import type { XsdType } from "../../acs/cwmp/messages.ts";
import type { BbfParam, BbfType, Range } from "./schema.ts";

/** TR-069 Unknown Time, used for dateTime values the device does not know. */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

export const xsdTypeOf = (p: BbfParam): XsdType => `xsd:${p.t}`;

export function zeroValue(p: BbfParam): string {
  if (p.l !== undefined) return "";
  switch (p.t) {
    case "boolean":
      return "false";
    case "dateTime":
      return UNKNOWN_TIME;
    case "int":
    case "long":
    case "unsignedInt":
    case "unsignedLong":
      return lowestInRange(p.r) ?? "0";
    default:
      return p.e?.[0] ?? "";
  }
}

function lowestInRange(r: Range[] | undefined): string | undefined {
  if (!r?.length) return undefined;
  const [min, max] = r[0]!;
  if (min !== null && BigInt(min) > 0n) return String(min);
  if (max !== null && BigInt(max) < 0n) return String(max);
  return undefined;
}

const INT_BOUNDS: Record<string, [bigint, bigint]> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/** Canonical boolean literal; undefined when the text is not a boolean. */
export function parseBoolean(v: string): "true" | "false" | undefined {
  const s = v.trim();
  return s === "true" || s === "1" ? "true" : s === "false" || s === "0" ? "false" : undefined;
}

/** Checks one scalar (a whole value, or one list item) against a type and the facets. */
function scalarOk(t: BbfType, p: BbfParam, v: string): boolean {
  switch (t) {
    case "boolean":
      return parseBoolean(v) !== undefined;
    case "dateTime":
      return DATE_TIME.test(v) && !Number.isNaN(Date.parse(v.startsWith("0001-") ? "2000" + v.slice(4) : v));
    case "int":
    case "long":
    case "unsignedInt":
    case "unsignedLong": {
      if (!/^-?\d+$/.test(v)) return false;
      const n = BigInt(v);
      const [lo, hi] = INT_BOUNDS[t]!;
      if (n < lo || n > hi) return false;
      return !p.r?.length || p.r.some(([min, max]) => (min === null || n >= BigInt(min)) && (max === null || n <= BigInt(max)));
    }
    case "base64": {
      if (!BASE64.test(v)) return false;
      return lengthOk(p, Buffer.from(v, "base64").length);
    }
    case "hexBinary":
      return HEX.test(v) && lengthOk(p, v.length / 2);
    case "string":
      if (p.e && !p.er && !p.e.includes(v)) return false;
      return lengthOk(p, v.length);
  }
}

const lengthOk = (p: BbfParam, n: number): boolean => (p.min === undefined || n >= p.min) && (p.max === undefined || n <= p.max);

/**
 * Is `v` a valid value for `p` written by the ACS? `allowed` is the current
 * value list of the enumerationRef target, when the parameter has one. With
 * `byCpe`, enumeration values only the CPE may set are valid too.
 */
export function valueOk(p: BbfParam, v: string, allowed?: readonly string[], byCpe = false): boolean {
  const inAllowed = (x: string): boolean => !p.er || x === p.nv || (allowed ?? []).includes(x);
  const writableEnum = (x: string): boolean => byCpe || !p.ro?.includes(x);
  if (p.l === undefined) return scalarOk(p.t, p, v) && inAllowed(v) && writableEnum(v);
  if (v.length > p.l && p.l > 1) return false;
  if (v === "") return true;
  return splitList(v).every((x) => scalarOk(p.it ?? "string", p, x) && inAllowed(x) && writableEnum(x));
}

export const splitList = (v: string): string[] => (v === "" ? [] : v.split(",").map((s) => s.trim()));

/** Expands channel-style lists such as "1-13" or "36,40,44" into their members. */
export function expandRanges(v: string): string[] {
  const out: string[] = [];
  for (const item of splitList(v)) {
    const m = /^(\d+)-(\d+)$/.exec(item);
    if (!m) out.push(item);
    else for (let i = Number(m[1]); i <= Number(m[2]) && out.length < 4096; i++) out.push(String(i));
  }
  return out;
}

/** The value as stored: booleans canonical, everything else as given. */
export const canonical = (p: BbfParam, v: string): string => (p.t === "boolean" && p.l === undefined ? (parseBoolean(v) ?? v) : v);

/** ISO 8601 without milliseconds, as CPEs send it. */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
