// Orders firmware versions as CPEs report them in DeviceInfo.SoftwareVersion:
// dot-delimited integers ("3.2.14") SHOULD be used, but vendors mix in letters
// ("V1.0.2T5"), so digits compare as numbers and everything else as text.

const tokens = (v: string): (number | string)[] =>
  (v.match(/\d+|[A-Za-z]+/g) ?? []).map((t) => (/^\d/.test(t) ? Number(t) : t.toLowerCase()));

/** <0 when a is older than b, 0 when equal, >0 when newer. */
export function compareFirmware(a: string, b: string): number {
  const x = tokens(a);
  const y = tokens(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (typeof p === "number" && typeof q === "number") return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return 0;
}

/** Whether `version` lies in the inclusive range (an absent bound is open). */
export const inFirmwareRange = (version: string, range: { min?: string; max?: string } | undefined): boolean =>
  !range ||
  ((range.min === undefined || compareFirmware(version, range.min) >= 0) &&
    (range.max === undefined || compareFirmware(version, range.max) <= 0));
