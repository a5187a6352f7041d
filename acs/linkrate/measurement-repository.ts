// Persistence of link-rate measurements, speed tests and alerts. Implemented
// by acs/store/sqlite/linkrate.ts and acs/store/mongodb/linkrate.ts, both
// checked by test/contract/linkrate-contract.ts.
//
// Contract decisions:
// - Raw samples are append-only; appendSamples stores a batch at once (one
//   transaction on SQLite) and folds the samples that feed verdicts into the
//   line state (foldSamples), so evaluating a line reads one record. A sample
//   of the same series (line, device, method, direction) at the same
//   millisecond is the same reading reported twice: stored once.
// - downsample() turns raw samples older than a cut-off into min/median/max
//   rollups per interval and series, then deletes them; speed tests are kept
//   raw (they are the evidence) until their own retention ends.
// - A line state's verdict and alerts are written only by putEvaluations,
//   together with the alerts raised and cleared; an alert is raised once (its
//   key is then in the state) and cleared once.
// - Speed tests: at most one per (line, slot, direction); addSpeedTests skips
//   the ones whose slot is taken and returns those it stored.
// - Lists are oldest first for samples, newest first for alerts and speed
//   tests (download before upload when created together).

import type { LinkrateDumpBatch } from "./measurement-dump.ts";
import type { LinkDirection } from "./policy.ts";
import type { VerdictCode } from "./verdict.ts";
import type {
  AlertKind, LineState, LinkAlert, Measurement, MeasurementMethod, NewSpeedTest, Rollup, SpeedTestRecord, SpeedTestStatus,
} from "./measurement.ts";

export interface SampleQuery {
  lineId?: string;
  deviceId?: string;
  method?: MeasurementMethod;
  /** Inclusive; epoch ms. */
  sinceMs?: number;
  /** Exclusive; epoch ms. */
  untilMs?: number;
  limit?: number;
}

export interface AlertQuery {
  /** true: not cleared; false: cleared. */
  open?: boolean;
  lineId?: string;
  kind?: AlertKind;
  offset?: number;
  limit?: number;
}

export interface AlertCount {
  kind: AlertKind;
  open: number;
  unacknowledged: number;
}

export interface LineEvaluation {
  lineId: string;
  verdict: NonNullable<LineState["verdict"]>;
  alerts: LineState["alerts"];
}

export interface AlertChanges {
  /** New alerts; the caller chose their ids, so the evaluations can name them. */
  raised: readonly LinkAlert[];
  /** Alerts to clear (an alert already cleared keeps its first clearing time). */
  cleared: readonly { id: string; atMs: number }[];
}

export type SpeedTestPatch = Partial<Pick<SpeedTestRecord, "status" | "requestedAtMs" | "doneAtMs" | "bps" | "error">>;

export interface DownsampleResult {
  /** Raw samples folded into rollups and deleted. */
  samples: number;
  rollups: number;
  /** Speed-test samples past their own retention, deleted. */
  expiredSpeedTests: number;
  /** Finished speed-test records deleted. */
  expiredTestRecords: number;
}

export interface LinkrateRepository {
  // ---- samples -------------------------------------------------------------
  appendSamples(samples: readonly Measurement[]): Promise<void>;
  listSamples(query: SampleQuery): Promise<Measurement[]>;
  listRollups(query: SampleQuery): Promise<Rollup[]>;
  /**
   * Raw samples (speed tests excepted) older than `beforeMs` become rollups of
   * `intervalMs` (aligned on multiples of it); speed-test samples older than
   * `speedTestsBeforeMs` are deleted, and so are finished speed-test records
   * (done, failed) created before `beforeMs`: the samples keep their evidence.
   */
  downsample(opts: { beforeMs: number; intervalMs: number; speedTestsBeforeMs: number }): Promise<DownsampleResult>;

  // ---- line states ---------------------------------------------------------
  getLineStates(lineIds: readonly string[]): Promise<Map<string, LineState>>;
  /** Stores verdicts and open-alert keys, and the alerts raised and cleared with them, at once. */
  putEvaluations(evaluations: readonly LineEvaluation[], alerts?: AlertChanges): Promise<void>;
  /** Lines per primary verdict code, per direction (lines never evaluated are not counted). */
  countVerdicts(): Promise<Record<LinkDirection, Partial<Record<VerdictCode, number>>>>;
  /** Line states whose latest verdict for `direction` includes `code`, by line id. */
  listLinesByVerdict(query: { direction: LinkDirection; code?: VerdictCode; offset?: number; limit?: number }): Promise<{ total: number; items: LineState[] }>;
  /** The newest speed test of every line for a direction, bit/s (for the distribution chart). */
  latestSpeeds(direction: LinkDirection): Promise<number[]>;

  // ---- alerts --------------------------------------------------------------
  /** Null when absent; an already acknowledged alert keeps its first acknowledgement. */
  acknowledgeAlert(id: string, by: string, atMs: number): Promise<LinkAlert | null>;
  getAlert(id: string): Promise<LinkAlert | null>;
  listAlerts(query: AlertQuery): Promise<{ total: number; items: LinkAlert[] }>;
  countOpenAlerts(): Promise<AlertCount[]>;

  // ---- speed tests ---------------------------------------------------------
  addSpeedTests(tests: readonly NewSpeedTest[], nowMs: number): Promise<SpeedTestRecord[]>;
  getSpeedTest(id: string): Promise<SpeedTestRecord | null>;
  updateSpeedTest(id: string, patch: SpeedTestPatch): Promise<void>;
  /** Queued or requested tests of a device, oldest first (download before upload at the same time). */
  activeSpeedTests(deviceId: string): Promise<SpeedTestRecord[]>;
  /** Distinct lines with a queued or requested test (the scheduler's concurrency). */
  countActiveLines(): Promise<number>;
  /** Which of `lineIds` already have a test for `slot`. */
  linesWithSlot(slot: string, lineIds: readonly string[]): Promise<Set<string>>;
  listSpeedTests(query: { lineId?: string; status?: SpeedTestStatus; limit?: number }): Promise<SpeedTestRecord[]>;

  // ---- whole-store copy (measurement-dump.ts) --------------------------------
  /** Every record, one kind per batch, in LINKRATE_DUMP_KINDS order. */
  dump(batchSize?: number): AsyncIterable<LinkrateDumpBatch>;
  /** Writes dumped records as they are; for an empty repository (copy.ts checks). */
  restore(batch: LinkrateDumpBatch): Promise<void>;
}
