// Calendar dates in Europe/Paris. Contract rules count whole days in the
// subscriber's local calendar, so instants are turned into Paris dates
// ("YYYY-MM-DD") first and day arithmetic happens on those plain dates, which
// is immune to daylight-saving shifts (a "day" is never 23 or 25 hours here).

const PARIS = "Europe/Paris";
const dateFmt = new Intl.DateTimeFormat("en-CA", { timeZone: PARIS, year: "numeric", month: "2-digit", day: "2-digit" });

/** A calendar date, "YYYY-MM-DD". */
export type PlainDate = string;

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isPlainDate(s: string): boolean {
  const m = PLAIN_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === s;
}

/** The Paris calendar date of an instant (epoch ms). */
export function parisDate(epochMs: number): PlainDate {
  return dateFmt.format(new Date(epochMs));
}

export function addDays(date: PlainDate, days: number): PlainDate {
  const m = PLAIN_DATE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! + days)).toISOString().slice(0, 10);
}

/** Negative when a < b, 0 when equal, positive when a > b (ISO dates sort as strings). */
export const compareDates = (a: PlainDate, b: PlainDate): number => (a < b ? -1 : a > b ? 1 : 0);

/** Whole days from a to b (b - a). */
export function daysBetween(a: PlainDate, b: PlainDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
