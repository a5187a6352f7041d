// When a task that did not succeed is tried again.
//
// Policy:
// - `attempts` counts deliveries: it is incremented (and stored) just before
//   the RPC is sent, so a session that dies after the send still counts, even
//   if the ACS itself dies. A task delivered `maxAttempts` times without a
//   confirmed answer ends as a fault ("task.undelivered"): a device that drops
//   the session on one task must not get it forever.
// - A session that dies (CPE gone, timeout, ACS restart) changes nothing else:
//   the task stays pending and is delivered at the next session, with no delay.
// - A CPE fault that resending cannot fix ends the task at once: the request
//   itself is wrong (bad name, type or value, read-only parameter, unsupported
//   method or transfer protocol, bad transfer credentials). 9007 "Invalid
//   parameter value" is the typical case: retrying the same value is pointless.
// - Any other fault (9001 denied, 9002 internal error, 9004 resources, file
//   transfer failures, vendor codes) is retried with exponential backoff
//   (base × 2^(attempts−1), capped), until maxAttempts deliveries.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

/**
 * CPE fault codes (cwmp-1-2.xsd CPEFaultCodeType) for which the same request
 * fails again: 9000 method not supported, 9003 invalid arguments, 9005 invalid
 * name, 9006 invalid type, 9007 invalid value, 9008 not writable, 9009
 * notification rejected, 9012 transfer server authentication, 9013 unsupported
 * transfer protocol, 9019 file authentication failure, 9022-9032 deployment-unit
 * argument errors.
 */
const PERMANENT_CODES: ReadonlySet<number> = new Set([
  9000, 9003, 9005, 9006, 9007, 9008, 9009, 9012, 9013, 9019,
  9022, 9023, 9024, 9025, 9026, 9028, 9029, 9030, 9031, 9032,
]);

export function isPermanentFault(code: number): boolean {
  return PERMANENT_CODES.has(code);
}

/** Delay before the next delivery after `attempts` deliveries (≥ 1). */
export function backoffMs(attempts: number, policy: RetryPolicy): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(policy.baseDelayMs * 2 ** exp, policy.maxDelayMs);
}

/** After a retryable failure: retry at `notBefore`, or give up. */
export function afterFailure(attempts: number, now: number, policy: RetryPolicy): { retry: true; notBefore: number } | { retry: false } {
  return attempts >= policy.maxAttempts ? { retry: false } : { retry: true, notBefore: now + backoffMs(attempts, policy) };
}
