// Bulk import of lines from CSV or JSON. Parsing (pure) turns the body into
// rows, each with the line number it starts on and the line as a client
// would have POSTed it; checkImport then validates every row (the same rules
// as POST /api/lines), finds duplicates inside the file and against the
// lines already stored, and checks values against the router's model when
// the ACS knows it. Every bad row is reported with its line number, field
// and reason; the caller imports nothing unless asked for the good rows only.
import { parse } from "csv-parse/sync";
import type { FieldError } from "../provisioning/settings-entries.ts";
import { BANDS } from "../provisioning/settings-catalogue.ts";
import { lineSerials, type Line, type LineInput } from "./line.ts";
import type { LineRepository } from "./line-repository.ts";
import { validateLine } from "./line-validation.ts";

export interface ImportRow {
  /** 1-based position among the data rows. */
  row: number;
  /** Line of the file the row starts on. */
  line: number;
  input: unknown;
}

export interface RowError extends FieldError {
  row: number;
  line: number;
}

/** A body that cannot be read as rows at all (bad JSON, unknown CSV column): nothing is imported. */
export class ImportFormatError extends Error {
  override name = "ImportFormatError";
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

const WIFI_LEAVES = ["enabled", "ssid", "passphrase", "security", "channel", "hidden", "insecureOverride"] as const;

/** CSV columns, named like the JSON fields ("wifi.5GHz.channel"); `router` is a serial or "customer-owned". */
export const CSV_COLUMNS: readonly string[] = [
  "id", "subscriber.id", "subscriber.name", "address", "commune",
  "rates.download.min", "rates.download.max", "rates.upload.min", "rates.upload.max",
  "router", "ontSerial",
  ...BANDS.flatMap((b) => WIFI_LEAVES.map((l) => `wifi.${b}.${l}`)),
  "wan.mode", "wan.vlan", "wan.pppoe.username", "wan.pppoe.password",
];

const CUSTOMER_OWNED = "customer-owned";
const INTEGER = /^-?\d+$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, "1": true, "0": false, yes: true, no: false };

/** A cell as the JSON value it stands for; what does not convert stays text, for validation to name. */
function cellValue(column: string, raw: string): unknown {
  if (column === "router") return raw === CUSTOMER_OWNED ? { customerOwned: true } : { serial: raw };
  if (column.startsWith("rates.")) return INTEGER.test(raw) ? Number(raw) : raw;
  if (/\.channel$/.test(column)) return raw === "auto" ? raw : INTEGER.test(raw) ? Number(raw) : raw;
  if (column === "wan.vlan") return raw === "untagged" ? raw : INTEGER.test(raw) ? Number(raw) : raw;
  if (/\.(enabled|hidden|insecureOverride)$/.test(column)) return BOOLEANS[raw.toLowerCase()] ?? raw;
  return raw;
}

/** A column's path in the line object; the band ("2.4GHz") is one segment despite its dot. */
function pathOf(column: string): string[] {
  const band = BANDS.find((b) => column.startsWith(`wifi.${b}.`));
  return band ? ["wifi", band, column.slice(`wifi.${band}.`.length)] : column.split(".");
}

function setPath(target: Record<string, unknown>, column: string, value: unknown): void {
  const segs = pathOf(column);
  let node = target;
  for (const s of segs.slice(0, -1)) node = (node[s] ??= {}) as Record<string, unknown>;
  node[segs[segs.length - 1]!] = value;
}

export function parseCsvRows(text: string): ImportRow[] {
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new ImportFormatError(e.lines ?? 1, `not valid CSV: ${e.message}`);
  }
  const [header, ...data] = records;
  if (!header) throw new ImportFormatError(1, "the file is empty: a header line with the column names is expected");
  const columns = header.record.map((c) => c.trim());
  columns.forEach((c, i) => {
    if (!CSV_COLUMNS.includes(c)) throw new ImportFormatError(header.info.lines, `column "${c}" is not a line field (columns: ${CSV_COLUMNS.join(", ")})`);
    if (columns.indexOf(c) !== i) throw new ImportFormatError(header.info.lines, `column "${c}" appears twice`);
  });
  const rows: ImportRow[] = [];
  let end = header.info.lines;
  let empties = header.info.empty_lines;
  for (const [i, { record, info }] of data.entries()) {
    const line = end + 1 + (info.empty_lines - empties);
    end = info.lines;
    empties = info.empty_lines;
    if (record.length !== columns.length) {
      rows.push({ row: i + 1, line, input: new FieldCountMismatch(record.length, columns.length) });
      continue;
    }
    const input: Record<string, unknown> = {};
    record.forEach((raw, c) => {
      if (raw !== "") setPath(input, columns[c]!, cellValue(columns[c]!, raw));
    });
    rows.push({ row: i + 1, line, input });
  }
  return rows;
}

