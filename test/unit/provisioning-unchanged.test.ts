// A provisioned device informing with nothing to change costs the ACS no RPC
// and no write; what provisioning remembers to make that cheap (identity of
// the store's cached records) never hides a change: a line edit or an applied
// record that lost a key is set at the next session. Real SQLite store in a
// temp dir, the provisioning source driven as the session engine drives it,
// the device's answers from a parameter table.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AcsRequest, CpeResponse, Inform } from "../../acs/cwmp/messages.ts";
import { EventBus } from "../../acs/events.ts";
import type { Line } from "../../acs/lines/line.ts";
import { createProfileRegistry, loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { createProvisioningSource } from "../../acs/provisioning/provisioning-source.ts";
import type { RpcSource, SessionContext } from "../../acs/sessions/rpc-source.ts";
import { summarizeInform } from "../../acs/sessions/inform-record.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";

const profiles = createProfileRegistry(await loadProfiles());
const profile = profiles.profiles.find((p) => p.dataModel === "tr181" && p.wifi?.["2.4GHz"])!;
const root = "Device.";
const serial = "SNUNCHANGED1";
const deviceId = `${profile.match.oui}-${profile.match.productClass}-${serial}`;
const cpe = new Map<string, string>();

let dir: string;
let store: Store;
let source: RpcSource;
const bus = new EventBus();
const statuses: string[] = [];

function answer(rpc: AcsRequest): CpeResponse {
  if (rpc.kind === "GetParameterValues")
    return { kind: "GetParameterValuesResponse", parameterList: rpc.parameterNames.filter((n) => cpe.has(n)).map((name) => ({ name, value: cpe.get(name)!, type: "xsd:string" })) };
  if (rpc.kind === "SetParameterValues") {
    for (const v of rpc.parameterList) cpe.set(v.name, v.value);
    cpe.set(`${root}ManagementServer.ParameterKey`, rpc.parameterKey);
    return { kind: "SetParameterValuesResponse", status: 0 };
  }
  throw new Error(`unexpected ${rpc.kind}`);
}

/** One session: the RPCs the source sent. */
async function session(event: string): Promise<AcsRequest[]> {
  const inform: Inform = {
    kind: "Inform", deviceId: { manufacturer: "X", oui: profile.match.oui, productClass: profile.match.productClass, serialNumber: serial },
    events: [{ eventCode: event, commandKey: "" }], maxEnvelopes: 1, currentTime: "", retryCount: 0,
    parameterList: [
      { name: `${root}DeviceInfo.HardwareVersion`, value: profile.match.hardwareVersions[0]!, type: "xsd:string" },
      { name: `${root}DeviceInfo.SoftwareVersion`, value: "1.0.0", type: "xsd:string" },
      { name: `${root}ManagementServer.ParameterKey`, value: cpe.get(`${root}ManagementServer.ParameterKey`) ?? "", type: "xsd:string" },
    ],
  };
  const s = summarizeInform(deviceId, inform, "127.0.0.1", Date.now());
  const device = await store.upsertDevice(s.identity, s.update);
  const ctx: SessionContext = {
    sessionId: `${event}-${Math.random()}`, deviceId, device, inform, remoteAddress: "127.0.0.1", acsOrigin: null,
    startedAt: Date.now(), store, bus, logger: pino({ level: "silent" }),
  };
  const sent: AcsRequest[] = [];
  for (let planned = await source.next(ctx); planned; planned = await source.next(ctx)) {
    sent.push(planned.rpc);
    await source.onResponse(ctx, planned, answer(planned.rpc));
  }
  return sent;
}

const line = (ssid: string): Line => ({
  id: "L-1", subscriber: { id: "S-1", name: "Subscriber" }, address: "1 rue", commune: "Lyon",
  rates: { download: { min: 100, max: 1000 }, upload: { min: 50, max: 500 } },
  wifi: { "2.4GHz": { ssid, passphrase: "passphrase-2g-secret", channel: 11 } },
  wan: { mode: "pppoe", pppoe: { username: "l-1@fibre.example", password: "ppp-pw" } },
  router: { serial }, ontSerial: null, version: 1, createdAt: 0, updatedAt: 0,
});
const ssidParam = () => profile.mapping.find((r) => r[0] === "wifi.2.4GHz.ssid")![1];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prov-unchanged-"));
  store = await openSqliteStore(join(dir, "acs.db"));
  source = createProvisioningSource({ lines: store.lines, profiles, realm: "FlexACS" });
  bus.on("provisioning.status", (e) => void statuses.push(e.status));
  await store.lines.addLines([line("Before")]);
  expect((await session("0 BOOTSTRAP")).map((r) => r.kind)).toEqual(["SetParameterValues", "GetParameterValues"]);
  expect(cpe.get(ssidParam())).toBe("Before");
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a provisioned device informing again", () => {
  it("gets no RPC and its state is not written again, session after session", async () => {
    const state = await store.lines.getState(deviceId);
    expect(state?.status).toBe("provisioned");
    for (let i = 0; i < 3; i++) {
      statuses.length = 0;
      expect(await session("2 PERIODIC")).toEqual([]);
      expect(statuses).toEqual(["provisioned"]);
      // The store's cache hands back the very record it read: nothing was written.
      expect(await store.lines.getState(deviceId)).toBe(state);
    }
  });

  it("gets the line's new SSID at the next session after the line changed", async () => {
    await store.lines.replaceLine(line("After"), 1);
    const sent = await session("2 PERIODIC");
    expect(sent.map((r) => r.kind)).toEqual(["SetParameterValues", "GetParameterValues"]);
    expect(cpe.get(ssidParam())).toBe("After");
    expect(await session("2 PERIODIC")).toEqual([]);
  });

  it("is set again when its stored state no longer counts a setting as applied", async () => {
    const state = (await store.lines.getState(deviceId))!;
    const { ["wifi.2.4GHz.ssid"]: _ssid, ...applied } = state.applied;
    await store.lines.putState({ ...state, applied });
    cpe.set(ssidParam(), "changed behind the ACS's back");
    const sent = await session("2 PERIODIC");
    expect(sent[0]).toMatchObject({ kind: "SetParameterValues", parameterList: [expect.objectContaining({ name: ssidParam(), value: "After" })] });
    expect(cpe.get(ssidParam())).toBe("After");
    expect(await session("2 PERIODIC")).toEqual([]);
  });
});
