// `flexacs store copy` as an operator runs it: a SQLite store with a bit of
// everything is copied to MongoDB (FerretDB) and back with --verify, and the
// store that comes back equals the one that left; an ACS started on the
// MongoDB copy answers the old store's API token with the old devices; a copy
// into a store that is not empty is refused and changes nothing.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../acs/api/tokens.ts";
import type { Campaign, CampaignDevice } from "../../acs/firmware/campaign-types.ts";
import type { LinkAlert, Measurement } from "../../acs/linkrate/measurement.ts";
import { newProvisioningState } from "../../acs/provisioning/provisioning-state.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { ParamRecord, Store } from "../../acs/store/store.ts";
import type { WifiChange } from "../../acs/wifi/wifi-change.ts";
import { repoRoot } from "../../bench/lib/processes.ts";
import { line } from "../contract/lines-contract.ts";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { AcsInstance } from "./helpers/acs-instance.ts";

const T0 = 1_700_000_000_000;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "acs/main.ts", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

const param = (value: string, type: ParamRecord["type"] = "xsd:string", writable = true): ParamRecord => ({ value, type, writable, ts: T0 });

function wifiChange(id: string, lineId: string, createdAt: number): WifiChange {
  return {
    id, lineId, routerSerial: `R-${lineId}`, deviceId: null, actor: "support-desk", createdAt, lineVersion: 2,
    changes: [{ field: "bands.2.4GHz.ssid", from: "Ancien", to: "Nouveau" }], insecure: [], keys: ["wifi.2.4GHz.ssid"],
    status: "queued", statusAt: createdAt, note: "queued", offlineSince: null, wake: null, wakes: 0, appliedAt: null,
    failure: null, supersededBy: null, history: [{ status: "queued", at: createdAt, note: "queued" }],
  };
}

function campaign(id: string): Campaign {
  return {
    id, name: `campaign ${id}`, firmware: { name: "hw-3.2.15.bin", version: "3.2.15", size: 1024, sha256: "ab".repeat(32) },
    target: { profile: "firmware-profiles/homewave/hw-ax3000.ts", oui: "A4B1C2", productClass: "HW-AX3000", hardwareVersions: ["HW-AX3000-B2"], versions: { max: "3.2.14" } },
    waves: [{ size: 3, concurrency: 2, startedAt: T0, finishedAt: null, baseline: { finished: 0, failed: 0 } }],
    currentWave: 0, window: { start: "02:00", end: "05:00" }, failureThreshold: 0.05, minSample: 10, timeoutMs: 3_600_000,
    status: "running", pause: null, createdAt: T0, createdBy: "admin", updatedAt: T0, endedAt: null, rev: 3,
  };
}

const member = (campaignId: string, deviceId: string, seq: number, state: CampaignDevice["state"]): CampaignDevice => ({
  campaignId, deviceId, wave: 0, seq, state, stateAt: T0 + seq, commandKey: `fw-${campaignId}-${seq}`, fromVersion: "3.2.14",
  version: null, attempts: seq, fault: null, history: [{ state: "pending", at: T0 }, { state, at: T0 + seq }],
});

/** A firmware image of three stored chunks and a bit. */
const IMAGE = Buffer.from(Array.from({ length: 3 * 255 * 1024 + 10 }, (_, i) => (i * 7) % 251));