/** Marks a CSV record whose field count differs from the header's. */
class FieldCountMismatch {
  constructor(readonly fields: number, readonly expected: number) {}
}

/** Line numbers where each element of a top-level JSON array starts (a small scan; JSON.parse gives none). */
function elementLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\n") line++;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (depth === 1 && expectValue && ch !== "]") {
      out.push(line);
      expectValue = false;
    }
    if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === "]" || ch === "}") depth--;
    else if (ch === "," && depth === 1) expectValue = true;
  }
  return out;
}

export function parseJsonRows(text: string): ImportRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ImportFormatError(1, `not valid JSON: ${(err as Error).message}`);
  }
  const items = Array.isArray(value) ? value : (value as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(items)) throw new ImportFormatError(1, 'expected an array of lines (or {"lines": [...]})');
  const lines = Array.isArray(value) ? elementLines(text) : [];
  return items.map((input, i) => ({ row: i + 1, line: lines[i] ?? 1, input }));
}

export interface ImportCheck {
  good: { row: ImportRow; line: LineInput }[];
  errors: RowError[];
  /** Rows with at least one error. */
  badRows: number;
}

/**
 * Validates every row; `modelProblems` checks one line against its router's
 * model (empty when the model is unknown).
 */
export async function checkImport(
  rows: readonly ImportRow[],
  repo: Pick<LineRepository, "existingLineIds" | "serialOwners">,
  modelProblems: (line: LineInput) => Promise<FieldError[]>,
): Promise<ImportCheck> {
  const errors = new Map<ImportRow, FieldError[]>();
  const add = (r: ImportRow, e: FieldError) => errors.set(r, [...(errors.get(r) ?? []), e]);
  const valid: { row: ImportRow; line: LineInput }[] = [];
  for (const row of rows) {
    if (row.input instanceof FieldCountMismatch) {
      add(row, { field: "(row)", message: `has ${row.input.fields} fields, the header has ${row.input.expected}` });
      continue;
    }
    const v = validateLine(row.input);
    if (v.ok) valid.push({ row, line: v.line });
    else for (const e of v.errors) add(row, e);
  }

  // Inside the file: the first row wins, later ones are reported against it.
  const firstId = new Map<string, ImportRow>();
  const firstSerial = new Map<string, ImportRow>();
  for (const { row, line } of valid) {
    const other = firstId.get(line.id);
    if (other) add(row, { field: "id", message: `line ${line.id} is also on line ${other.line} of this file` });
    else firstId.set(line.id, row);
    for (const { serial, role } of lineSerials(line)) {
      const prev = firstSerial.get(serial);
      if (prev && prev !== row) add(row, { field: role === "router" ? "router.serial" : "ontSerial", message: `serial ${serial} is also on line ${prev.line} of this file` });
      else firstSerial.set(serial, row);
    }
  }

  // Against what is stored.
  const existing = new Set(await repo.existingLineIds(valid.map((v) => v.line.id)));
  const owners = await repo.serialOwners([...firstSerial.keys()]);
  for (const { row, line } of valid) {
    if (existing.has(line.id)) add(row, { field: "id", message: `line ${line.id} already exists` });
    for (const { serial, role } of lineSerials(line)) {
      const owner = owners.get(serial);
      if (owner) add(row, { field: role === "router" ? "router.serial" : "ontSerial", message: `serial ${serial} is already on line ${owner.lineId}` });
    }
    if (!errors.has(row)) for (const e of await modelProblems(line)) add(row, e);
  }

  const out: RowError[] = [];
  for (const row of rows) for (const e of errors.get(row) ?? []) out.push({ row: row.row, line: row.line, ...e });
  return { good: valid.filter((v) => !errors.has(v.row)), errors: out, badRows: errors.size };
}

/** A stored line from a validated input. */
export const newLine = (input: LineInput, now: number): Line => ({ ...input, version: 1, createdAt: now, updatedAt: now });
