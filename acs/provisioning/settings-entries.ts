// The catalogue as a flat list of entries, walked once from the zod schema, and
// the conversions between nested settings and dotted keys. Keys are never split
// on "." ("wifi.2.4GHz.ssid" has a dot inside its band): each entry keeps its
// path segments.
import { z } from "zod";
import { settingsSchema, type CatalogueKey, type LeafMeta, type Settings } from "./settings-catalogue.ts";

export interface CatalogueEntry {
  key: CatalogueKey;
  path: readonly string[];
  meta: LeafMeta;
  schema: z.ZodType;
}

export interface FieldError {
  /** Dotted catalogue key, or a prefix of one ("wifi.5GHz"). */
  field: string;
  message: string;
}

function walk(schema: z.ZodType, path: string[], out: CatalogueEntry[]): void {
  if (schema instanceof z.ZodOptional) return walk(schema.unwrap() as z.ZodType, path, out);
  if (schema instanceof z.ZodObject) {
    for (const [k, child] of Object.entries(schema.shape)) walk(child as z.ZodType, [...path, k], out);
    return;
  }
  const meta = schema.meta() as LeafMeta | undefined;
  if (!meta?.access) throw new Error(`catalogue leaf ${path.join(".")} has no metadata`);
  out.push({ key: path.join(".") as CatalogueKey, path, meta, schema });
}

const list: CatalogueEntry[] = [];
walk(settingsSchema, [], list);

/** All catalogue entries, in schema order. */
export const CATALOGUE: readonly CatalogueEntry[] = list;
const byKey = new Map<string, CatalogueEntry>(list.map((e) => [e.key, e]));

export function catalogueEntry(key: string): CatalogueEntry | undefined {
  return byKey.get(key);
}

/** Dotted key → value for every leaf present in `settings`. */
export function flattenSettings(settings: Settings): Map<CatalogueKey, unknown> {
  const out = new Map<CatalogueKey, unknown>();
  for (const e of CATALOGUE) {
    let v: unknown = settings;
    for (const seg of e.path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[seg] : undefined;
    if (v !== undefined) out.set(e.key, v);
  }
  return out;
}

export function unflattenSettings(flat: ReadonlyMap<string, unknown>): Settings {
  const out: Record<string, unknown> = {};
  for (const [key, value] of flat) {
    const e = byKey.get(key);
    if (!e) throw new Error(`not a catalogue key: ${key}`);
    let node = out;
    for (const seg of e.path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>;
    node[e.path[e.path.length - 1]!] = value;
  }
  return out as Settings;
}

/** The catalogue's own defaults (meta.default), e.g. security wpa2-psk, time zone Europe/Paris. */
export const CATALOGUE_DEFAULTS: Settings = unflattenSettings(
  new Map(CATALOGUE.filter((e) => e.meta.default !== undefined).map((e) => [e.key, e.meta.default])),
);

export const formatFieldErrors = (errors: readonly FieldError[]): string =>
  errors.map((e) => `${e.field}: ${e.message}`).join("; ");

function issueToError(issue: z.core.$ZodIssue): FieldError {
  const field = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys")
    return { field: [field, ...issue.keys].filter(Boolean).join("."), message: "is not a setting of the catalogue" };
  return { field: field || "(settings)", message: issue.message };
}

/** Catalogue-level validation (types, lengths, France's channels, key formats); no model knowledge. */
export function validateSettings(
  input: unknown,
): { ok: true; settings: Settings } | { ok: false; errors: FieldError[] } {
  const r = settingsSchema.safeParse(input);
  return r.success ? { ok: true, settings: r.data } : { ok: false, errors: r.error.issues.map(issueToError) };
}
