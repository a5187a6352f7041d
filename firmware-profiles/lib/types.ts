// What a firmware profile is made of. A profile file is one
// `export default defineProfile({...})`; its mapping is a table of rows
// [abstractKey, parameterPath, codec], and the list of settings a model
// supports is derived from that table, never typed out a second time.
import type { BbfType } from "../../agent/datamodel/schema.ts";
import type {
  Band,
  ObjectKey,
  SecurityMode,
  SettingKey,
  SettingValue,
  Settings,
} from "../../acs/provisioning/settings-catalogue.ts";

/** Effective values of the other settings (the request, then profile defaults, then catalogue defaults). */
export interface EncodeContext {
  value<K extends SettingKey>(key: K): SettingValue<K> | undefined;
}

/**
 * Converts one abstract value to and from one parameter's representation.
 * Several rows may share a key (channel → Channel + AutoChannelEnable); on
 * read, the rows of a key are folded in table order, each refining `acc`.
 */
export interface ValueCodec<V> {
  readonly kind: "value";
  /** Shown in validation messages. */
  readonly name: string;
  /** Wire type; must equal the data model's type of the mapped parameter. */
  readonly type: BbfType;
  /** Every raw value encode can produce, when finite: checked against the parameter's enumeration at load. */
  readonly values?: readonly string[];
  /** Raw value to write; undefined leaves the parameter alone for this value. Absent for readings. */
  encode?(value: V, ctx: EncodeContext): string | undefined;
  /** Refines the value read so far from this row's raw value. Absent: the row is write-only. */
  decode?(raw: string, acc: V | undefined): V | undefined;
}

/** A TR-069 object the engine drives (TR-143 diagnostics), not a value. */
export interface ObjectCodec {
  readonly kind: "object";
  readonly name: string;
  /** Parameters of the object the engine writes; each must exist and be writable. */
  readonly writes: readonly string[];
  /** Parameters of the object the engine reads; each must exist. */
  readonly reads: readonly string[];
}

export type ValueRow = { [K in SettingKey]: readonly [K, string, ValueCodec<SettingValue<K>>] }[SettingKey];
export type ObjectRow = readonly [ObjectKey, string, ObjectCodec];
export type MappingRow = ValueRow | ObjectRow;

export interface ProfileMatch {
  /** As the device reports it in DeviceInfo.Manufacturer. */
  manufacturer: string;
  /** DeviceInfo.ManufacturerOUI: 6 upper-case hex digits. */
  oui: string;
  productClass: string;
  /** DeviceInfo.HardwareVersion values this profile covers. */
  hardwareVersions: readonly string[];
  /** Inclusive DeviceInfo.SoftwareVersion range, when the mapping differs between firmware lines. */
  firmware?: { min?: string; max?: string };
}

/** A vendor X_ parameter: the BBF files do not define it, so the profile must. */
export interface VendorParameter {
  type: BbfType;
  writable: boolean;
  /** Read back as "" (like BBF hidden/secured parameters). */
  secret?: boolean;
  /** Allowed values, for enumerations. */
  values?: readonly string[];
}

export interface BandSupport {
  security: readonly SecurityMode[];
  channels: readonly number[];
}

/** Normal operating window of an ONT's optics, in dBm (e.g. GPON class B+ receive −27 to −8). */
export interface OpticalRange {
  rxDbm: readonly [min: number, max: number];
  txDbm: readonly [min: number, max: number];
}

export interface TargetFirmware {
  version: string;
  fileName: string;
  /** Bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the image. */
  sha256: string;
}

export interface ProfileDefinition {
  match: ProfileMatch;
  vendor: string;
  model: string;
  description: string;
  dataModel: "tr098" | "tr181";
  mapping: readonly MappingRow[];
  vendorParameters?: Readonly<Record<string, VendorParameter>>;
  defaults: Settings;
  wifi?: Readonly<Partial<Record<Band, BandSupport>>>;
  optical?: OpticalRange;
  targetFirmware: TargetFirmware;
}

/** The canonical field order of a profile file (checked by the profile tests). */
export const PROFILE_FIELD_ORDER = [
  "match",
  "vendor",
  "model",
  "description",
  "dataModel",
  "mapping",
  "vendorParameters",
  "defaults",
  "wifi",
  "optical",
  "targetFirmware",
] as const satisfies readonly (keyof ProfileDefinition)[];

/** Types the profile; validation happens when profiles are loaded (acs/provisioning/profile-registry.ts). */
export const defineProfile = (definition: ProfileDefinition): ProfileDefinition => definition;
