// Value rules both store backends apply the same way, so the contract suite
// sees one behaviour: list bounds, and free-form fields kept as JSON text
// (task args/result/fault, fault detail/rpc, audit detail). JSON text and not
// sub-documents because FerretDB 1.24 rejects keys with "." or a leading "$"
// ("invalid key"), and a getParameterValues result is keyed by parameter
// paths; it also gives both stores the same round trip (undefined dropped,
// numbers as JSON numbers).

/** Every list filter's `limit`/`offset`: a whole number >= 0. */
export function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${String(value)}`);
  }
}

/** `undefined` has no JSON form: stored as null and read back as null. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson(text: string | null | undefined): unknown {
  return text === null || text === undefined ? null : JSON.parse(text);
}
