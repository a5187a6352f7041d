// Session retry wait after failed sessions (TR-069 §3.2.1.1, as icwmp
// implements it): the n-th consecutive failure waits a random time in
// [m·k^(n−1), m·k^n] seconds, m = CWMPRetryMinimumWaitInterval,
// k = CWMPRetryIntervalMultiplier / 1000, n capped at 10.

export const RETRY_EXPONENT_CAP = 10;

/** The wait window in seconds for `failures` consecutive failed sessions (≥ 1). */
export function retryWindow(failures: number, minWait = 5, multiplier = 2000): [number, number] {
  const n = Math.min(Math.max(1, failures), RETRY_EXPONENT_CAP);
  const k = multiplier / 1000;
  return [minWait * k ** (n - 1), minWait * k ** n];
}

/** A random wait in milliseconds inside the window. */
export function retryDelayMs(failures: number, minWait = 5, multiplier = 2000, random: () => number = Math.random): number {
  const [lo, hi] = retryWindow(failures, minWait, multiplier);
  return Math.round((lo + (hi - lo) * random()) * 1000);
}