/** A store with a bit of every kind the copy carries; returns a working API token of it. */
async function fill(store: Store): Promise<string> {
  const { token } = await createApiToken(store, "ops", "admin", T0);
  await createApiToken(store, "noc-desk", "noc", T0 + 1);
  for (let i = 1; i <= 3; i++) {
    const id = `A4B1C2-HW-AX3000-SN${i}`;
    await store.upsertDevice({ id, manufacturer: "HomeWave", oui: "A4B1C2", productClass: "HW-AX3000", serialNumber: `SN${i}` }, {
      softwareVersion: "3.2.14", hardwareVersion: "HW-AX3000-B2", dataModel: "tr181", registeredAt: T0 + i, lastInformAt: i === 3 ? null : T0 + 100 * i,
      lastBootAt: T0, lastRemoteAddress: "192.0.2.10", connectionRequestUrl: `http://192.0.2.10:7547/${i}`, lastEvents: ["1 BOOT"],
      periodicInformInterval: 3600, tags: i === 1 ? ["quarantined", "returned"] : [],
    });
    await store.updateParameters(id, new Map([
      ["Device.WiFi.", param("", "object", false)],
      ["Device.WiFi.SSID.1.SSID", param(`net-${i}`)],
      ["Device.WiFi.SSID.10.SSID", param(`guest-${i}`)],
      ["Device.ManagementServer.PeriodicInformInterval", param("3600", "xsd:unsignedInt")],
      ["Device.DeviceInfo.UpTime", param(String(1000 * i), "xsd:unsignedInt", false)],
    ]));
    if (i < 3) await store.setCredentials(id, { cpeUsername: `cpe-${i}`, cpeHa1: "0".repeat(32), connectionRequestUsername: `cr-${i}`, connectionRequestPassword: `crpw-${i}` });
  }
  const tasks = [];
  for (let i = 0; i < 4; i++) {
    tasks.push(await store.addTask({ deviceId: "A4B1C2-HW-AX3000-SN1", name: "setParameterValues", args: { parameterValues: [["Device.WiFi.SSID.1.SSID", `n${i}`]] }, createdBy: "ops" }));
  }
  await store.updateTask(tasks[1]!.id, { status: "done", attempts: 1, doneAt: T0 + 5, result: { status: 0 } });
  await store.updateTask(tasks[2]!.id, { status: "fault", attempts: 3, doneAt: T0 + 6, fault: { code: "cwmp.9007", message: "Invalid parameter value", detail: { name: "x" } } });
  await store.addFault({ deviceId: "A4B1C2-HW-AX3000-SN1", channel: `task:${tasks[2]!.id}`, code: "cwmp.9007", message: "Invalid parameter value", detail: { a: [1, 2] }, rpc: { kind: "SetParameterValues" }, retries: 2, timestamp: T0 + 6 });
  await store.addFault({ deviceId: "A4B1C2-HW-AX3000-SN2", channel: "provision", code: "session.timeout", message: "no answer", detail: null, rpc: null, retries: 0, timestamp: T0 + 6 });
  for (const action of ["task.create", "device.delete", "auth.failure"]) {
    await store.addAudit({ timestamp: T0 + 7, actor: "ops", action, deviceId: action === "device.delete" ? null : "A4B1C2-HW-AX3000-SN1", detail: { action, n: 1 } });
  }
  await store.lines.addLines([line("L-1"), line("L-2", { version: 4 })]);
  await store.lines.putState({ ...newProvisioningState("A4B1C2-HW-AX3000-SN1", "SN1", "HW-AX3000", T0), lineId: "L-1" });
  await store.lines.putState(newProvisioningState("A4B1C2-HW-AX3000-SN2", "SN2", "HW-AX3000", T0 + 1));
  await store.wifiChanges.put(wifiChange("c-1", "L-1", T0 + 10));
  await store.wifiChanges.put({ ...wifiChange("c-2", "L-1", T0 + 20), status: "applied", appliedAt: T0 + 25 });
  const imageDir = await mkdtemp(join(tmpdir(), "flexacs-copy-fw-"));
  try {
    await writeFile(join(imageDir, "image"), IMAGE);
    await store.firmware.addFile({ name: "hw-3.2.15.bin", version: "3.2.15", size: IMAGE.length, sha256: createHash("sha256").update(IMAGE).digest("hex"), profile: null, uploadedAt: T0, uploadedBy: "ops" }, join(imageDir, "image"));
  } finally {
    await rm(imageDir, { recursive: true, force: true });
  }
  await store.firmware.createCampaign(campaign("k-1"), [
    member("k-1", "A4B1C2-HW-AX3000-SN1", 1, "pending"), member("k-1", "A4B1C2-HW-AX3000-SN2", 2, "downloading"), member("k-1", "A4B1C2-HW-AX3000-SN3", 3, "succeeded"),
  ]);
  await store.rentals.startFlaggingRun({ id: "run-1", day: "2023-11-14", instance: "acs-1", startedAt: T0, finishedAt: null, result: null });
  await store.rentals.finishFlaggingRun("run-1", T0 + 50, { scanned: 3, flagged: 1 });
  const rentals = store.rentals;
  await rentals.addRouters([{ serial: "SN1", mac: "aa:bb:cc:00:00:01", model: "HW-AX3000" }, { serial: "SN2", mac: "aa:bb:cc:00:00:02", model: "HW-AX3000" }], T0, "stock-import");
  const shipped = await rentals.applyChanges([{
    serial: "SN1", expectedVersion: 1, key: "ship-L-1", at: T0 + 1, actor: "logistics",
    steps: [{ from: "in_stock", to: "shipped", reason: "activation", detail: { eventId: "ev-1" } }], patch: { lineId: "L-1", subscriberId: "S-1" },
  }]);
  expect(shipped[0]!.status).toBe("applied");
  await rentals.recordContractEvent({
    eventId: "ev-1", type: "activation", lineId: "L-1", subscriberId: "S-1", date: "2023-11-14", serial: "SN1", newSerial: null, equipment: "rented",
    receivedAt: T0 + 1, actor: "crm", source: "api", outcome: { routers: ["SN1"], note: null },
  });
  await rentals.recordContact({ serial: "SN1", deviceId: "A4B1C2-HW-AX3000-SN1", day: "2023-11-14", remoteAddress: "192.0.2.10", at: T0 + 2 });
  await rentals.recordContact({ serial: "SN1", deviceId: "A4B1C2-HW-AX3000-SN1", day: "2023-11-14", remoteAddress: "192.0.2.10", at: T0 + 3 });
  await rentals.noteLineAddress({ remoteAddress: "192.0.2.10", lineId: "L-1", subscriberId: "S-1", serial: "SN1", at: T0 + 2 });
  await rentals.addReviewFlag({
    id: "rf-1", serial: "SN2", deviceId: "A4B1C2-HW-AX3000-SN2", kind: "online_on_other_line", routerState: "in_stock", routerLineId: null,
    routerSubscriberId: null, observedLineId: "L-1", observedSubscriberId: "S-1", remoteAddress: "192.0.2.10", at: T0 + 4,
  });
  await rentals.openExportBatch({ id: "xb-1", createdAt: T0 + 5, actor: "billing" });

  const linkrate = store.linkrate;
  const sample = (atMs: number, method: Measurement["method"], direction: Measurement["direction"], value: number): Measurement =>
    ({ atMs, lineId: "L-1", deviceId: "A4B1C2-HW-AX3000-SN1", direction, method, value, context: method === "speed_test" ? { server: "st-1", bytes: 1e6 } : {} });
  await linkrate.appendSamples([
    sample(T0, "traffic", "download", 1e6), sample(T0 + 60_000, "traffic", "download", 3e6), sample(T0 + 3_600_000, "traffic", "download", 2e6),
    sample(T0 + 4_000_000, "speed_test", "download", 8.5e7), sample(T0 + 4_000_000, "speed_test", "upload", 2.1e7), sample(T0 + 4_000_000, "wan_rate", null, 1e9),
  ]);
  // The two oldest traffic samples become one rollup.
  expect((await linkrate.downsample({ beforeMs: T0 + 3_600_000, intervalMs: 3_600_000, speedTestsBeforeMs: 0 })).rollups).toBe(1);
  const alert: LinkAlert = {
    id: "al-1", lineId: "L-1", kind: "below_minimum", direction: "upload", raisedAtMs: T0 + 4_000_001, clearedAtMs: null,
    acknowledgedAtMs: null, acknowledgedBy: null, detail: { minimumBps: 5e7, measuredBps: 2.1e7 },
  };
  await linkrate.putEvaluations(
    [{ lineId: "L-1", verdict: { atMs: T0 + 4_000_001, download: ["conforming"], upload: ["below_minimum"] }, alerts: { "below_minimum:upload": { id: "al-1", raisedAtMs: T0 + 4_000_001 } } }],
    { raised: [alert], cleared: [] },
  );
  await linkrate.acknowledgeAlert("al-1", "noc", T0 + 4_000_002);
  const tests = await linkrate.addSpeedTests([
    { lineId: "L-1", deviceId: "A4B1C2-HW-AX3000-SN1", direction: "download", origin: "schedule", slot: "2023-11-14/peak", requestedBy: "scheduler" },
    { lineId: "L-2", deviceId: "A4B1C2-HW-AX3000-SN2", direction: "upload", origin: "support", slot: null, requestedBy: "support-desk" },
  ], T0 + 5_000_000);
  await linkrate.updateSpeedTest(tests[0]!.id, { status: "done", requestedAtMs: T0 + 5_000_010, doneAtMs: T0 + 5_000_020, bps: 8.4e7 });
  return token;
}

