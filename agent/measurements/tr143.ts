// Throughput from TR-143 Download/UploadDiagnostics results (tr069.md §5).
//
// Input is the diagnostics object's parameter values as the CPE reported them
// (strings), keyed by leaf name ("BOMTime", "TestBytesReceived", …). Times are
// dateTime with microseconds; JS Date keeps milliseconds only, so they are
// parsed here into BigInt microseconds since the epoch.

export type DataModel = "tr098" | "tr181";
export type Direction = "download" | "upload";

export type ThroughputMethod =
  /** 8 × TestBytesReceived|TestBytesSent / (EOMTime − BOMTime) */
  | "test_bytes"
  /** TR-098 upload: 8 × TestFileLength / (EOMTime − BOMTime) (TR-098 has no TestBytesSent) */
  | "test_file_length"
  /** TR-181 multi-connection: 8 × …UnderFullLoading / PeriodOfFullLoading */
  | "full_loading";

export type ThroughputResult =
  | {
      status: "ok";
      direction: Direction;
      bps: number;
      bytes: bigint;
      durationMicros: bigint;
      method: ThroughputMethod;
      /** TCPOpenResponseTime − TCPOpenRequestTime, when both are reported. */
      tcpConnectMicros?: bigint;
      /** BOMTime − ROMTime: server response latency, when both are reported. */
      responseMicros?: bigint;
    }
  /** The CPE reported an Error_* DiagnosticsState: results are indeterminate. */
  | { status: "error"; direction: Direction; diagnosticsState: string }
  /** None, Requested or Canceled: no result to read. */
  | { status: "not_complete"; direction: Direction; diagnosticsState: string }
  /** Complete, but the result parameters cannot give a throughput. */
  | { status: "invalid"; direction: Direction; reason: string };

// TR-106 dateTime: "2024-03-01T10:00:00.123456Z", "+01:00" offsets, or no zone
// (TR-106: times are UTC unless stated otherwise).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * TR-106 "Unknown Time" (0001-01-01T00:00:00Z). Other year-0001 values are
 * times relative to boot; differences between two of them are still valid.
 */
export const UNKNOWN_TIME_MICROS = parseDateTimeMicros("0001-01-01T00:00:00Z")!;

/** µs since 1970-01-01T00:00:00Z, exact; null if not a valid TR-106 dateTime. */
export function parseDateTimeMicros(text: string): bigint | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps years 0–99 to 1900–1999
  if (date.getUTCDate() !== d) return null; // 31 April and the like
  date.setUTCHours(h, mi, s, 0);
  // Digits past the sixth (sub-µs) are truncated.
  const micros = BigInt((m[7] ?? "").slice(0, 6).padEnd(6, "0"));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== "Z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return BigInt(date.getTime()) * 1000n + micros - BigInt(offsetMinutes) * 60_000_000n;
}

/** TR-181 says "Complete"; TR-098 and older TR-181 firmware say "Completed" (a typo TR-181 deleted in 2.17). */
export function isCompleteState(state: string): boolean {
  return state === "Complete" || state === "Completed";
}

type Params = Readonly<Record<string, string | undefined>>;

const UNSIGNED = /^\d+$/;
function unsigned(params: Params, name: string): bigint | null {
  const v = params[name]?.trim();
  return v !== undefined && UNSIGNED.test(v) ? BigInt(v) : null;
}

function elapsed(params: Params, from: string, to: string): bigint | undefined {
  const a = params[from] === undefined ? null : parseDateTimeMicros(params[from]!);
  const b = params[to] === undefined ? null : parseDateTimeMicros(params[to]!);
  if (a === null || b === null || a === UNKNOWN_TIME_MICROS || b === UNKNOWN_TIME_MICROS || b < a) return undefined;
  return b - a;
}

const bitsPerSecond = (bytes: bigint, micros: bigint): number => Number(bytes * 8_000_000n) / Number(micros);

/**
 * Throughput of one Download or Upload diagnostics run.
 * - download: 8 × TestBytesReceived / (EOMTime − BOMTime)
 * - upload, TR-181: 8 × TestBytesSent / (EOMTime − BOMTime)
 * - upload, TR-098: 8 × TestFileLength / (EOMTime − BOMTime)
 * - TR-181 with NumberOfConnections > 1: the full-loading figures when reported
 *   (bits per µs = Mbit/s), since BOM/EOM then span the slowest connection's ramp.
 */
export function throughputFromDiagnostics(direction: Direction, model: DataModel, params: Params): ThroughputResult {
  const state = (params.DiagnosticsState ?? "").trim();
  if (state.startsWith("Error_")) return { status: "error", direction, diagnosticsState: state };
  if (!isCompleteState(state)) {
    if (state === "None" || state === "Requested" || state === "Canceled" || state === "") {
      return { status: "not_complete", direction, diagnosticsState: state || "None" };
    }
    return { status: "invalid", direction, reason: `unknown DiagnosticsState "${state}"` };
  }

  const extras = {
    ...optional("tcpConnectMicros", elapsed(params, "TCPOpenRequestTime", "TCPOpenResponseTime")),
    ...optional("responseMicros", elapsed(params, "ROMTime", "BOMTime")),
  };

  const sentOrReceived = direction === "download" ? "Received" : "Sent";
  if (model === "tr181" && (unsigned(params, "NumberOfConnections") ?? 1n) > 1n) {
    const bytes = unsigned(params, `TestBytes${sentOrReceived}UnderFullLoading`);
    const period = unsigned(params, "PeriodOfFullLoading");
    if (bytes !== null && period !== null && period > 0n) {
      return { status: "ok", direction, bps: bitsPerSecond(bytes, period), bytes, durationMicros: period, method: "full_loading", ...extras };
    }
  }

  const [bytesParam, method]: [string, ThroughputMethod] =
    direction === "upload" && model === "tr098" ? ["TestFileLength", "test_file_length"] : [`TestBytes${sentOrReceived}`, "test_bytes"];
  const bytes = unsigned(params, bytesParam);
  if (bytes === null) return { status: "invalid", direction, reason: `${bytesParam} missing or not an unsigned integer` };
  const duration = elapsed(params, "BOMTime", "EOMTime");
  if (duration === undefined) return { status: "invalid", direction, reason: "BOMTime/EOMTime missing, unknown or out of order" };
  if (duration === 0n) return { status: "invalid", direction, reason: "EOMTime equals BOMTime" };
  return { status: "ok", direction, bps: bitsPerSecond(bytes, duration), bytes, durationMicros: duration, method, ...extras };
}

function optional<K extends string>(key: K, value: bigint | undefined): { [P in K]?: bigint } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: bigint };
}
