import { describe, expect, it } from "vitest";
import { parseDateTimeMicros, throughputFromDiagnostics, UNKNOWN_TIME_MICROS } from "../../agent/measurements/tr143.ts";

describe("TR-106 dateTime with microseconds", () => {
  it("keeps the microseconds that Date drops", () => {
    const a = parseDateTimeMicros("2024-03-01T10:00:00.000001Z")!;
    const b = parseDateTimeMicros("2024-03-01T10:00:00.123456Z")!;
    expect(b - a).toBe(123_455n);
    expect(Date.parse("2024-03-01T10:00:00.123456Z") - Date.parse("2024-03-01T10:00:00.000001Z")).toBe(123); // what Date gives
    expect(a).toBe(BigInt(Date.parse("2024-03-01T10:00:00Z")) * 1000n + 1n);
  });

  it("applies zone offsets and treats a missing zone as UTC", () => {
    const utc = parseDateTimeMicros("2024-03-01T10:00:00.5Z");
    expect(parseDateTimeMicros("2024-03-01T11:00:00.500000+01:00")).toBe(utc);
    expect(parseDateTimeMicros("2024-03-01T07:30:00.5-02:30")).toBe(utc);
    expect(parseDateTimeMicros("2024-03-01T10:00:00.5")).toBe(utc);
  });

  it("truncates digits past the microsecond", () => {
    expect(parseDateTimeMicros("2024-03-01T10:00:00.1234569Z")! % 1_000_000n).toBe(123_456n);
  });

  it("rejects what is not a dateTime", () => {
    for (const bad of ["", "yesterday", "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01 10:00:00Z", "2024-03-01T10:00:00+25:00"]) {
      expect(parseDateTimeMicros(bad), bad).toBeNull();
    }
  });

  it("parses year-0001 boot-relative times exactly (not as 1901)", () => {
    expect(parseDateTimeMicros("0001-01-01T00:01:00.000250Z")! - UNKNOWN_TIME_MICROS).toBe(60_000_250n);
  });
});

const download181 = {
  DiagnosticsState: "Complete",
  ROMTime: "2026-05-04T20:00:00.000000Z",
  BOMTime: "2026-05-04T20:00:00.012500Z",
  EOMTime: "2026-05-04T20:00:08.012500Z",
  TestBytesReceived: "1000000000",
  TotalBytesReceived: "1000500000",
  TCPOpenRequestTime: "2026-05-04T19:59:59.990000Z",
  TCPOpenResponseTime: "2026-05-04T19:59:59.991750Z",
};