/** Every rental record by kind, each kind in a stable order (the dump's order may follow backend ids). */
async function rentalRecords(store: Store): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for await (const b of store.rentals.dump()) (out[b.kind] ??= []).push(...b.items.map((i) => JSON.stringify(i)));
  for (const list of Object.values(out)) list.sort();
  return out;
}

async function linkrateRecords(store: Store): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for await (const b of store.linkrate.dump()) (out[b.kind] ??= []).push(...b.items.map((i) => JSON.stringify(i)));
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** Everything a store holds of the copied kinds, read through the Store interface. */
async function snapshot(store: Store) {
  const devices = (await store.listDevices({ sort: "id" })).items;
  const campaigns = await store.firmware.listCampaigns();
  const changes = [];
  for await (const batch of store.wifiChanges.dump()) changes.push(...batch);
  return {
    devices: await Promise.all(devices.map(async (d) => ({
      ...d, params: Object.fromEntries(await store.getParameters(d.id)), credentials: await store.getCredentials(d.id),
    }))),
    tasks: await store.listTasks({}),
    pending: await store.pendingTasks("A4B1C2-HW-AX3000-SN1", T0 * 2),
    faults: await store.listFaults({}),
    audit: await store.listAudit({}),
    tokens: await store.listTokens(),
    lines: await store.lines.listLines({}),
    states: await store.lines.listStates({}),
    changes,
    runs: await store.rentals.listFlaggingRuns({}),
    rentals: await rentalRecords(store),
    linkrate: await linkrateRecords(store),
    slotTaken: [...await store.linkrate.linesWithSlot("2023-11-14/peak", ["L-1", "L-2"])],
    files: await store.firmware.listFiles(),
    images: await Promise.all((await store.firmware.listFiles()).map(async (f) => {
      const chunks: Buffer[] = [];
      for await (const chunk of (await store.firmware.openImage(f.name)) ?? []) chunks.push(chunk as Buffer);
      return createHash("sha256").update(Buffer.concat(chunks)).digest("hex");
    })),
    campaigns,
    members: await Promise.all(campaigns.map((c) => store.firmware.listDevices(c.id))),
  };
}

