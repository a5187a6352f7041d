// Recognises secrets (Wi-Fi passphrases, CPE passwords, tokens) and masks them,
// for the logger and for every API read: one rule for both, so a secret that
// cannot be logged cannot be read back either.

export const MASK = "********";

/** Keys whose value is a secret wherever they appear (log objects, headers, task args). */
const SECRET_KEY = /pass(word|phrase|wd)|presharedkey|wepkey|secret|token|authorization|cookie|credential|ha1|psk|privatekey|apikey/i;

/** TR-069 parameters holding secrets, judged on the last path segment (…Security.KeyPassphrase). */
const SECRET_PARAMETER = /pass(word|phrase)|presharedkey|wepkey|secret|psk$|^pin$|token|privatekey/i;

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

export function isSecretParameterName(path: string): boolean {
  const segments = path.split(".");
  const last = segments[segments.length - 1] || segments[segments.length - 2] || "";
  return SECRET_PARAMETER.test(last);
}

/** Non-empty secret values become MASK; an empty one stays empty so "not set" remains visible. */
export const maskValue = (value: unknown): unknown => (value === "" || value == null ? value : MASK);

/**
 * Deep copy of `value` with secrets masked. Covers the shapes secrets travel in:
 * secret-named keys, `{ name: <secret path>, value }` parameter records and
 * `[<secret path>, value, type?]` tuples (setParameterValues arguments).
 * Returns the input itself when nothing needed masking. Errors are left as
 * they are so the logger's error serializer still sees an Error.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, new WeakSet()) as T;
}

function redact(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== "object" || value instanceof Error || ArrayBuffer.isView(value)) return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    return Array.isArray(value) ? redactArray(value, seen) : redactObject(value as Record<string, unknown>, seen);
  } finally {
    seen.delete(value);
  }
}

function redactArray(arr: unknown[], seen: WeakSet<object>): unknown[] {
  const secretTuple = typeof arr[0] === "string" && arr.length >= 2 && arr.length <= 3 && isSecretParameterName(arr[0]);
  let out: unknown[] | null = null;
  for (let i = 0; i < arr.length; i++) {
    const v = secretTuple && i === 1 ? maskValue(arr[i]) : redact(arr[i], seen);
    if (v !== arr[i]) (out ??= arr.slice())[i] = v;
  }
  return out ?? arr;
}

function redactObject(obj: Record<string, unknown>, seen: WeakSet<object>): Record<string, unknown> {
  if (Object.getPrototypeOf(obj) !== Object.prototype && Object.getPrototypeOf(obj) !== null) return obj;
  const secretRecord = typeof obj.name === "string" && "value" in obj && isSecretParameterName(obj.name);
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(obj)) {
    const r = isSecretKey(k) || (secretRecord && k === "value") ? maskValue(v) : redact(v, seen);
    if (r !== v) (out ??= { ...obj })[k] = r;
  }
  return out ?? obj;
}
