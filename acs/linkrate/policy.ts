// Link-rate policy: the offer's speed bounds, each line's advertised range, and
// the configurable thresholds the verdicts use (see verdict.ts).

/**
 * Offer sheet, "Débits": "upload 10 Mb/s to 1 Gb/s, download 30 Mb/s to 1 Gb/s"
 * depending on the commune and network operator (business-rules.md, "Advertised
 * line rates"). Every line's own range lies inside these bounds.
 */
export const OFFER_BOUNDS_BPS = {
  download: { floor: 30_000_000, ceiling: 1_000_000_000 },
  upload: { floor: 10_000_000, ceiling: 1_000_000_000 },
} as const;

export type LinkDirection = "download" | "upload";

/**
 * One line's advertised speeds for one direction, bit/s. EU Reg. 2015/2120 art.
 * 4(1)(d) and French consumer code L.224-30 require minimum, normally available
 * and maximum speeds in fixed contracts (market-anchors.md §6).
 */
export interface AdvertisedRange {
  minBps: number;
  normalBps: number;
  maxBps: number;
}

/** Optical receive window, Dbm1000 (dBm × 1000, TR-106 type; tr069.md §4.2). */
export interface OpticalRange {
  minDbm1000: number;
  maxDbm1000: number;
}

/**
 * ITU-T G.984.2 class B+ ONU receiver: sensitivity −27 dBm, overload −8 dBm.
 * A default for profiles that set none; XGS-PON optics differ, set them per profile.
 */
export const DEFAULT_OPTICAL_RX: OpticalRange = { minDbm1000: -27_000, maxDbm1000: -8_000 };

export interface LineProfile {
  download: AdvertisedRange;
  upload: AdvertisedRange;
  opticalRx?: OpticalRange | undefined;
}

const DAY_MS = 86_400_000;

export interface VerdictPolicy {
  /** How many of the most recent speed tests the rules look at. Default 5. */
  window: number;
  /**
   * below_minimum: at least this many tests of the window below the line's
   * minimum (default 3 of 5) …
   */
  belowMinimumCount: number;
  /**
   * … on at least this many different Europe/Paris calendar days (default 2), so
   * one bad evening cannot raise it. Mirrors BNetzA's "minimum undercut on at
   * least 2 days" (market-anchors.md §6).
   */
  belowMinimumDays: number;
  /**
   * below_normal: the normally available speed is "not reached in most tests":
   * of the window's tests (at least `window` of them required), the share at or
   * above normalBps is below this. Default 0.5 (reached in fewer than half).
   * Regulators are stricter — BNetzA: reached in 90 % of measurements, BEREC
   * example 95 % of the day — set 0.9 or 0.95 to follow them.
   */
  normalReachedShare: number;
  /** Tests older than this are ignored. Default 30 days. */
  lookbackMs: number;
  /** No speed test (or WAN rate / optical reading) newer than this: no_recent_data. Default 7 days. */
  staleAfterMs: number;
  /** An alert clears only after this many consecutive tests at or above the minimum. Default 3. */
  clearAfterGoodTests: number;
}

export const DEFAULT_VERDICT_POLICY: Readonly<VerdictPolicy> = Object.freeze({
  window: 5,
  belowMinimumCount: 3,
  belowMinimumDays: 2,
  normalReachedShare: 0.5,
  lookbackMs: 30 * DAY_MS,
  staleAfterMs: 7 * DAY_MS,
  clearAfterGoodTests: 3,
});

/** Problems with a line profile; empty when valid. */
export function validateLineProfile(profile: LineProfile): string[] {
  const problems: string[] = [];
  for (const dir of ["download", "upload"] as const) {
    const r = profile[dir];
    const { floor, ceiling } = OFFER_BOUNDS_BPS[dir];
    if (![r.minBps, r.normalBps, r.maxBps].every(Number.isFinite)) {
      problems.push(`${dir}: speeds must be numbers`);
      continue;
    }
    if (!(r.minBps <= r.normalBps && r.normalBps <= r.maxBps)) problems.push(`${dir}: expected min ≤ normal ≤ max`);
    if (r.minBps < floor || r.maxBps > ceiling) problems.push(`${dir}: range must lie within the offer's ${floor / 1e6}–${ceiling / 1e6} Mb/s`);
  }
  const o = profile.opticalRx;
  if (o && !(o.minDbm1000 < o.maxDbm1000)) problems.push("opticalRx: expected min < max");
  return problems;
}

/** Problems with a policy; empty when valid. */
export function validateVerdictPolicy(p: VerdictPolicy): string[] {
  const problems: string[] = [];
  if (!(Number.isInteger(p.window) && p.window >= 1)) problems.push("window must be an integer ≥ 1");
  if (!(Number.isInteger(p.belowMinimumCount) && p.belowMinimumCount >= 1 && p.belowMinimumCount <= p.window)) problems.push("belowMinimumCount must be in 1..window");
  if (!(Number.isInteger(p.belowMinimumDays) && p.belowMinimumDays >= 1 && p.belowMinimumDays <= p.belowMinimumCount)) problems.push("belowMinimumDays must be in 1..belowMinimumCount");
  if (!(p.normalReachedShare > 0 && p.normalReachedShare <= 1)) problems.push("normalReachedShare must be in (0, 1]");
  if (!(p.lookbackMs > 0 && p.staleAfterMs > 0)) problems.push("lookbackMs and staleAfterMs must be > 0");
  if (!(Number.isInteger(p.clearAfterGoodTests) && p.clearAfterGoodTests >= 1)) problems.push("clearAfterGoodTests must be an integer ≥ 1");
  return problems;
}

export const dbm1000ToDbm = (value: number): number => value / 1000;