describe("TR-143 throughput", () => {
  it("download = 8 × TestBytesReceived / (EOM − BOM), with latency figures", () => {
    expect(throughputFromDiagnostics("download", "tr181", download181)).toEqual({
      status: "ok",
      direction: "download",
      bps: 1_000_000_000,
      bytes: 1_000_000_000n,
      durationMicros: 8_000_000n,
      method: "test_bytes",
      tcpConnectMicros: 1_750n,
      responseMicros: 12_500n,
    });
  });

  it("uses the microseconds in the duration", () => {
    const r = throughputFromDiagnostics("download", "tr181", { ...download181, EOMTime: "2026-05-04T20:00:08.012750Z" });
    expect(r).toMatchObject({ status: "ok", durationMicros: 8_000_250n, bps: 8e15 / 8_000_250 });
  });

  it("accepts both Complete (TR-181) and Completed (TR-098, older TR-181 firmware)", () => {
    const r = throughputFromDiagnostics("download", "tr098", { ...download181, DiagnosticsState: "Completed" });
    expect(r).toMatchObject({ status: "ok", bps: 1_000_000_000 });
  });

  it("TR-181 upload = 8 × TestBytesSent / (EOM − BOM)", () => {
    const r = throughputFromDiagnostics("upload", "tr181", {
      DiagnosticsState: "Complete",
      BOMTime: "2026-05-04T20:01:00Z",
      EOMTime: "2026-05-04T20:01:04Z",
      TestBytesSent: "150000000",
      TestFileLength: "999999999",
    });
    expect(r).toMatchObject({ status: "ok", bps: 300_000_000, method: "test_bytes", bytes: 150_000_000n });
  });

  it("TR-098 upload uses TestFileLength (TR-098 has no TestBytesSent)", () => {
    const r = throughputFromDiagnostics("upload", "tr098", {
      DiagnosticsState: "Completed",
      BOMTime: "2026-05-04T20:01:00.000000Z",
      EOMTime: "2026-05-04T20:01:10.000000Z",
      TestFileLength: "62500000",
      TotalBytesSent: "64000000",
    });
    expect(r).toMatchObject({ status: "ok", bps: 50_000_000, method: "test_file_length" });
  });

  it("multi-connection TR-181 tests use the full-loading figures (bits per µs = Mbit/s)", () => {
    const r = throughputFromDiagnostics("download", "tr181", {
      ...download181,
      NumberOfConnections: "4",
      TestBytesReceivedUnderFullLoading: "700000000",
      PeriodOfFullLoading: "5600000",
    });
    expect(r).toMatchObject({ status: "ok", method: "full_loading", bps: 1_000_000_000, durationMicros: 5_600_000n });
    const up = throughputFromDiagnostics("upload", "tr181", {
      DiagnosticsState: "Complete",
      BOMTime: "2026-05-04T20:01:00Z",
      EOMTime: "2026-05-04T20:01:04Z",
      TestBytesSent: "1",
      NumberOfConnections: "2",
      TestBytesSentUnderFullLoading: "25000000",
      PeriodOfFullLoading: "2000000",
    });
    expect(up).toMatchObject({ status: "ok", method: "full_loading", bps: 100_000_000 });
  });

  it("falls back to BOM/EOM when a multi-connection result lacks full-loading figures", () => {
    const r = throughputFromDiagnostics("download", "tr181", { ...download181, NumberOfConnections: "4", PeriodOfFullLoading: "0" });
    expect(r).toMatchObject({ status: "ok", method: "test_bytes", bps: 1_000_000_000 });
  });

  it("keeps StatsCounter64 byte counts exact above 2^53", () => {
    const r = throughputFromDiagnostics("download", "tr181", { ...download181, TestBytesReceived: "9007199254740993" });
    expect(r).toMatchObject({ status: "ok", bytes: 9_007_199_254_740_993n });
  });

  it("an Error_* state is a clear error result", () => {
    expect(throughputFromDiagnostics("download", "tr181", { ...download181, DiagnosticsState: "Error_Timeout" })).toEqual({
      status: "error",
      direction: "download",
      diagnosticsState: "Error_Timeout",
    });
  });

  it("no result while None, Requested or Canceled", () => {
    for (const state of ["None", "Requested", "Canceled"]) {
      expect(throughputFromDiagnostics("upload", "tr181", { DiagnosticsState: state })).toEqual({ status: "not_complete", direction: "upload", diagnosticsState: state });
    }
    expect(throughputFromDiagnostics("upload", "tr181", {})).toMatchObject({ status: "not_complete", diagnosticsState: "None" });
  });

  it("invalid results say why instead of giving a number", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...download181, TestBytesReceived: "-5" }, /TestBytesReceived/],
      [{ ...download181, TestBytesReceived: "" }, /TestBytesReceived/],
      [{ ...download181, EOMTime: "2026-05-04T19:00:00Z" }, /out of order/],
      [{ ...download181, BOMTime: "0001-01-01T00:00:00Z" }, /unknown/],
      [{ ...download181, EOMTime: download181.BOMTime }, /equals/],
      [{ ...download181, DiagnosticsState: "Finished" }, /unknown DiagnosticsState/],
    ];
    for (const [params, reason] of cases) {
      const r = throughputFromDiagnostics("download", "tr181", params);
      expect(r.status).toBe("invalid");
      expect(r.status === "invalid" && r.reason).toMatch(reason);
    }
  });
});
