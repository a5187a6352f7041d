// Validation of one line as a client wrote it (API body, import row): every
// problem comes back as { field, message } with the field named the way the
// client wrote it ("rates.download.max", "wifi.5GHz.channel"). Wi-Fi and WAN
// values go through the settings catalogue, so the API, the import and
// provisioning share one set of rules. Nothing here knows device models;
// model-specific checks are in provisioning/line-settings.ts.
import { z } from "zod";
import { BANDS, INSECURE_SECURITY_MODES } from "../provisioning/settings-catalogue.ts";
import { validateSettings, type FieldError } from "../provisioning/settings-entries.ts";
import { RATE_BOUNDS, type Direction, type LineInput, type LineRouter, type RateRange } from "./line.ts";

export const LINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SERIAL = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const LINE_ID_RULE = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
const SERIAL_RULE = "must be 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit";

const text = (max: number) =>
  z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

const rate = (direction: Direction) => {
  const b = RATE_BOUNDS[direction];
  return z
    .number({ error: "must be a number of Mb/s" })
    .int("must be a whole number of Mb/s")
    .min(b.min, `must be at least ${b.min} Mb/s (the offer's ${direction} floor)`)
    .max(b.max, `must be at most ${b.max} Mb/s (the offer's ${direction} ceiling)`);
};

const range = (direction: Direction) =>
  z
    .object({ min: rate(direction).optional(), max: rate(direction).optional() })
    .strict()
    .transform((r): RateRange => ({ min: r.min ?? RATE_BOUNDS[direction].min, max: r.max ?? RATE_BOUNDS[direction].max }))
    .refine((r) => r.min <= r.max, { message: "min must not be above max", path: ["min"] });

const lineShape = z
  .object({
    id: z.string({ error: "must be a string" }).regex(LINE_ID, LINE_ID_RULE),
    subscriber: z.object({ id: text(64), name: text(200) }).strict(),
    address: text(300),
    commune: text(100),
    rates: z.object({ download: range("download").optional(), upload: range("upload").optional() }).strict().optional(),
    wifi: z.unknown().optional(),
    wan: z.unknown().optional(),
    router: z.unknown().optional(),
    ontSerial: z.string({ error: "must be a string or null" }).regex(SERIAL, SERIAL_RULE).nullable().optional(),
  })
  .strict();

const ROUTER_RULE = 'must be {"serial": "<rented router serial>"} or {"customerOwned": true}';

function checkRouter(value: unknown, errors: FieldError[]): LineRouter | undefined {
  if (value === undefined) {
    errors.push({ field: "router", message: `is required: ${ROUTER_RULE}` });
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    errors.push({ field: "router", message: ROUTER_RULE });
    return undefined;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && o.customerOwned === true) return { customerOwned: true };
  if (keys.length === 1 && "serial" in o) {
    if (typeof o.serial === "string" && SERIAL.test(o.serial)) return { serial: o.serial };
    errors.push({ field: "router.serial", message: SERIAL_RULE });
    return undefined;
  }
  errors.push({ field: "router", message: ROUTER_RULE });
  return undefined;
}

const fieldOf = (path: readonly PropertyKey[]): string => path.map(String).join(".");

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

function issueToError(issue: z.core.$ZodIssue, input: unknown): FieldError {
  const field = fieldOf(issue.path);
  if (issue.code === "unrecognized_keys") return { field: [field, ...issue.keys].filter(Boolean).join("."), message: "is not a field of a line" };
  if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) return { field, message: "is required" };
  return { field: field || "(line)", message: issue.message };
}

/** PPPoE needs its login: a line in pppoe mode without one could never connect. */
function wanProblems(wan: NonNullable<LineInput["wan"]>): FieldError[] {
  if (wan.mode !== "pppoe") return [];
  const out: FieldError[] = [];
  if (!wan.pppoe?.username) out.push({ field: "wan.pppoe.username", message: "is required when wan.mode is pppoe" });
  if (!wan.pppoe?.password) out.push({ field: "wan.pppoe.password", message: "is required when wan.mode is pppoe" });
  return out;
}

/** `warnings`: insecure Wi-Fi modes the line asks for with their explicit override (accepted, and flagged). */
export type LineValidation = { ok: true; line: LineInput; warnings: FieldError[] } | { ok: false; errors: FieldError[] };

export function insecureWifi(wifi: LineInput["wifi"]): FieldError[] {
  return BANDS.flatMap((band) => {
    const security = wifi[band]?.security;
    return security && INSECURE_SECURITY_MODES.includes(security)
      ? [{ field: `wifi.${band}.security`, message: `${security} is insecure (allowed by insecureOverride)` }]
      : [];
  });
}

/** Validates a whole line (creation, import row, or an existing line after a patch). */
export function validateLine(input: unknown): LineValidation {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return { ok: false, errors: [{ field: "(line)", message: "must be an object" }] };
  const errors: FieldError[] = [];
  const shape = lineShape.safeParse(input);
  if (!shape.success) errors.push(...shape.error.issues.map((i) => issueToError(i, input)));
  const router = checkRouter((input as Record<string, unknown>).router, errors);
  const raw = input as Record<string, unknown>;
  const settings = validateSettings({ ...(raw.wifi !== undefined && { wifi: raw.wifi }), ...(raw.wan !== undefined && { wan: raw.wan }) });
  if (!settings.ok) errors.push(...settings.errors);
  else errors.push(...wanProblems(settings.settings.wan ?? {}));
  if (router && "serial" in router && raw.ontSerial === router.serial)
    errors.push({ field: "ontSerial", message: "must differ from the router serial" });
  if (errors.length > 0 || !shape.success || !router || !settings.ok) return { ok: false, errors };
  const v = shape.data;
  const wifi = settings.settings.wifi ?? {};
  return {
    ok: true,
    warnings: insecureWifi(wifi),
    line: {
      id: v.id,
      subscriber: v.subscriber,
      address: v.address,
      commune: v.commune,
      rates: {
        download: v.rates?.download ?? { ...RATE_BOUNDS.download },
        upload: v.rates?.upload ?? { ...RATE_BOUNDS.upload },
      },
      wifi,
      wan: settings.settings.wan ?? {},
      router,
      ontSerial: v.ontSerial ?? null,
    },
  };
}

/** The client view of a stored line after a merge patch; `router` is replaced whole, never merged. */
export function patchLine(line: LineInput, patch: Record<string, unknown>): unknown {
  const base: Record<string, unknown> = { ...line };
  if ("router" in patch) delete base.router;
  return mergePatch(base, patch);
}

/**
 * RFC 7396 JSON merge patch: objects merge, null removes a field, anything
 * else replaces. A patch is applied to the stored line, then the result is
 * validated whole.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
