// The per-session lookups of provisioning that keep what they found (the
// profile of a device identity) or skip work when nothing changes (the tags a
// device already has): same answers as computing them afresh every time.
import { describe, expect, it } from "vitest";
import { CREDENTIALS_PENDING_TAG } from "../../acs/provisioning/device-credentials.ts";
import type { Profile } from "../../acs/provisioning/profile.ts";
import { createProfileRegistry, loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { retagged } from "../../acs/provisioning/provisioning-records.ts";
import { INSECURE_WIFI_TAG } from "../../acs/provisioning/provisioning-state.ts";

const [base] = await loadProfiles();
const ranged = (file: string, firmware: { min?: string; max?: string }): Profile => ({ ...base!, file, match: { ...base!.match, firmware } });

describe("profile registry", () => {
  const older = ranged("older.ts", { max: "2.0" });
  const newer = ranged("newer.ts", { min: "3.0" });
  const identity = (softwareVersion?: string) => ({ oui: base!.match.oui.toLowerCase(), productClass: base!.match.productClass, hardwareVersion: base!.match.hardwareVersions[0]!, softwareVersion });

  it("finds the profile of each firmware line, the same when asked again", () => {
    const registry = createProfileRegistry([older, newer]);
    for (let round = 0; round < 2; round++) {
      expect(registry.find(identity("1.5"))?.file).toBe("older.ts");
      expect(registry.find(identity("3.1"))?.file).toBe("newer.ts");
      expect(registry.find(identity("2.5"))).toBeUndefined();
    }
  });

  it("tells a device that reports no firmware version from one that reports an empty one", () => {
    // "" sorts before every version, so it lies under an open-ended maximum; an unknown version lies in no range.
    for (const order of [[undefined, ""], ["", undefined]] as const) {
      const registry = createProfileRegistry([older, newer]);
      const found = order.map((v) => registry.find(identity(v))?.file);
      expect(found).toEqual(order.map((v) => (v === undefined ? undefined : "older.ts")));
    }
  });

  it("finds nothing for another hardware version", () => {
    const registry = createProfileRegistry([older]);
    expect(registry.find({ ...identity("1.0"), hardwareVersion: "no-such-hw" })).toBeUndefined();
    expect(registry.find(identity("1.0"))?.file).toBe("older.ts");
  });
});

describe("retagged", () => {
  const line = { standing: "line", credentialsPending: false, insecureWifi: false } as const;

  it("is null when the device already has exactly the tags provisioning owns", () => {
    expect(retagged([], line)).toBeNull();
    expect(retagged(["vip", "lab"], line)).toBeNull();
    expect(retagged(["vip", "quarantined"], { ...line, standing: "unknown" })).toBeNull();
    expect(retagged([INSECURE_WIFI_TAG, CREDENTIALS_PENDING_TAG], { ...line, credentialsPending: true, insecureWifi: true })).toBeNull();
  });

  it("keeps other tags and replaces the ones provisioning owns", () => {
    expect(retagged(["vip", "quarantined"], line)).toEqual(["vip"]);
    expect(retagged(["vip"], { ...line, standing: "returned" })).toEqual(["vip", "returned"]);
    // As many managed tags as wanted, but not the wanted one.
    expect(retagged(["no-line"], { ...line, standing: "unknown" })).toEqual(["quarantined"]);
    // A managed tag twice is set right.
    expect(retagged(["quarantined", "quarantined"], { ...line, standing: "unknown" })).toEqual(["quarantined"]);
    expect(retagged([CREDENTIALS_PENDING_TAG], { ...line, insecureWifi: true })).toEqual([INSECURE_WIFI_TAG]);
  });
});
