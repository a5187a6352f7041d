// One measurement model for the four link-rate sources (TR-143 speed tests,
// negotiated rates and optical levels read from the CPE, traffic counters,
// SNMP IF-MIB), and the speed-test and alert records around it.

import type { LinkDirection } from "./policy.ts";
import type { VerdictCode } from "./verdict.ts";

export const MEASUREMENT_METHODS = [
  /** TR-143 Download/UploadDiagnostics throughput, 8 × bytes / (EOM − BOM). */
  "speed_test",
  /** Negotiated WAN Ethernet rate (CurrentBitRate × 10^6). */
  "wan_rate",
  /** Optical receive level (TR-181 Optical.Interface OpticalSignalLevel). Value in Dbm1000, not bit/s. */
  "optical_rx",
  /** Traffic rate from the CPE's WAN byte counters (counter-rate.ts). Context, not evidence of speed. */
  "traffic",
  /** Traffic rate from the ONT's IF-MIB octet counters, polled over SNMP. Context, not evidence of speed. */
  "snmp",
] as const;
export type MeasurementMethod = (typeof MEASUREMENT_METHODS)[number];

export interface Measurement {
  atMs: number;
  lineId: string;
  deviceId: string;
  /** null for readings that have no direction (WAN port rate, optical level). */
  direction: LinkDirection | null;
  method: MeasurementMethod;
  /** bit/s, except optical_rx (Dbm1000: dBm × 1000, TR-106). */
  value: number;
  /** Free evidence: test server, test id, bytes, duration, who asked … (flat, JSON-safe). */
  context: Record<string, string | number | boolean | null>;
}

/** Downsampled raw samples: min / median / max per interval and series. */
export interface Rollup {
  lineId: string;
  deviceId: string;
  direction: LinkDirection | null;
  method: MeasurementMethod;
  /** Start of the interval (epoch ms) and its length. */
  startMs: number;
  intervalMs: number;
  count: number;
  min: number;
  median: number;
  max: number;
}

export const SPEED_TEST_STATUSES = ["queued", "requested", "done", "failed"] as const;
export type SpeedTestStatus = (typeof SPEED_TEST_STATUSES)[number];

export interface SpeedTestRecord {
  id: string;
  lineId: string;
  deviceId: string;
  direction: LinkDirection;
  /** "schedule" (a window of the scheduler) or "support" (on demand). */
  origin: "schedule" | "support";
  /** Scheduler slot, e.g. "2026-03-02/peak"; one test per line, slot and direction. */
  slot: string | null;
  requestedBy: string;
  status: SpeedTestStatus;
  createdAtMs: number;
  /** When the CPE accepted DiagnosticsState=Requested. */
  requestedAtMs: number | null;
  doneAtMs: number | null;
  /** Throughput in bit/s when done. */
  bps: number | null;
  /** Why it failed (CWMP fault, Error_* state, timeout). */
  error: string | null;
}

export type NewSpeedTest = Pick<SpeedTestRecord, "lineId" | "deviceId" | "direction" | "origin" | "slot" | "requestedBy">;

export const ALERT_KINDS = ["below_minimum", "capacity_capped", "optical_out_of_range"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface LinkAlert {
  id: string;
  lineId: string;
  kind: AlertKind;
  /** below_minimum is per direction; the port and fibre alerts concern the line. */
  direction: LinkDirection | null;
  raisedAtMs: number;
  clearedAtMs: number | null;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  /** Why it was raised: the verdict figures at that moment. */
  detail: Record<string, string | number | boolean | null>;
}

/** The evaluation inputs and outputs kept per line, beside the raw samples. */
export interface LineState {
  lineId: string;
  /** Newest speed tests per direction (oldest first), RECENT_TESTS at most. */
  download: { atMs: number; bps: number }[];
  upload: { atMs: number; bps: number }[];
  /** Newest WAN port rates and optical levels (oldest first), RECENT_READINGS at most. */
  wanRates: { atMs: number; bps: number }[];
  opticalRx: { atMs: number; dbm1000: number }[];
  /** Latest evaluation; null before the first one. */
  verdict: { atMs: number; download: VerdictCode[]; upload: VerdictCode[] } | null;
  /** Open alert per key ("below_minimum:download", "capacity_capped", …): its id and raise time. */
  alerts: Record<string, { id: string; raisedAtMs: number }>;
}

export const RECENT_TESTS = 10;
export const RECENT_READINGS = 5;

export const emptyLineState = (lineId: string): LineState => ({
  lineId, download: [], upload: [], wanRates: [], opticalRx: [], verdict: null, alerts: {},
});

/** Does this sample feed the verdicts (and so the line state)? Traffic rates do not (market-anchors.md §5). */
export const feedsVerdicts = (m: Measurement): boolean =>
  m.method === "speed_test" || m.method === "wan_rate" || m.method === "optical_rx";

function pushRecent<T extends { atMs: number }>(list: T[], item: T, max: number): T[] {
  const out = [...list, item].sort((a, b) => a.atMs - b.atMs);
  return out.length > max ? out.slice(out.length - max) : out;
}

/** The line state after `samples` (pure; both repositories fold with it). */
export function foldSamples(state: LineState, samples: readonly Measurement[]): LineState {
  let s = state;
  for (const m of samples) {
    if (m.method === "speed_test" && m.direction) {
      s = { ...s, [m.direction]: pushRecent(s[m.direction], { atMs: m.atMs, bps: m.value }, RECENT_TESTS) };
    } else if (m.method === "wan_rate") {
      s = { ...s, wanRates: pushRecent(s.wanRates, { atMs: m.atMs, bps: m.value }, RECENT_READINGS) };
    } else if (m.method === "optical_rx") {
      s = { ...s, opticalRx: pushRecent(s.opticalRx, { atMs: m.atMs, dbm1000: m.value }, RECENT_READINGS) };
    }
  }
  return s;
}

export const alertKey = (kind: AlertKind, direction: LinkDirection | null): string => (direction ? `${kind}:${direction}` : kind);
