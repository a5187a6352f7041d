// Session retry back-off (TR-069 §3.2.1.1) and periodic Inform scheduling.

import { describe, expect, it } from "vitest";
import { retryDelayMs, retryWindow } from "../../agent/cwmp-client/backoff.ts";
import { nextPeriodicInform } from "../../agent/device/periodic.ts";

describe("retry back-off", () => {
  it("follows m·k^(n-1) .. m·k^n with the defaults (5 s, ×2.0)", () => {
    expect(retryWindow(1)).toEqual([5, 10]);
    expect(retryWindow(2)).toEqual([10, 20]);
    expect(retryWindow(3)).toEqual([20, 40]);
    expect(retryWindow(10)).toEqual([2560, 5120]);
  });
  it("caps the exponent at 10", () => {
    expect(retryWindow(11)).toEqual(retryWindow(10));
    expect(retryWindow(500)).toEqual([2560, 5120]);
  });
  it("uses CWMPRetryMinimumWaitInterval and CWMPRetryIntervalMultiplier", () => {
    expect(retryWindow(1, 30, 1500)).toEqual([30, 45]);
    expect(retryWindow(3, 30, 1000)).toEqual([30, 30]);
  });
  it("draws a random wait inside the window", () => {
    expect(retryDelayMs(2, 5, 2000, () => 0)).toBe(10_000);
    expect(retryDelayMs(2, 5, 2000, () => 0.5)).toBe(15_000);
    expect(retryDelayMs(2, 5, 2000, () => 0.999999)).toBeLessThanOrEqual(20_000);
    for (let i = 0; i < 100; i++) {
      const ms = retryDelayMs(4);
      expect(ms).toBeGreaterThanOrEqual(40_000);
      expect(ms).toBeLessThanOrEqual(80_000);
    }
  });
});

describe("periodic Inform schedule", () => {
  const t0 = Date.parse("2025-05-01T10:00:00Z");
  it("keeps the phase of PeriodicInformTime", () => {
    // Phase 09:00:30, every hour: next is 10:00:30.
    expect(nextPeriodicInform(t0, 3600, "2025-05-01T09:00:30Z", 0)).toBe(Date.parse("2025-05-01T10:00:30Z"));
    // A phase in the future works the same way.
    expect(nextPeriodicInform(t0, 600, "2030-01-01T00:05:00Z", 0)).toBe(Date.parse("2025-05-01T10:05:00Z"));
  });
  it("is strictly after now", () => {
    expect(nextPeriodicInform(t0, 3600, "2025-05-01T10:00:00Z", 0)).toBe(t0 + 3600_000);
  });
  it("spreads devices with the Unknown Time by their own phase", () => {
    const a = nextPeriodicInform(t0, 300, "0001-01-01T00:00:00Z", 17_000);
    const b = nextPeriodicInform(t0, 300, "0001-01-01T00:00:00Z", 211_000);
    expect(a).not.toBe(b);
    for (const n of [a, b]) {
      expect(n).toBeGreaterThan(t0);
      expect(n).toBeLessThanOrEqual(t0 + 300_000);
    }
  });
});
