// The evidence report of a line: every measurement with its method, time and
// test server, the advertised range, the verdict and why, the alerts. As JSON,
// and as CSV with one row per measurement (each row carries the range and the
// verdict of its direction, so a spreadsheet of it stands alone). Times are
// given in UTC (ISO 8601) and Europe/Paris wall-clock.

import { stringify } from "csv-stringify/sync";
import { evaluateLineState, explainVerdict } from "./line-evaluation.ts";
import type { LinkrateLine } from "./linkrate-lines.ts";
import { emptyLineState, type LineState, type LinkAlert, type Measurement, type Rollup } from "./measurement.ts";
import type { LinkDirection, VerdictPolicy } from "./policy.ts";
import type { DirectionVerdict } from "./verdict.ts";

const PARIS = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
export const parisStamp = (ms: number): string => PARIS.format(new Date(ms));
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface EvidenceReport {
  lineId: string;
  generatedAt: string;
  period: { since: string; until: string };
  advertised: LinkrateLine["profile"];
  policy: VerdictPolicy;
  verdict: Record<LinkDirection, DirectionVerdict & { why: string[] }>;
  alerts: (Omit<LinkAlert, "raisedAtMs" | "clearedAtMs" | "acknowledgedAtMs"> & { raisedAt: string; clearedAt: string | null; acknowledgedAt: string | null })[];
  measurements: {
    at: string;
    atParis: string;
    deviceId: string;
    direction: LinkDirection | null;
    method: Measurement["method"];
    value: number;
    unit: "bit/s" | "dBm";
    testServer: string | null;
    context: Measurement["context"];
  }[];
  /** Downsampled history older than the raw retention (min/median/max per interval). */
  rollups: (Omit<Rollup, "startMs"> & { start: string })[];
}

export function buildEvidence(input: {
  line: LinkrateLine;
  state: LineState | undefined;
  samples: readonly Measurement[];
  rollups: readonly Rollup[];
  alerts: readonly LinkAlert[];
  policy: VerdictPolicy;
  sinceMs: number;
  nowMs: number;
}): EvidenceReport {
  const { line, policy, nowMs } = input;
  const { verdict } = evaluateLineState(input.state ?? emptyLineState(line.lineId), line.profile, policy, nowMs);
  const withWhy = (d: LinkDirection) => ({ ...verdict[d], why: explainVerdict(verdict[d], line.profile, d, policy) });
  return {
    lineId: line.lineId,
    generatedAt: new Date(nowMs).toISOString(),
    period: { since: new Date(input.sinceMs).toISOString(), until: new Date(nowMs).toISOString() },
    advertised: line.profile,
    policy,
    verdict: { download: withWhy("download"), upload: withWhy("upload") },
    alerts: input.alerts.map(({ raisedAtMs, clearedAtMs, acknowledgedAtMs, ...a }) => ({ ...a, raisedAt: iso(raisedAtMs)!, clearedAt: iso(clearedAtMs), acknowledgedAt: iso(acknowledgedAtMs) })),
    measurements: input.samples.map((m) => ({
      at: iso(m.atMs)!, atParis: parisStamp(m.atMs), deviceId: m.deviceId, direction: m.direction, method: m.method,
      value: m.method === "optical_rx" ? m.value / 1000 : m.value, unit: m.method === "optical_rx" ? "dBm" : "bit/s",
      testServer: typeof m.context.server === "string" ? m.context.server : null, context: m.context,
    })),
    rollups: input.rollups.map(({ startMs, ...r }) => ({ ...r, start: iso(startMs)! })),
  };
}

const CSV_COLUMNS = [
  "time_utc", "time_paris", "line_id", "device_id", "direction", "method", "value", "unit", "test_server", "test_id", "origin", "requested_by",
  "bytes", "duration_us", "advertised_min_bps", "advertised_normal_bps", "advertised_max_bps", "verdict", "verdict_reason",
] as const;

export function evidenceCsv(report: EvidenceReport): string {
  const rows = report.measurements.map((m) => {
    const range = m.direction ? report.advertised[m.direction] : null;
    const v = m.direction ? report.verdict[m.direction] : null;
    const c = m.context;
    return [
      m.at, m.atParis, report.lineId, m.deviceId, m.direction ?? "", m.method, m.value, m.unit, m.testServer ?? "",
      c.testId ?? "", c.origin ?? "", c.requestedBy ?? "", c.bytes ?? "", c.durationUs ?? "",
      range?.minBps ?? "", range?.normalBps ?? "", range?.maxBps ?? "", v?.codes.join(" ") ?? "", v?.why.join("; ") ?? "",
    ];
  });
  // Cells starting with = + - @ are neutralised: ids come from imports and devices.
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], escape_formulas: true });
}
