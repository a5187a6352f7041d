// Pure conversions between abstract settings and one model's parameters, for
// the provisioning engine: settings → SetParameterValues list, a parameter
// read-back → settings, and the model-aware validation in between. Encoding
// and validation share one pass (plan), so whatever validates also encodes.
import { valueOk } from "../../agent/datamodel/values.ts";
import type { ParameterValue } from "../cwmp/messages.ts";
import type { EncodeContext, ValueRow } from "../../firmware-profiles/lib/types.ts";
import type { Profile } from "./profile.ts";
import {
  INSECURE_SECURITY_MODES,
  passphraseProblem,
  summarise,
  type Band,
  type ObjectKey,
  type SecurityMode,
  type SettingKey,
  type Settings,
} from "./settings-catalogue.ts";
import {
  CATALOGUE_DEFAULTS,
  catalogueEntry,
  flattenSettings,
  formatFieldErrors,
  unflattenSettings,
  validateSettings,
  type FieldError,
} from "./settings-entries.ts";

export type SettingsValidation = { ok: true; warnings: FieldError[] } | { ok: false; errors: FieldError[] };

/** Thrown by settingsToParameterValues for settings that validateSettingsForProfile rejects (a caller bug). */
export class SettingsError extends Error {
  readonly code = "FLX_ERR_SETTINGS";
  constructor(readonly errors: readonly FieldError[]) {
    super(formatFieldErrors(errors));
    this.name = "SettingsError";
  }
}

const valueRows = (profile: Profile): ValueRow[] =>
  profile.mapping.filter((r): r is ValueRow => r[2].kind === "value");

/** The effective value of any key: the request, else the profile's defaults, else the catalogue's. */
function contextOf(profile: Profile, flat: ReadonlyMap<string, unknown>): EncodeContext {
  const defaults = flattenSettings(profile.defaults);
  const base = flattenSettings(CATALOGUE_DEFAULTS);
  return {
    value: <K extends SettingKey>(key: K) => (flat.get(key) ?? defaults.get(key) ?? base.get(key)) as never,
  };
}

interface Plan {
  values: ParameterValue[];
  errors: FieldError[];
  warnings: FieldError[];
}

/** Model-specific rules of one key, beyond what the catalogue checks. */
function modelProblem(profile: Profile, path: readonly string[], value: unknown, ctx: EncodeContext): string | undefined {
  if (path[0] !== "wifi") return undefined;
  const band = path[1] as Band;
  const support = profile.wifi?.[band];
  if (!support) return undefined;
  if (path[2] === "channel" && typeof value === "number" && !support.channels.includes(value))
    return `${value} is not a channel this model supports (${summarise(support.channels)})`;
  if (path[2] === "security" && !support.security.includes(value as SecurityMode))
    return `${String(value)} is not supported by this model (${support.security.join(", ")})`;
  if (path[2] === "passphrase") {
    const security = ctx.value(`wifi.${band}.security`) ?? "wpa2-psk";
    return passphraseProblem(security, value as string);
  }
  return undefined;
}

function plan(profile: Profile, settings: unknown): Plan {
  const out: Plan = { values: [], errors: [], warnings: [] };
  const checked = validateSettings(settings);
  if (!checked.ok) return { ...out, errors: checked.errors };
  const flat = flattenSettings(checked.settings);
  const ctx = contextOf(profile, flat);
  const rows = valueRows(profile);
  const missingBands = new Set<string>();

  for (const [key, value] of flat) {
    const entry = catalogueEntry(key)!;
    const error = (message: string, field: string = key) => out.errors.push({ field, message });
    if (entry.meta.access === "policy") continue;
    if (entry.meta.access !== "rw") {
      error(entry.meta.access === "ro" ? "is a reading of the device, not a setting" : "names a diagnostics object, not a setting");
      continue;
    }
    if (entry.path[0] === "wifi" && !profile.wifi?.[entry.path[1] as Band]) {
      const band = `wifi.${entry.path[1]}`;
      if (!missingBands.has(band)) error(`this model has no ${entry.path[1]} Wi-Fi`, band);
      missingBands.add(band);
      continue;
    }
    const encoders = rows.filter((r) => r[0] === key && r[2].encode);
    if (encoders.length === 0) {
      error("this model has no parameter for this setting");
      continue;
    }
    const problem = modelProblem(profile, entry.path, value, ctx);
    if (problem) {
      error(problem);
      continue;
    }
    // An open network has no key: a passphrase kept in the desired settings is left alone, not refused.
    if (entry.path[2] === "passphrase" && ctx.value(`wifi.${entry.path[1] as Band}.security`) === "open") continue;
    let produced = 0;
    for (const [, path, codec] of encoders) {
      const raw = (codec.encode as (v: unknown, c: EncodeContext) => string | undefined)(value, ctx);
      if (raw === undefined) continue;
      produced++;
      const p = profile.parameters.get(path)!;
      if (!valueOk(p.def, raw, p.allowed)) {
        // Never echo the value: it may be a secret.
        error(`${path} does not accept the value ${codec.name} produces for it`);
        continue;
      }
      out.values.push({ name: path, value: raw, type: `xsd:${p.def.t}` });
    }
    if (produced === 0) error("this model has no parameter that can take this value");
    if (entry.path[2] === "security" && INSECURE_SECURITY_MODES.includes(value as SecurityMode))
      out.warnings.push({ field: key, message: `${String(value)} is insecure (allowed by insecureOverride)` });
  }
  return out;
}

/** Whether `settings` can be applied to this model; errors name the dotted field. Insecure overrides come back as warnings. */
export function validateSettingsForProfile(profile: Profile, settings: unknown): SettingsValidation {
  const p = plan(profile, settings);
  return p.errors.length ? { ok: false, errors: p.errors } : { ok: true, warnings: p.warnings };
}

/**
 * The SetParameterValues list for `settings` (only the keys present; the
 * other settings give context, e.g. the security mode decides which key
 * parameter a passphrase goes to). Throws SettingsError for invalid settings.
 */
export function settingsToParameterValues(profile: Profile, settings: Settings): ParameterValue[] {
  const p = plan(profile, settings);
  if (p.errors.length) throw new SettingsError(p.errors);
  return p.values;
}

/**
 * Abstract settings and readings from parameter values read from the device
 * (GetParameterValuesResponse). Parameters the profile does not map are
 * ignored; secrets read back as "" stay absent.
 */
export function parameterValuesToSettings(profile: Profile, params: ReadonlyMap<string, string>): Settings {
  const acc = new Map<string, unknown>();
  for (const [key, path, codec] of valueRows(profile)) {
    const raw = params.get(path);
    if (raw === undefined || !codec.decode) continue;
    const next = (codec.decode as (r: string, a: unknown) => unknown)(raw, acc.get(key));
    if (next !== undefined) acc.set(key, next);
  }
  return unflattenSettings(acc);
}

/** Every parameter path the profile maps (what to read to refresh a device's settings and readings). */
export const profileReadPaths = (profile: Profile): string[] => valueRows(profile).filter((r) => r[2].decode).map((r) => r[1]);

/** The object path behind an object key (TR-143 diagnostics), when the model has it. */
export function objectPath(profile: Profile, key: ObjectKey): string | undefined {
  return profile.mapping.find((r) => r[0] === key && r[2].kind === "object")?.[1];
}
