import type { CwmpNamespace } from "../messages.ts";

export type CwmpParseErrorReason =
  | "too_large"
  | "dtd"
  | "too_deep"
  | "malformed"
  | "not_soap"
  | "unknown_method"
  | "invalid";

/**
 * Everything the codec rejects surfaces as this one error type, so callers map
 * `reason` to an HTTP status or a CWMP fault without string matching.
 * For "unknown_method" (and "invalid" once the method is known), `method`, `id`
 * and `namespace` let the ACS answer a fault (8000, or 8003) in the sender's
 * namespace with the right cwmp:ID.
 */
export class CwmpParseError extends Error {
  override name = "CwmpParseError";
  reason: CwmpParseErrorReason;
  method?: string;
  id?: string;
  namespace?: CwmpNamespace;

  constructor(
    reason: CwmpParseErrorReason,
    message: string,
    extra: { method?: string; id?: string; namespace?: CwmpNamespace; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.reason = reason;
    if (extra.method !== undefined) this.method = extra.method;
    if (extra.id !== undefined) this.id = extra.id;
    if (extra.namespace !== undefined) this.namespace = extra.namespace;
  }
}