describe("store copy: SQLite → MongoDB → SQLite", () => {
  let ferret: FerretDB;
  let dir: string;

  beforeAll(async () => {
    ferret = await startFerretDB();
    dir = await mkdtemp(join(tmpdir(), "flexacs-copy-"));
  });

  afterAll(async () => {
    await ferret?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("copies every kind both ways with --verify, and the store that comes back equals the one that left", { timeout: 180_000 }, async () => {
    const source = await openSqliteStore(join(dir, "source.db"));
    const token = await fill(source);
    const before = await snapshot(source);
    expect(before.images).toEqual([createHash("sha256").update(IMAGE).digest("hex")]);
    await source.close();
    const mongo = `${ferret.url}flexacs_copy`;

    const there = await run(["store", "copy", "--from", `sqlite:${join(dir, "source.db")}`, "--to", mongo, "--verify"]);
    expect(there.stderr).toBe("");
    expect(there.code).toBe(0);
    expect(there.stdout).toMatch(/^devices\s+3\s+3\s+ok$/m);
    expect(there.stdout).toMatch(/^parameters\s+15\s+15\s+ok$/m);
    expect(there.stdout).toMatch(/^tasks\s+4\s+4\s+ok$/m);
    expect(there.stdout).toMatch(/^campaign devices\s+3\s+3\s+ok$/m);
    expect(there.stdout).toMatch(/^rented routers\s+2\s+2\s+ok$/m);
    expect(there.stdout).toMatch(/^router changes\s+3\s+3\s+ok$/m);
    expect(there.stdout).toMatch(/^rental contacts\s+1\s+1\s+ok$/m);
    expect(there.stdout).toMatch(/^link-rate samples\s+4\s+4\s+ok$/m);
    expect(there.stdout).toMatch(/^link-rate rollups\s+1\s+1\s+ok$/m);
    expect(there.stdout).toMatch(/^link-rate alerts\s+1\s+1\s+ok$/m);
    expect(there.stdout).toMatch(/^speed tests\s+2\s+2\s+ok$/m);
    expect(there.stdout).toContain("copied and verified");

    const back = await run(["store", "copy", "--from", mongo, "--to", `sqlite:${join(dir, "back.db")}`, "--verify"]);
    expect(back.stderr).toBe("");
    expect(back.stdout).toContain("copied and verified");
    expect(back.code).toBe(0);
    const returned = await openSqliteStore(join(dir, "back.db"));
    try {
      expect(await snapshot(returned)).toEqual(before);
    } finally {
      await returned.close();
    }

    // An ACS runs on the MongoDB copy: the old store's token works and lists the old devices.
    const acs = await AcsInstance.start({
      instanceId: "copy", store: mongo, dataDir: join(dir, "acs"), nonceSecret: "copy-test-nonce-secret", bootstrap: { username: "u", password: "bootstrap-pw" },
    });
    try {
      const listed = await acs.api(token, "GET", "/api/devices?sort=id");
      expect(listed.status).toBe(200);
      expect(listed.json.items.map((d: { id: string }) => d.id)).toEqual(before.devices.map((d) => d.id));
    } finally {
      await acs.stop();
    }
  });

  it("refuses to copy into a SQLite store an ACS is serving", async () => {
    const served = await openSqliteStore(join(dir, "served.db"), { serve: true });
    try {
      const r = await run(["store", "copy", "--from", `sqlite:${join(dir, "source.db")}`, "--to", `sqlite:${join(dir, "served.db")}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("another FlexACS process serves");
      expect(await served.countDevices({})).toBe(0);
    } finally {
      await served.close();
    }
  });

  it("refuses to copy into a store that is not empty, and changes nothing", async () => {
    const target = await openSqliteStore(join(dir, "busy.db"));
    await createApiToken(target, "already-here", "noc");
    await target.close();
    const r = await run(["store", "copy", "--from", `sqlite:${join(dir, "source.db")}`, "--to", `sqlite:${join(dir, "busy.db")}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("nothing copied: the target is not empty (1 tokens): copy into an empty store");
    const after = await openSqliteStore(join(dir, "busy.db"));
    try {
      expect((await after.listTokens()).map((t) => t.name)).toEqual(["already-here"]);
      expect(await after.countDevices({})).toBe(0);
    } finally {
      await after.close();
    }
  });
});
