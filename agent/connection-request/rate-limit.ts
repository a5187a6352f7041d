// Connection Request rate limit per device: a fixed window, as icwmp does
// (50 per 5 s, then 503 without Retry-After).

export const CR_LIMIT = 50;
export const CR_WINDOW_MS = 5000;

export interface RateWindow {
  start: number;
  count: number;
}

/** Counts one request; false when the device has already accepted `limit` in the current window. */
export function allowRequest(w: RateWindow, now: number, limit = CR_LIMIT, windowMs = CR_WINDOW_MS): boolean {
  if (now - w.start >= windowMs) {
    w.start = now;
    w.count = 0;
  }
  if (w.count >= limit) return false;
  w.count++;
  return true;
}
