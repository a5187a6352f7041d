// The demo's plan (acs/demo/): lines valid as an API client's, every
// simulated device on a line, the degraded behaviours present, the same plan
// at every start, and stable as the fleet grows; the generated history and
// former contracts as the rules read them.

import { describe, expect, test } from "vitest";
import { BAD_SHARE, isPeakHour } from "../../agent/drivers/sim/line-behaviour.ts";
import { HISTORY_DAYS, lineHistory } from "../../acs/demo/demo-linkrate.ts";
import { demoRoster, planDemo } from "../../acs/demo/demo-plan.ts";
import { formerContracts } from "../../acs/demo/demo-rentals.ts";
import { RATE_BOUNDS } from "../../acs/lines/line.ts";
import { validateLine } from "../../acs/lines/line-validation.ts";
import { lineProfileOf } from "../../acs/linkrate/linkrate-lines.ts";
import { TERMINATION_NOTICE_DAYS } from "../../acs/rentals/contract-dates.ts";

describe("demo lines", () => {
  const roster = demoRoster(30);
  const plan = planDemo(roster);

  test("one line per router, every ONT on a line, a couple of customer-owned routers", () => {
    const routers = roster.filter((d) => d.model !== "ont-tr181");
    const onts = roster.filter((d) => d.model === "ont-tr181");
    expect(routers.length).toBe(20);
    const ownRouter = plan.lines.filter((l) => "customerOwned" in l.input.router);
    expect(plan.lines.length).toBe(routers.length + ownRouter.length);
    expect(ownRouter.length).toBe(2);
    expect(new Set(plan.lines.flatMap((l) => ("serial" in l.input.router ? [l.input.router.serial] : [])))).toEqual(new Set(routers.map((r) => r.serial)));
    expect(new Set(plan.lines.flatMap((l) => (l.input.ontSerial ? [l.input.ontSerial] : [])))).toEqual(new Set(onts.map((o) => o.serial)));
    expect(new Set(plan.lines.map((l) => l.input.id)).size).toBe(plan.lines.length);
  });

  test("every line is valid as POST /api/lines takes it, its range inside the offer's bounds and varied", () => {
    for (const l of plan.lines) {
      const v = validateLine(JSON.parse(JSON.stringify(l.input)));
      expect(v.ok, JSON.stringify(v)).toBe(true);
      for (const dir of ["download", "upload"] as const) {
        expect(l.input.rates[dir].min).toBeGreaterThanOrEqual(RATE_BOUNDS[dir].min);
        expect(l.input.rates[dir].max).toBeLessThanOrEqual(RATE_BOUNDS[dir].max);
      }
    }
    expect(new Set(plan.lines.map((l) => `${l.input.rates.download.max}/${l.input.rates.upload.max}`)).size).toBeGreaterThanOrEqual(4);
  });

  test("healthy most; some below minimum, degrading at peak, WAN port at 100, weak optics", () => {
    const kinds = [...plan.behaviours.values()].map((b) => b.kind);
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect(count("healthy")).toBeGreaterThan(plan.lines.length / 2);
    for (const k of ["below_minimum", "peak_degrading", "wan_port_100", "weak_optical"]) expect(count(k), k).toBeGreaterThanOrEqual(1);
    // The port-rate behaviour only where the router reports its port rate, the optics only on ONTs.
    for (const l of plan.lines) {
      if (l.behaviour.kind === "wan_port_100") expect(l.tester.model).toBe("router-tr181");
      if (l.ont && plan.behaviours.get(l.ont.serial)?.kind === "weak_optical") expect(l.router).not.toBeNull();
    }
  });

  test("the same plan at every start, and a bigger fleet keeps the smaller one's lines", () => {
    expect(planDemo(demoRoster(30)).lines.map((l) => l.input)).toEqual(plan.lines.map((l) => l.input));
    const bigger = new Map(planDemo(demoRoster(300)).lines.map((l) => [l.input.id, l.input]));
    for (const l of plan.lines) expect(bigger.get(l.input.id)).toEqual(l.input);
  });
});

describe("demo history", () => {
  const plan = planDemo(demoRoster(30));
  const now = Date.parse("2026-03-12T10:00:00Z");

  test("two tests a day per direction, in the past, in the off-peak and peak windows", () => {
    const samples = lineHistory(plan.lines[0]!, "dev", now);
    expect(samples.length).toBe(HISTORY_DAYS * 2 * 2);
    expect(samples.every((s) => s.atMs < now && s.method === "speed_test" && s.context.demo === true)).toBe(true);
    expect(samples.filter((s) => isPeakHour(s.atMs)).length).toBe(HISTORY_DAYS * 2);
  });

  test("a healthy line reaches its normally available speed, a below-minimum line stays under its minimum", () => {
    const healthy = plan.lines.find((l) => l.behaviour.kind === "healthy")!;
    const bad = plan.lines.find((l) => l.behaviour.kind === "below_minimum")!;
    const profile = (l: typeof healthy) => lineProfileOf(l.input);
    for (const s of lineHistory(healthy, "dev", now)) expect(s.value).toBeGreaterThanOrEqual(profile(healthy)[s.direction!].normalBps);
    for (const s of lineHistory(bad, "dev", now)) {
      expect(s.value).toBeLessThan(profile(bad)[s.direction!].minBps);
      expect(s.value).toBeLessThanOrEqual(bad.behaviour[s.direction === "download" ? "downloadMbps" : "uploadMbps"]! * BAD_SHARE * 1e6);
    }
  });
});

describe("former subscribers", () => {
  test("overdue, not due yet and returned, by the offer's termination rule", () => {
    const f = formerContracts(5, 30);
    const overdueBy = (c: (typeof f)[number]) => c.terminatedDaysAgo - TERMINATION_NOTICE_DAYS - 30;
    expect(f.map(overdueBy)).toEqual([21, 4, -12, 45, 20 - TERMINATION_NOTICE_DAYS - 30]);
    expect(f.map((c) => c.returned)).toEqual([false, false, false, false, true]);
    expect(new Set(f.map((c) => c.unit.serial)).size).toBe(5);
    expect(f.every((c) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(c.unit.mac))).toBe(true);
  });
});
