// Parameter and object definitions as extracted from the BBF data models
// (agent/datamodel/bbf/*.json). Short keys keep the committed JSON and the
// in-memory templates small; every simulated device shares one copy.

/** Base types of the BBF data models, as they travel on the CWMP wire (without "xsd:"). */
export type BbfType =
  | "string"
  | "unsignedInt"
  | "int"
  | "unsignedLong"
  | "long"
  | "boolean"
  | "dateTime"
  | "base64"
  | "hexBinary";

/** A numeric range, bounds inclusive; null = unbounded. Bounds outside 2^53 are strings. */
export type Range = [number | string | null, number | string | null];

export interface BbfParam {
  /** Wire type; list-valued parameters are always "string". */
  t: BbfType;
  /** Item type of a list whose items are not strings (e.g. unsignedInt lists). */
  it?: BbfType;
  /** 1 = readWrite (or writeOnceReadOnly); absent = readOnly. */
  w?: 1;
  /** 1 = hidden (TR-098) or secured (TR-181): always read back as "". */
  s?: 1;
  /** List-valued: 1, or the maximum length of the whole comma-separated string. */
  l?: number;
  /** Allowed values (string enumerations), for lists: allowed items. */
  e?: string[];
  /** Enumeration values that only the CPE may set (e.g. DiagnosticsState "Complete"). */
  ro?: string[];
  /** Allowed values come from this sibling list parameter (enumerationRef). */
  er?: string;
  /** The enumerationRef's nullValue (allowed besides the referenced list, e.g. "Disabled"). */
  nv?: string;
  /** String length bounds (bytes for hexBinary / base64 after decoding). */
  min?: number;
  max?: number;
  /** Numeric ranges; the value must fall in one of them. */
  r?: Range[];
  /** forcedInform="true": part of every Inform. */
  fi?: 1;
  /** activeNotify: c = canDeny, f = forceEnabled, d = forceDefaultEnabled. */
  an?: "c" | "f" | "d";
  /** Default value (object creation or factory) from the definition. */
  d?: string;
}

export interface BbfObject {
  /** 1 = instances may be added/deleted by the ACS (multi-instance, access readWrite). */
  w?: 1;
  /** numEntriesParameter name in the parent object. */
  n?: string;
  /** maxEntries when bounded. */
  max?: number;
  /** Parameters in definition order. */
  p: Record<string, BbfParam>;
}

export interface BbfDefinitions {
  /** The `spec` of the source document, e.g. urn:broadband-forum-org:tr-181-2-17-0-cwmp. */
  spec: string;
  /** The model name, e.g. Device:2.17. */
  model: string;
  objects: Record<string, BbfObject>;
}
