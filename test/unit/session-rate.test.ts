// Sessions per minute for the overview chart: one bucket per minute over the
// last hour, old minutes reused, minutes without sessions reported as 0.

import { expect, test } from "vitest";
import { RATE_MINUTES, SessionRate } from "../../acs/dashboards/session-rate.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

test("counts completed and failed sessions per minute, oldest minute first", () => {
  const rate = new SessionRate();
  rate.add(T0 + 5_000, true);
  rate.add(T0 + 59_999, false);
  rate.add(T0 + MIN, true);
  const series = rate.series(T0 + MIN + 30_000);
  expect(series).toHaveLength(RATE_MINUTES);
  expect(series.at(-1)).toEqual({ t: T0 + MIN, ok: 1, failed: 0 });
  expect(series.at(-2)).toEqual({ t: T0, ok: 1, failed: 1 });
  expect(series.slice(0, -2).every((m) => m.ok === 0 && m.failed === 0)).toBe(true);
});

test("a minute an hour old is forgotten, not added to the one reusing its slot", () => {
  const rate = new SessionRate();
  rate.add(T0, true);
  rate.add(T0 + RATE_MINUTES * MIN, true);
  const series = rate.series(T0 + RATE_MINUTES * MIN);
  expect(series[0]!.t).toBe(T0 + MIN);
  expect(series.at(-1)).toEqual({ t: T0 + RATE_MINUTES * MIN, ok: 1, failed: 0 });
  expect(series.reduce((n, m) => n + m.ok, 0)).toBe(1);
});
