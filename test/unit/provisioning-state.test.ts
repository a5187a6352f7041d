// A session writes the provisioning state only when its content changed: sameContent decides, as the
// serialised documents would (updatedAt aside, an undefined property as absent, key order aside).
import { describe, expect, it } from "vitest";
import { newProvisioningState, sameContent, type ProvisioningState } from "../../acs/provisioning/provisioning-state.ts";

const base = (): ProvisioningState => ({
  ...newProvisioningState("D1", "SN1", "HW-AX3000", 1_700_000_000_000),
  applied: { "wifi.2.4GHz.ssid": "h1", "management.acsPassword": "h2" },
  drift: [{ key: "wifi.2.4GHz.ssid", expected: "a", actual: "b", policy: "report", detectedAt: 5, corrected: false }],
  credentials: { generation: 1, cpeUsername: "u", cpePassword: null, connectionRequestUsername: "c", connectionRequestPassword: "p", confirmed: true },
});

describe("sameContent", () => {
  it("ignores updatedAt, key order and undefined properties, as the stored document does", () => {
    const a = base();
    const reordered = Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(a))).reverse()) as unknown as ProvisioningState;
    expect(sameContent(a, { ...reordered, updatedAt: 42 })).toBe(true);
    expect(sameContent({ ...a, fault: undefined } as unknown as ProvisioningState, { ...a, fault: undefined } as unknown as ProvisioningState)).toBe(true);
    expect(sameContent({ ...a, extra: undefined } as unknown as ProvisioningState, a)).toBe(true);
  });

  it("sees a change anywhere in the content", () => {
    const a = base();
    const changed: ((s: ProvisioningState) => void)[] = [
      (s) => (s.applied["wifi.2.4GHz.ssid"] = "h9"),
      (s) => delete s.applied["management.acsPassword"],
      (s) => (s.applied["wifi.5GHz.ssid"] = "h3"),
      (s) => (s.drift[0]!.corrected = true),
      (s) => s.drift.push({ ...s.drift[0]! }),
      (s) => (s.credentials!.confirmed = false),
      (s) => (s.credentials = null),
      (s) => (s.status = "fault"),
      (s) => (s.lastCheckAt = 0),
      (s) => (s.problems = [{ field: "wifi.5GHz.channel", message: "no" }]),
    ];
    for (const change of changed) {
      const b = structuredClone(a);
      change(b);
      expect(sameContent(a, b)).toBe(false);
      expect(sameContent(b, a)).toBe(false);
    }
  });
});
