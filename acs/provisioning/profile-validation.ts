// Validation of one profile at load time: its shape (zod), then every mapping
// row against the settings catalogue and the BBF data model (the path exists,
// is writable when the setting is, has the codec's type and accepts the
// codec's values), then the declared capabilities and the defaults. The first
// problem stops loading with a ProfileError naming file, field and reason.
import { z } from "zod";
import { valueOk } from "../../agent/datamodel/values.ts";
import type { BbfParam } from "../../agent/datamodel/schema.ts";
import type { MappingRow, ProfileDefinition, ValueCodec, VendorParameter } from "../../firmware-profiles/lib/types.ts";
import { DATA_MODEL_ROOTS, isVendorPath, lookupObject, lookupParameter, type DataModels } from "./bbf/data-model.ts";
import { compareFirmware } from "./firmware-version.ts";
import { ProfileError, type Profile, type ResolvedParameter } from "./profile.ts";
import { BANDS, FRANCE_CHANNELS, SECURITY_MODES, type SecurityMode } from "./settings-catalogue.ts";
import { catalogueEntry } from "./settings-entries.ts";
import { validateSettingsForProfile } from "./settings-mapping.ts";

const BBF_TYPES = ["string", "unsignedInt", "int", "unsignedLong", "long", "boolean", "dateTime", "base64", "hexBinary"] as const;
const text = z.string().min(1, "must not be empty");
const fn = z.custom<(...a: never[]) => unknown>((v) => typeof v === "function", "must be a function");

const codecSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("value"),
    name: text,
    type: z.enum(BBF_TYPES),
    values: z.array(z.string()).optional(),
    encode: fn.optional(),
    decode: fn.optional(),
  }),
  z.object({ kind: z.literal("object"), name: text, writes: z.array(text), reads: z.array(text) }),
]);

const bandSupport = z
  .object({ security: z.array(z.enum(SECURITY_MODES)).min(1), channels: z.array(z.number().int()).min(1) })
  .strict();
const dbmRange = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, "must be [min, max] with min < max");

const profileSchema = z
  .object({
    match: z
      .object({
        manufacturer: text,
        oui: z.string().regex(/^[0-9A-F]{6}$/, "must be 6 upper-case hex digits"),
        productClass: text,
        hardwareVersions: z.array(text).min(1, "must list at least one hardware version"),
        firmware: z
          .object({ min: text.optional(), max: text.optional() })
          .strict()
          .refine((r) => !r.min || !r.max || compareFirmware(r.min, r.max) <= 0, "min must not be above max")
          .optional(),
      })
      .strict(),
    vendor: text,
    model: text,
    description: text,
    dataModel: z.enum(["tr098", "tr181"]),
    mapping: z.array(z.tuple([text, text, codecSchema])).min(1, "must map at least one setting"),
    vendorParameters: z
      .record(
        z.string(),
        z
          .object({ type: z.enum(BBF_TYPES), writable: z.boolean(), secret: z.boolean().optional(), values: z.array(z.string()).optional() })
          .strict(),
      )
      .optional(),
    defaults: z.record(z.string(), z.unknown()),
    wifi: z.object({ "2.4GHz": bandSupport.optional(), "5GHz": bandSupport.optional() }).strict().optional(),
    optical: z.object({ rxDbm: dbmRange, txDbm: dbmRange }).strict().optional(),
    targetFirmware: z
      .object({
        version: text,
        fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "must be a plain file name"),
        size: z.number().int().positive("must be a positive number of bytes"),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits"),
      })
      .strict(),
  })
  .strict();

const fieldOf = (path: readonly PropertyKey[]): string =>
  path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("") || "(profile)";

const vendorDef = (v: VendorParameter): BbfParam => ({
  t: v.type,
  ...(v.writable ? { w: 1 as const } : {}),
  ...(v.secret ? { s: 1 as const } : {}),
  ...(v.values ? { e: [...v.values] } : {}),
});

