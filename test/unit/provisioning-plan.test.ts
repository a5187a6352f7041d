// Session decisions of provisioning: the diff against what the ACS knows,
// drift and its policies, when to read, fault backoff, what a refused
// SetParameterValues says, and who a device is from its serial.

import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import type { CwmpFault } from "../../acs/cwmp/messages.ts";
import { computeDesired, pathKeys, valueHash, type DesiredState } from "../../acs/provisioning/desired-state.ts";
import { issueCredentials } from "../../acs/provisioning/device-credentials.ts";
import { standingOf } from "../../acs/provisioning/device-standing.ts";
import type { Profile } from "../../acs/provisioning/profile.ts";
import { loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { analyseSpvFault, checkDue, heldByFault, nextFault, sessionFacts, type SessionFacts } from "../../acs/provisioning/provision-plan.ts";
import { newProvisioningState } from "../../acs/provisioning/provisioning-state.ts";
import { decodeActual, DEFAULT_DRIFT_POLICIES, policyFor, reconcile, unverified } from "../../acs/provisioning/reconcile.ts";
import { newLine } from "../../acs/lines/line-import.ts";
import { validateLine } from "../../acs/lines/line-validation.ts";
import { createSqliteLineRepository } from "../../acs/store/sqlite/lines.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";
import { DEFAULT_RETRY_POLICY } from "../../acs/tasks/retry-policy.ts";

let hw: Profile;
let desired: DesiredState;
beforeAll(async () => {
  hw = (await loadProfiles()).find((p) => p.match.productClass === "HW-AX3000")!;
  desired = computeDesired({
    profile: hw, scope: "router", periodicInformInterval: 3600, credentials: issueCredentials("D", 1),
    line: { wifi: { "2.4GHz": { ssid: "Home", passphrase: "home passphrase" } }, wan: { mode: "ipoe" } },
  });
});

const allApplied = () => Object.fromEntries([...desired.values].map(([k, v]) => [k, v.hash]));
const now = 1_800_000_000_000;

describe("reconcile", () => {
  it("sets every key never applied (secrets included), and nothing once all are", () => {
    expect(reconcile(desired, {}, null, DEFAULT_DRIFT_POLICIES, now).set.sort()).toEqual([...desired.values.keys()].sort());
    expect(reconcile(desired, allApplied(), null, DEFAULT_DRIFT_POLICIES, now)).toEqual({ set: [], applied: allApplied(), drift: [] });
    const changed = { ...allApplied(), "wifi.2.4GHz.ssid": valueHash("Old") };
    expect(reconcile(desired, changed, null, DEFAULT_DRIFT_POLICIES, now).set).toEqual(["wifi.2.4GHz.ssid"]);
  });

  it("after a read, sets only what differs and learns what is already right", () => {
    const actual = new Map<string, unknown>([["wifi.2.4GHz.ssid", "Home"], ["wifi.2.4GHz.channel", 6], ["wan.mode", "ipoe"]]);
    const readKeys = new Set(actual.keys());
    const r = reconcile(desired, {}, { values: actual, readKeys }, DEFAULT_DRIFT_POLICIES, now);
    expect(r.applied).toEqual({ "wifi.2.4GHz.ssid": valueHash("Home"), "wan.mode": valueHash("ipoe") });
    expect(r.set).toContain("wifi.2.4GHz.channel");
    expect(r.set).not.toContain("wifi.2.4GHz.ssid");
    expect(r.set).toContain("wifi.2.4GHz.passphrase"); // never readable: sent until confirmed
    expect(r.drift).toEqual([]);
  });

  it("reports drift on keys it had applied; enforces by policy; never on secrets", () => {
    const actual = new Map<string, unknown>([["wifi.2.4GHz.ssid", "Neighbour"], ["management.periodicInformInterval", 60], ["wifi.2.4GHz.passphrase", undefined]]);
    const r = reconcile(desired, allApplied(), { values: actual, readKeys: new Set([...actual.keys(), "wifi.2.4GHz.passphrase"]) }, DEFAULT_DRIFT_POLICIES, now);
    expect(r.drift).toEqual([
      { key: "management.periodicInformInterval", expected: 3600, actual: 60, policy: "enforce", detectedAt: now, corrected: false },
      { key: "wifi.2.4GHz.ssid", expected: "Home", actual: "Neighbour", policy: "report", detectedAt: now, corrected: false },
    ]);
    expect(r.set).toEqual(["management.periodicInformInterval"]);
    const strict = reconcile(desired, allApplied(), { values: actual, readKeys: new Set(actual.keys()) }, { "": "report", "wifi.2.4GHz.ssid": "enforce" }, now);
    expect(strict.set).toEqual(["wifi.2.4GHz.ssid"]);
  });

  it("finds values a device accepted but does not hold", () => {
    expect(unverified(desired, ["wifi.2.4GHz.ssid", "wifi.2.4GHz.passphrase", "wan.mode"], new Map<string, unknown>([["wifi.2.4GHz.ssid", "Home"], ["wan.mode", "pppoe"]]))).toEqual(["wan.mode"]);
  });

  it("decodes what a device reports into settings", () => {
    const actual = decodeActual(hw, new Map([["Device.WiFi.Radio.1.Channel", "6"], ["Device.WiFi.Radio.1.AutoChannelEnable", "false"], ["Device.IP.Interface.1.LowerLayers", "Device.Ethernet.Interface.1"]]));
    expect(Object.fromEntries(actual)).toEqual({ "wifi.2.4GHz.channel": 6, "wan.mode": "ipoe" });
  });
});

describe("policyFor", () => {
  it("takes the longest matching key prefix, dots inside band names included", () => {
    const p = { "": "enforce", wifi: "report", "wifi.2.4GHz": "enforce", "wifi.2.4GHz.hidden": "report" } as const;
    expect(policyFor("wan.mode", p)).toBe("enforce");
    expect(policyFor("wifi.5GHz.ssid", p)).toBe("report");
    expect(policyFor("wifi.2.4GHz.ssid", p)).toBe("enforce");
    expect(policyFor("wifi.2.4GHz.hidden", p)).toBe("report");
    expect(policyFor("wifi.2.4GHzz", { wifi: "report", "wifi.2.4GHz": "enforce" })).toBe("report");
    expect(policyFor("x", {})).toBe("enforce");
  });
});

describe("when to read, when to hold back", () => {
  const facts = (over: Partial<SessionFacts> = {}): SessionFacts => ({ bootstrap: false, boot: false, informKey: "k1", now, ...over });
  const provisioned = { ...newProvisioningState("D", "S", "P", 0), appliedKey: "k1", lastInformKey: "k1", lastCheckAt: now - 1000 };

  it("reads after a boot, on the interval, for a device never provisioned, and when someone else changed its ParameterKey; never on bootstrap", () => {
    expect(checkDue(provisioned, facts(), 86_400_000)).toBe(false);
    expect(checkDue(provisioned, facts({ boot: true }), 86_400_000)).toBe(true);
    expect(checkDue(provisioned, facts({ now: now + 86_400_000 }), 86_400_000)).toBe(true);
    expect(checkDue({ ...provisioned, appliedKey: null }, facts(), 86_400_000)).toBe(true);
    expect(checkDue(provisioned, facts({ informKey: "task-123" }), 86_400_000)).toBe(true);
    expect(checkDue({ ...provisioned, appliedKey: null }, facts({ bootstrap: true, boot: true }), 86_400_000)).toBe(false);
  });

  it("holds back a failed desired state until its backoff ends or it changes; bootstrap always goes ahead", () => {
    const fault = nextFault(null, { code: "cwmp.9002", message: "internal", detail: null, permanent: false }, "k1", now, DEFAULT_RETRY_POLICY);
    expect(fault).toMatchObject({ attempts: 1, notBefore: now + 30_000 });
    expect(heldByFault(fault, "k1", facts())).toBe(true);
    expect(heldByFault(fault, "k1", facts({ now: now + 30_000 }))).toBe(false);
    expect(heldByFault(fault, "k2", facts())).toBe(false);
    expect(heldByFault(fault, "k1", facts({ bootstrap: true }))).toBe(false);
    const second = nextFault(fault, { code: "cwmp.9002", message: "internal", detail: null, permanent: false }, "k1", now, DEFAULT_RETRY_POLICY);
    expect(second).toMatchObject({ attempts: 2, notBefore: now + 60_000 });
    let f = second;
    for (let i = 0; i < 3; i++) f = nextFault(f, { code: "cwmp.9002", message: "x", detail: null, permanent: false }, "k1", now, DEFAULT_RETRY_POLICY);
    expect(f).toMatchObject({ attempts: 5, notBefore: null });
    const permanent = nextFault(null, { code: "cwmp.9007", message: "bad value", detail: null, permanent: true }, "k1", now, DEFAULT_RETRY_POLICY);
    expect(permanent.notBefore).toBeNull();
    expect(heldByFault(permanent, "k1", facts({ now: now + 1e9 }))).toBe(true);
    expect(nextFault(fault, { code: "x", message: "", detail: null, permanent: false }, "k2", now, DEFAULT_RETRY_POLICY).attempts).toBe(1);
  });

  it("reads the events and the ParameterKey of an Inform", () => {
    const f = sessionFacts({
      kind: "Inform", deviceId: { manufacturer: "", oui: "", productClass: "", serialNumber: "" }, maxEnvelopes: 1, currentTime: "", retryCount: 0,
      events: [{ eventCode: "0 BOOTSTRAP", commandKey: "" }, { eventCode: "1 BOOT", commandKey: "" }],
      parameterList: [{ name: "InternetGatewayDevice.ManagementServer.ParameterKey", value: "fxabc", type: "xsd:string" }],
    }, now);
    expect(f).toEqual({ bootstrap: true, boot: true, informKey: "fxabc", now });
  });
});

describe("analyseSpvFault", () => {
  const fault = (nested: [string, number][], code = 9003): CwmpFault => ({
    kind: "Fault", faultCode: "Client", faultString: "CWMP fault", code, message: "Invalid arguments",
    setParameterValuesFaults: nested.map(([parameterName, faultCode]) => ({ parameterName, faultCode, faultString: `fault ${faultCode}` })),
  });

  it("names the refused settings and finds the missing object instances", () => {
    const a = analyseSpvFault(fault([["Device.WiFi.Radio.1.Channel", 9007], ["Device.PPP.Interface.1.Username", 9005], ["Device.PPP.Interface.1.Password", 9005]]), pathKeys(hw));
    expect(a.refused.map((r) => r.key)).toEqual(["wifi.2.4GHz.channel", "wan.pppoe.username", "wan.pppoe.password"]);
    expect(a.missing).toEqual([{ table: "Device.PPP.Interface.", instance: 1 }]);
    expect(a.permanent).toBe(true);
    expect(a.message).toBe("device refused wifi.2.4GHz.channel (Device.WiFi.Radio.1.Channel): 9007 fault 9007; wan.pppoe.username (Device.PPP.Interface.1.Username): 9005 fault 9005; wan.pppoe.password (Device.PPP.Interface.1.Password): 9005 fault 9005");
    expect(analyseSpvFault(fault([["Device.WiFi.AccessPoint.2.Security.KeyPassphrase", 9005]]), pathKeys(hw)).missing).toEqual([{ table: "Device.WiFi.AccessPoint.", instance: 2 }]);
  });

  it("tells a transient fault from a permanent one", () => {
    expect(analyseSpvFault(fault([], 9002), pathKeys(hw))).toMatchObject({ permanent: false, message: "9002 Invalid arguments", refused: [] });
    expect(analyseSpvFault(fault([["Device.WiFi.SSID.1.SSID", 9001]]), pathKeys(hw)).permanent).toBe(false);
    expect(analyseSpvFault(fault([["Device.X_Unmapped", 9007]]), pathKeys(hw)).refused).toEqual([{ parameter: "Device.X_Unmapped", key: null, code: 9007, message: "fault 9007" }]);
  });
});

describe("standingOf", () => {
  it("finds the line a serial is on, a rented router's state, or nothing", async () => {
    const db = new Database(":memory:");
    const lines = createSqliteLineRepository(db);
    const rentals = createSqliteRentalRepository(db);
    const v = validateLine({ id: "L", subscriber: { id: "S", name: "N" }, address: "a", commune: "c", router: { serial: "R-LINE" }, ontSerial: "O-LINE" });
    if (!v.ok) throw new Error("fixture");
    await lines.addLines([newLine(v.line, 0)]);
    const at = Date.now();
    const routers = ["R-LINE", "R-STOCK", "R-CHARGED"];
    await rentals.addRouters(routers.map((serial, i) => ({ serial, mac: `a4:b1:c2:00:00:0${i}`, model: "HW-AX3000" })), at, "t");
    const step = (from: string, to: string) => ({ from, to, reason: null, detail: {} }) as never;
    await rentals.applyChanges([
      { serial: "R-LINE", expectedVersion: 1, key: "k", at, actor: "t", patch: {}, steps: [step("in_stock", "shipped"), step("shipped", "returned")] },
      {
        serial: "R-CHARGED", expectedVersion: 1, key: "k", at, actor: "t", patch: {},
        steps: [step("in_stock", "shipped"), step("shipped", "active"), step("active", "due_back"), step("due_back", "overdue"), step("overdue", "charge_flagged")],
      },
    ]);
    expect(await standingOf("O-LINE", lines, rentals)).toMatchObject({ standing: "line", role: "ont", line: { id: "L" } });
    expect(await standingOf("R-LINE", lines, undefined)).toMatchObject({ standing: "line", role: "router" });
    expect(await standingOf("R-LINE", lines, rentals)).toEqual({ standing: "returned", line: null, role: null });
    expect(await standingOf("R-CHARGED", lines, rentals)).toEqual({ standing: "charged", line: null, role: null });
    expect(await standingOf("R-STOCK", lines, rentals)).toEqual({ standing: "no-line", line: null, role: null });
    expect(await standingOf("NOBODY", lines, rentals)).toEqual({ standing: "unknown", line: null, role: null });
    db.close();
  });
});
