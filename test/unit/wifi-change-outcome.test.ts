// Pure decisions about a Wi-Fi change: when the router's provisioning state
// says it is applied (hashes of what the router confirmed, never a read-back
// of the passphrase), what holds it back, and that a closed change never moves.

import { describe, expect, it } from "vitest";
import { valueHash } from "../../acs/provisioning/desired-state.ts";
import { newProvisioningState, type ProvisioningState } from "../../acs/provisioning/provisioning-state.ts";
import { failureOf, isApplied } from "../../acs/wifi/change-outcome.ts";
import { isOpen, moveTo, type WifiChange } from "../../acs/wifi/wifi-change.ts";

const line = { id: "L-1", wifi: { "2.4GHz": { ssid: "Nouveau", passphrase: "un-secret-tout-neuf" } } };
const change = { lineId: "L-1", keys: ["wifi.2.4GHz.passphrase", "wifi.2.4GHz.ssid"] };

function state(patch: Partial<ProvisioningState>): ProvisioningState {
  return { ...newProvisioningState("D-1", "S-1", "HW-AX3000", 0), standing: "line", lineId: "L-1", role: "router", desiredKey: "fxK", ...patch };
}

describe("isApplied", () => {
  it("is true once the router confirmed every key's current value, the passphrase by its SetParameterValues alone", () => {
    const applied = { "wifi.2.4GHz.ssid": valueHash("Nouveau"), "wifi.2.4GHz.passphrase": valueHash("un-secret-tout-neuf") };
    expect(isApplied(change, line, state({ applied }))).toBe(true);
  });

  it("is false while a key holds an older value, or for another line's router", () => {
    const old = { "wifi.2.4GHz.ssid": valueHash("Ancien"), "wifi.2.4GHz.passphrase": valueHash("un-secret-tout-neuf") };
    expect(isApplied(change, line, state({ applied: old }))).toBe(false);
    const applied = { "wifi.2.4GHz.ssid": valueHash("Nouveau"), "wifi.2.4GHz.passphrase": valueHash("un-secret-tout-neuf") };
    expect(isApplied(change, line, state({ applied, lineId: "L-2" }))).toBe(false);
    expect(isApplied(change, null, state({ applied }))).toBe(false);
  });
});

describe("failureOf", () => {
  const fault = (p: Partial<NonNullable<ProvisioningState["fault"]>>) => ({
    code: "cwmp.9003", message: "m", detail: null, at: 1, attempts: 1, notBefore: null, parameterKey: "fxK", ...p,
  });

  it("names the value the router refused", () => {
    const refused = [{ parameter: "Device.WiFi.SSID.1.SSID", key: "wifi.2.4GHz.ssid", code: 9007, message: "Invalid parameter value" }];
    expect(failureOf(change, state({ fault: fault({ detail: { refused } }) }))).toEqual({
      kind: "rejected", code: "cwmp.9007", final: true,
      message: "the router rejected the value: wifi.2.4GHz.ssid (Device.WiFi.SSID.1.SSID): 9007 Invalid parameter value",
    });
  });

  it("ignores a refusal of other keys (the rest was applied without them) and a fault of an older desired state", () => {
    const refused = [{ parameter: "Device.WiFi.Radio.1.Channel", key: "wifi.2.4GHz.channel", code: 9007, message: "Invalid parameter value" }];
    expect(failureOf(change, state({ fault: fault({ detail: { refused } }) }))).toBeNull();
    expect(failureOf(change, state({ fault: fault({ parameterKey: "fxOld" }) }))).toBeNull();
  });

  it("reports a session fault, retried later unless final, and an unmanaged router", () => {
    expect(failureOf(change, state({ fault: fault({ code: "cwmp.9002", message: "Internal error", notBefore: 5 }) }))).toEqual({ kind: "fault", code: "cwmp.9002", message: "Internal error", final: false });
    expect(failureOf(change, state({ status: "unmanaged" }))).toMatchObject({ code: "provisioning.no_profile", final: true });
    expect(failureOf(change, state({ fault: fault({ code: "provisioning.verify", detail: { keys: ["wifi.2.4GHz.ssid"] } }) }))).toMatchObject({
      kind: "rejected", message: "the router accepted but does not hold wifi.2.4GHz.ssid",
    });
  });
});

describe("moveTo", () => {
  const base: WifiChange = {
    id: "c", lineId: "L-1", routerSerial: "S-1", deviceId: "D-1", actor: "a", createdAt: 0, lineVersion: 2, changes: [], insecure: [], keys: ["k"],
    status: "waking", statusAt: 0, note: "", offlineSince: null, wake: null, wakes: 1, appliedAt: null, failure: null, supersededBy: null, history: [],
  };

  it("records each status in the history; a closed change never moves again", () => {
    const applied = moveTo(base, "applied", 5, "applied after 5 ms", { appliedAt: 5 });
    expect(applied.history).toEqual([{ status: "applied", at: 5, note: "applied after 5 ms" }]);
    expect(isOpen(applied)).toBe(false);
    expect(moveTo(applied, "failed", 6, "late")).toBe(applied);
  });

  it("keeps a failure that is not final open: a later session may still apply it", () => {
    const timeout = moveTo(base, "failed", 5, "t", { failure: { kind: "timeout", code: "timeout", message: "t", final: false } });
    expect(isOpen(timeout)).toBe(true);
    expect(moveTo(timeout, "applied", 9, "applied").status).toBe("applied");
  });
});