/** Validates a profile module's default export and resolves its parameters. */
export function checkProfile(candidate: unknown, file: string, models: DataModels): Profile {
  const fail = (field: string, reason: string): never => {
    throw new ProfileError(file, field, reason);
  };
  const shape = profileSchema.safeParse(candidate);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    if (issue.code === "unrecognized_keys") fail(fieldOf([...issue.path, issue.keys[0]!]), "is not a field of a profile");
    fail(fieldOf(issue.path), issue.message);
  }
  const def = candidate as ProfileDefinition;
  const defs = models[def.dataModel];
  const root = DATA_MODEL_ROOTS[def.dataModel];
  const parameters = new Map<string, ResolvedParameter>();
  const seen = new Map<string, number>();

  def.mapping.forEach((row: MappingRow, i) => {
    const [key, path, codec] = row;
    const at = (reason: string) => fail(`mapping[${i}]`, `${key} → ${path}: ${reason}`);
    const entry = catalogueEntry(key);
    if (!entry) return at(`${key} is not a key of the settings catalogue`);
    if (entry.meta.access === "policy") return at(`${key} is a validation policy; it is never mapped to a parameter`);
    if ((entry.meta.access === "object") !== (codec.kind === "object"))
      return at(entry.meta.access === "object" ? "an object key needs an object codec" : "a value key needs a value codec");
    if (!path.startsWith(root)) return at(`a ${def.dataModel} path must start with ${root}`);
    if (seen.has(path)) return at(`the path is already mapped by mapping[${seen.get(path)}]`);
    seen.set(path, i);

    if (codec.kind === "object") {
      const obj = lookupObject(defs, path);
      if (!obj.ok) return at(obj.reason);
      for (const name of [...codec.writes, ...codec.reads]) {
        const p = obj.def.p[name];
        if (!p) return at(`${codec.name} needs ${path}${name}, which ${defs.model} does not define`);
        if (codec.writes.includes(name) && !p.w) return at(`${codec.name} writes ${path}${name}, which is read-only`);
      }
      return;
    }
    let resolved: ResolvedParameter;
    if (isVendorPath(path)) {
      const vp = def.vendorParameters?.[path];
      if (!vp) return at("a vendor X_ parameter must be declared in vendorParameters");
      // The standard object the extension hangs from must exist (unless it is the root).
      const parent = path.slice(0, path.search(/\.X_/) + 1);
      const obj = parent === root ? undefined : lookupObject(defs, parent);
      if (obj && !obj.ok) return at(`the object the vendor parameter hangs from: ${obj.reason}`);
      resolved = { def: vendorDef(vp) };
    } else {
      const p = lookupParameter(defs, path);
      if (!p.ok) return at(p.reason);
      const cut = p.template.lastIndexOf(".") + 1;
      const target = p.def.er ? defs.objects[p.template.slice(0, cut)]?.p[p.def.er]?.e : undefined;
      resolved = target ? { def: p.def, allowed: target } : { def: p.def };
    }
    const vc = codec as ValueCodec<unknown>;
    if (entry.meta.access === "rw" && vc.encode && !resolved.def.w)
      return at(`${key} is a writable setting but the parameter is read-only`);
    if (vc.type !== resolved.def.t) return at(`${vc.name} has type ${vc.type} but the parameter is ${resolved.def.t}`);
    for (const v of vc.values ?? [])
      if (!valueOk(resolved.def, v, resolved.allowed))
        return at(`${vc.name} can write "${v}", which the parameter does not accept (${(resolved.allowed ?? resolved.def.e ?? []).join(", ")})`);
    parameters.set(path, resolved);
  });

  // Every writable setting the profile maps has at least one encoder.
  const keys = new Set(def.mapping.map((r) => r[0]));
  for (const key of keys) {
    if (catalogueEntry(key)?.meta.access !== "rw") continue;
    if (!def.mapping.some((r) => r[0] === key && r[2].kind === "value" && r[2].encode))
      fail("mapping", `${key} is a writable setting but no row encodes it`);
  }
  for (const path of Object.keys(def.vendorParameters ?? {})) {
    if (!isVendorPath(path)) fail(`vendorParameters.${path}`, "only vendor X_ parameters are declared here; standard ones come from the BBF model");
    if (!seen.has(path)) fail(`vendorParameters.${path}`, "declared but not mapped");
  }
  checkCapabilities(def, keys, fail);

  const profile: Profile = { ...def, file, parameters };
  const defaults = validateSettingsForProfile(profile, def.defaults);
  if (!defaults.ok) fail(`defaults.${defaults.errors[0]!.field}`, defaults.errors[0]!.message);
  return profile;
}

function checkCapabilities(def: ProfileDefinition, keys: ReadonlySet<string>, fail: (field: string, reason: string) => never): void {
  for (const band of BANDS) {
    const mapped = [...keys].some((k) => k.startsWith(`wifi.${band}.`));
    const support = def.wifi?.[band];
    if (mapped && !support) fail(`wifi.${band}`, `the mapping has ${band} rows, so its security modes and channels must be declared`);
    if (!support) continue;
    if (!mapped) fail(`wifi.${band}`, `declared, but the mapping has no ${band} rows`);
    const bad = support.channels.find((c) => !FRANCE_CHANNELS[band].includes(c));
    if (bad !== undefined) fail(`wifi.${band}.channels`, `${bad} is not a ${band} channel allowed in France`);
    if (new Set(support.channels).size !== support.channels.length) fail(`wifi.${band}.channels`, "lists a channel twice");
    if (!support.security.includes("wpa2-psk")) fail(`wifi.${band}.security`, "must include wpa2-psk, the default mode");
    const securityRows = def.mapping.filter((r) => r[0] === `wifi.${band}.security`);
    for (const mode of support.security) {
      const encodable = securityRows.some((r) => (r[2] as ValueCodec<SecurityMode>).encode?.(mode, { value: () => undefined }) !== undefined);
      if (!encodable) fail(`wifi.${band}.security`, `${mode} is declared but no mapped parameter can express it`);
    }
  }
  const optical = keys.has("linkRate.opticalRxLevel") || keys.has("linkRate.opticalTxLevel");
  if (optical && !def.optical) fail("optical", "the profile maps optical levels, so it must declare their normal range (rxDbm, txDbm)");
  if (!optical && def.optical) fail("optical", "declared, but the mapping has no optical level rows");
}
