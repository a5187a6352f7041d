import { describe, expect, it } from "vitest";
import { addDays, isPlainDate, parisDate } from "../../acs/lib/paris-calendar.ts";
import { isOverdue, returnDueDate, terminationEffectiveDate } from "../../acs/rentals/contract-dates.ts";
import { assertTransition, canTransition } from "../../acs/rentals/lifecycle.ts";

describe("termination takes effect 10 days counted from the day after receipt", () => {
  it.each([
    ["2026-03-02", "2026-03-12"], // the sheet's example
    ["2026-01-25", "2026-02-04"], // month boundary
    ["2026-02-20", "2026-03-02"], // February, non-leap year
    ["2028-02-20", "2028-03-01"], // February, leap year
    ["2026-12-25", "2027-01-04"], // year boundary
    ["2026-03-25", "2026-04-04"], // spans the spring DST change (29 March 2026)
    ["2026-10-20", "2026-10-30"], // before the autumn DST change (25 October 2026)
  ])("received %s → effective %s", (received, effective) => {
    expect(terminationEffectiveDate(received)).toBe(effective);
  });
});

describe("Paris calendar", () => {
  it("uses the Paris date, not the UTC date, around midnight", () => {
    // 2026-06-30T22:30Z is 1 July 00:30 in Paris (UTC+2 in summer)
    expect(parisDate(Date.parse("2026-06-30T22:30:00Z"))).toBe("2026-07-01");
    // 2026-12-31T23:30Z is 1 January 00:30 in Paris (UTC+1 in winter)
    expect(parisDate(Date.parse("2026-12-31T23:30:00Z"))).toBe("2027-01-01");
    expect(parisDate(Date.parse("2026-12-31T22:59:59Z"))).toBe("2026-12-31");
  });
  it("counts days across daylight-saving changes as whole days", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30");
    expect(addDays("2026-10-25", 1)).toBe("2026-10-26");
    // 23:30 Paris on the DST day still belongs to that day
    expect(parisDate(Date.parse("2026-03-29T21:30:00Z"))).toBe("2026-03-29");
    expect(parisDate(Date.parse("2026-10-25T22:30:00Z"))).toBe("2026-10-25");
  });
  it("validates dates", () => {
    expect(isPlainDate("2026-02-29")).toBe(false);
    expect(isPlainDate("2028-02-29")).toBe(true);
    expect(isPlainDate("2026-13-01")).toBe(false);
    expect(isPlainDate("26-1-1")).toBe(false);
  });
});

describe("return deadline", () => {
  it("defaults to 30 days after the trigger and is inclusive", () => {
    const due = returnDueDate(terminationEffectiveDate("2026-03-02"));
    expect(due).toBe("2026-04-11");
    expect(isOverdue(due, "2026-04-10")).toBe(false); // returned the day before: never flagged
    expect(isOverdue(due, "2026-04-11")).toBe(false); // on the due date: still in time
    expect(isOverdue(due, "2026-04-12")).toBe(true);
    expect(returnDueDate("2026-12-15", 20)).toBe("2027-01-04");
  });
});

describe("rental lifecycle", () => {
  it("allows the normal path and refuses illegal moves with a clear message", () => {
    const path = ["in_stock", "shipped", "active", "due_back", "overdue", "charge_flagged", "exported", "reversed"] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(() => assertTransition("SN1", "in_stock", "charge_flagged")).toThrow(
      'router SN1: cannot go from "in_stock" to "charge_flagged" (allowed: shipped)',
    );
    expect(() => assertTransition("SN1", "waived", "paid")).toThrow('"waived" is final');
  });
});
