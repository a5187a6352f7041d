// CSV import of contract events. Every row is checked first, in file order,
// against the inventory as the earlier rows leave it (a dry run: nothing is
// written); every bad row is reported with its line number and reason. With
// any bad row nothing is imported, unless `goodRowsOnly` asks for the good
// rows alone. Rows then apply in file order, each idempotent (an event
// already imported is counted as a duplicate, not an error).
//
// Columns (header required, any order): type, line_id, subscriber_id, date,
// and optional event_id, serial, new_serial, equipment (default "rented").

import { parse } from "csv-parse/sync";
import { IllegalTransitionError } from "./lifecycle.ts";
import { RentalBusyError, RentalRuleError } from "./commit.ts";
import {
  applyContractEvent, DryRunView, eventKey, parseContractEvent, planContractEvent, type ApplyEventContext,
} from "./contract-events.ts";
import type { ContractEvent, RentalRepository } from "./rental-repository.ts";

const COLUMNS: Record<string, keyof ContractEvent> = {
  event_id: "eventId", type: "type", line_id: "lineId", subscriber_id: "subscriberId", date: "date",
  serial: "serial", new_serial: "newSerial", equipment: "equipment",
};
const REQUIRED = ["type", "line_id", "subscriber_id", "date"];

export interface RowError {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  reason: string;
}

export interface ImportReport {
  /** false when nothing was written: bad rows without `goodRowsOnly`, or a file that cannot be read as rows. */
  accepted: boolean;
  /** Data rows in the file. */
  rows: number;
  /** Events applied by this import. */
  imported: number;
  /** Events imported before (same event id): no-ops. */
  duplicates: number;
  rejectedRows: number;
  errors: RowError[];
}

interface Row {
  line: number;
  event: ContractEvent;
}

/** Business-rule and lifecycle refusals become row errors; anything else is a real failure. */
function rowError(line: number, err: unknown): RowError {
  if (err instanceof RentalRuleError || err instanceof IllegalTransitionError || err instanceof RentalBusyError) return { line, reason: err.message };
  throw err;
}

/** The rows of the file; `unreadable` when the file itself (CSV syntax, header) is at fault. */
function readRows(text: string): { rows: Row[]; errors: RowError[]; count: number; unreadable?: true } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, csv-parse returns { record, info } objects; its typings only know arrays.
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { rows: [], errors: [{ line: e.lines ?? 1, reason: `unreadable CSV: ${e.message}` }], count: 0, unreadable: true };
  }
  if (records.length === 0) return { rows: [], errors: [{ line: 1, reason: "empty file: a header line is required" }], count: 0, unreadable: true };
  const header = records[0]!.record.map((h) => h.toLowerCase());
  const unknown = header.filter((h) => !(h in COLUMNS));
  const missing = REQUIRED.filter((h) => !header.includes(h));
  const dup = header.filter((h, i) => header.indexOf(h) !== i);
  const headerErrors = [
    ...(unknown.length ? [`unknown column(s): ${unknown.join(", ")} (known: ${Object.keys(COLUMNS).join(", ")})`] : []),
    ...(missing.length ? [`missing column(s): ${missing.join(", ")}`] : []),
    ...(dup.length ? [`repeated column(s): ${dup.join(", ")}`] : []),
  ];
  if (headerErrors.length) return { rows: [], errors: [{ line: 1, reason: headerErrors.join("; ") }], count: records.length - 1, unreadable: true };

  const rows: Row[] = [];
  const errors: RowError[] = [];
  for (const { record, info } of records.slice(1)) {
    // info.lines is where the record ends; a quoted cell may span lines.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    if (record.length !== header.length) {
      errors.push({ line, reason: `${record.length} cell(s), the header has ${header.length}` });
      continue;
    }
    const input: Record<string, string> = {};
    header.forEach((h, i) => {
      if (record[i] !== "") input[COLUMNS[h]!] = record[i]!;
    });
    try {
      rows.push({ line, event: parseContractEvent(input) });
    } catch (err) {
      errors.push(rowError(line, err));
    }
  }
  return { rows, errors, count: records.length - 1 };
}

/** Validates the whole file, then imports it (or its good rows, with `goodRowsOnly`). */
export async function importContractEvents(
  repo: RentalRepository, text: string, ctx: Omit<ApplyEventContext, "source"> & { goodRowsOnly: boolean },
): Promise<ImportReport> {
  const { rows, errors, count, unreadable } = readRows(text);
  const view = new DryRunView(repo);
  const seen = new Set<string>();
  const good: Row[] = [];
  for (const row of rows) {
    const { eventId } = row.event;
    if (seen.has(eventId) || (await repo.getContractEvent(eventId))) {
      good.push(row); // a repeat: applies as a no-op
      continue;
    }
    try {
      const alreadyApplied = new Set(await repo.serialsWithChangeKey(eventKey(eventId)));
      const plan = await planContractEvent(view, row.event, { now: ctx.now, actor: ctx.actor, deadlineDays: ctx.deadlineDays, alreadyApplied });
      await view.apply(plan.changes);
      seen.add(eventId);
      good.push(row);
    } catch (err) {
      errors.push(rowError(row.line, err));
    }
  }
  errors.sort((a, b) => a.line - b.line);
  const report: ImportReport = { accepted: false, rows: count, imported: 0, duplicates: 0, rejectedRows: unreadable ? count : count - good.length, errors };
  if (unreadable || (errors.length > 0 && !ctx.goodRowsOnly)) return report;
  report.accepted = true;
  for (const row of good) {
    try {
      const { status } = await applyContractEvent(repo, row.event, { ...ctx, source: "csv" });
      if (status === "applied") report.imported++;
      else report.duplicates++;
    } catch (err) {
      // Changed since the dry run (another writer): reported, the other rows still apply.
      report.errors.push(rowError(row.line, err));
      report.rejectedRows++;
    }
  }
  report.errors.sort((a, b) => a.line - b.line);
  return report;
}
