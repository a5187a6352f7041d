// Firmware campaigns end to end over real sockets: simulated routers
// (agent/fleet) download the image from the ACS's CWMP listener, reboot and
// come back with the new version; 10% of them fail their download, and the
// campaign pauses itself at the wave threshold, reporting every device's
// state. A scripted CPE then checks the protocol edges: the Download's
// fields, the version verified after the reboot, a duplicate TransferComplete.

import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { serializeEnvelope } from "../../acs/cwmp/codec.ts";
import type { Download, Envelope, Inform } from "../../acs/cwmp/messages.ts";
import { tickCampaign } from "../../acs/firmware/campaign-runner.ts";
import { deviceIdOf } from "../../acs/sessions/device-id.ts";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { BOOTSTRAP, FirmwareAcs } from "./helpers/firmware-acs.ts";
import { DEVICE, informParams, ScriptedCpe } from "./helpers/scripted-cpe.ts";

let acs: FirmwareAcs | null = null;
let fleet: Fleet | null = null;
const cpes: ScriptedCpe[] = [];
afterEach(async () => {
  for (const c of cpes.splice(0)) c.close();
  await fleet?.stop();
  fleet = null;
  await acs?.close();
  acs = null;
});

const IMAGE = randomBytes(64 * 1024);
const SHA = createHash("sha256").update(IMAGE).digest("hex");
const SW = "Device.DeviceInfo.SoftwareVersion";

/** Polls the campaign until `done` holds (the test's own timeout bounds the wait). */
async function until(a: FirmwareAcs, id: string, done: (c: CampaignDetail) => boolean): Promise<CampaignDetail> {
  for (;;) {
    const c = (await a.call("GET", `/api/campaigns/${id}?limit=10000`)).json as CampaignDetail;
    if (done(c)) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface DeviceView {
  deviceId: string;
  wave: number;
  state: string;
  version: string | null;
  attempts: number;
  fault: { code: string; message: string } | null;
  history: { state: string; at: string }[];
}
interface CampaignDetail {
  status: string;
  currentWave: number;
  deviceCount: number;
  pause: { reason: string; wave: number; failed: number; finished: number; failureRate: number } | null;
  counts: Record<string, number>;
  waves: { index: number; size: number; status: string; failureRate: number; judged: boolean; counts: Record<string, number> }[];
  devices: { total: number; items: DeviceView[] };
}

const inTransfer = (c: CampaignDetail): number => c.counts.scheduled! + c.counts.downloading! + c.counts.rebooting! + c.counts.verifying!;
const states = (d: DeviceView): string[] => d.history.map((h) => h.state);

describe("firmware campaign", () => {
  it("200 devices with 10% download failures: pauses at the wave threshold and reports every device's state", { timeout: 180_000 }, async () => {
    const a = (acs = await FirmwareAcs.start({ waveJobMs: 100 }));
    const name = "hw-ax3000-3.2.15.bin";
    expect((await a.call("POST", `/api/firmware?name=${name}&version=3.2.15&sha256=${SHA}`, { raw: IMAGE })).status).toBe(201);

    // Seed 7: 21 of the 200 routers fail their download of this file (9010 or 9018, after really fetching it).
    fleet = await startFleet({
      acsUrl: a.cwmpUrl, count: 200, model: "router-tr181", stateDir: mkdtempSync(join(a.dir, "fleet-")), seed: 7, fsync: false,
      rebootDelayMs: 20, fetchedDownloadFailureRate: 0.1, ...BOOTSTRAP,
    });
    expect((await fleet.bootAll()).every((r) => r.ok)).toBe(true);
    const byId = new Map(fleet.devices.map((d) => [deviceIdOf({ oui: "A4B1C2", productClass: "HW-AX3000", serialNumber: d.serial })!, d]));
    for (const [id, d] of byId) await a.store.setCredentials(id, { connectionRequestUsername: d.crCredentials().username, connectionRequestPassword: d.crCredentials().password });

    const created = await a.call("POST", "/api/campaigns", {
      body: {
        name: "AX3000 3.2.15", firmware: name, target: { productClass: "HW-AX3000", versions: { max: "3.2.14" } },
        waves: [{ size: 20, concurrency: 10 }, { size: 60, concurrency: 20 }], failureThreshold: 0.05, minSample: 10,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: "running", deviceCount: 200, currentWave: 0, firmware: { name, version: "3.2.15", sha256: SHA } });
    const id: string = created.json.id;

    // 21 failures cannot fit under 5% in waves of 20, 60, 60, 60 (at most 1 + 3 + 3 + 3): the campaign must pause.
    const paused = await until(a, id, (c) => c.status !== "running" && inTransfer(c) === 0);
    expect(paused.status).toBe("paused");
    expect(paused.pause).toMatchObject({ reason: "threshold" });
    const p = paused.pause!;
    expect(p.failureRate).toBeGreaterThan(0.05);
    expect(p.failed / p.finished).toBe(p.failureRate);
    // Downloads under way at the pause still finish (and may bring the wave's rate back down); no new one starts.
    expect(paused.waves[p.wave]).toMatchObject({ judged: true, status: "current" });
    expect(paused.waves[p.wave]!.counts.failed).toBeGreaterThanOrEqual(p.failed);

    // Per-device state: every device reported, the counts add up, each state matches the device itself.
    const devices = paused.devices.items;
    expect(paused.devices.total).toBe(200);
    expect(devices).toHaveLength(200);
    expect(Object.values(paused.counts).reduce((x, y) => x + y, 0)).toBe(200);
    expect(paused.counts.failed).toBeGreaterThan(0);
    expect(paused.counts.succeeded).toBeGreaterThan(0);
    expect(paused.counts.succeeded! + paused.counts.failed! + paused.counts.pending!).toBe(200);
    for (const d of devices) {
      const router = byId.get(d.deviceId)!;
      const stored = await a.store.getDevice(d.deviceId);
      if (d.state === "succeeded") {
        expect(states(d)).toEqual(["pending", "scheduled", "downloading", "rebooting", "verifying", "succeeded"]);
        expect([d.version, router.getValue(SW), stored?.softwareVersion]).toEqual(["3.2.15", "3.2.15", "3.2.15"]);
      } else if (d.state === "failed") {
        expect(states(d)).toEqual(["pending", "scheduled", "downloading", "failed"]);
        expect(["cwmp.9010", "cwmp.9018"]).toContain(d.fault?.code);
        expect(router.getValue(SW)).toBe("3.2.14");
      } else {
        expect(d.state).toBe("pending");
        expect(d.attempts).toBe(0);
        expect(router.getValue(SW)).toBe("3.2.14");
      }
      // Nothing beyond the wave that paused was touched.
      if (d.wave > p.wave) expect(d.state).toBe("pending");
    }
    expect(paused.waves.slice(p.wave + 1).every((w) => w.status === "waiting")).toBe(true);

    // The operator accepts the rate and resumes with a higher threshold: the rest rolls out.
    const resumed = await a.call("POST", `/api/campaigns/${id}/resume`, { body: { failureThreshold: 0.5 } });
    expect(resumed.json).toMatchObject({ status: "running", pause: null, failureThreshold: 0.5 });
    const done = await until(a, id, (c) => c.status === "completed");
    expect(done.counts.succeeded! + done.counts.failed!).toBe(200);
    expect(done.counts.failed).toBe(21);
    for (const d of done.devices.items) expect(byId.get(d.deviceId)!.getValue(SW)).toBe(d.state === "succeeded" ? "3.2.15" : "3.2.14");
    expect(done.waves.map((w) => w.status)).toEqual(["done", "done", "done", "done"]);
  });

  it("sends the Download, verifies the version after the reboot, and accepts a duplicate TransferComplete once", async () => {
    const a = (acs = await FirmwareAcs.start({ waveJobMs: 50 }));
    const name = "hgw-3.2.15.bin";
    expect((await a.call("POST", `/api/firmware?name=${name}&version=3.2.15&sha256=${SHA}`, { raw: IMAGE })).status).toBe(201);
    const good = new ScriptedCpe({ url: a.cwmpUrl, ...BOOTSTRAP });
    const bad = new ScriptedCpe({ url: a.cwmpUrl, ...BOOTSTRAP, deviceId: { ...DEVICE, serialNumber: "SN0002" } });
    cpes.push(good, bad);
    for (const cpe of [good, bad]) {
      expect((await cpe.inform(["1 BOOT"])).status).toBe(200);
      expect((await cpe.emptyPost()).status).toBe(204);
    }
    const created = await a.call("POST", "/api/campaigns", {
      body: { name: "HGW", firmware: name, target: { productClass: "HGW" }, waves: [{ size: 2, concurrency: 2 }], failureThreshold: 1 },
    });
    const id: string = created.json.id;
    await until(a, id, (c) => c.counts.scheduled === 2);

    /** A session that gets the Download and accepts it (Status 1). */
    async function download(cpe: ScriptedCpe): Promise<Download> {
      expect((await cpe.inform(["6 CONNECTION REQUEST"])).status).toBe(200);
      const req = (await cpe.emptyPost()).envelope!;
      expect(req.body.kind).toBe("Download");
      const done = await cpe.respond(req, { kind: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" });
      expect(done.status).toBe(204);
      return req.body as Download;
    }
    /** The session after the reboot: 1 BOOT + 7 TRANSFER COMPLETE + M Download, then the TransferComplete. */
    async function report(cpe: ScriptedCpe, commandKey: string, version: string, faultCode = 0, events = ["1 BOOT", "7 TRANSFER COMPLETE"]): Promise<Envelope | null> {
      const inform = cpe.informEnvelope(events, informParams(undefined).map((p) => (p.name === SW ? { ...p, value: version } : p)));
      (inform.body as Inform).events.push({ eventCode: "M Download", commandKey });
      expect((await cpe.post(serializeEnvelope(inform))).status).toBe(200);
      const tc = await cpe.post(serializeEnvelope({
        namespace: inform.namespace, id: `tc-${commandKey}`,
        body: { kind: "TransferComplete", commandKey, fault: { faultCode, faultString: "" }, startTime: "2025-05-01T10:20:02Z", completeTime: "2025-05-01T10:24:41Z" },
      }));
      expect((await cpe.emptyPost()).status).toBe(204);
      return tc.envelope;
    }
    const device = async (serial: string): Promise<DeviceView> => {
      const c = await until(a, id, () => true);
      return c.devices.items.find((d) => d.deviceId === deviceIdOf({ ...DEVICE, serialNumber: serial }))!;
    };

    const dl = await download(good);
    // The URL names the host the CPE used; the file behind it is the image, as declared.
    expect(dl).toMatchObject({ fileType: "1 Firmware Upgrade Image", url: `${a.cwmpBase}/firmware/${name}`, fileSize: IMAGE.length, delaySeconds: 0 });
    expect(dl.commandKey).toMatch(/^fw-[0-9a-f]{12}-[0-9a-f]{8}$/);
    const served = Buffer.from(await (await fetch(dl.url)).arrayBuffer());
    expect(createHash("sha256").update(served).digest("hex")).toBe(SHA);
    expect(await device("SN0001")).toMatchObject({ state: "downloading", attempts: 1 });

    // After the reboot with the new version: succeeded.
    expect((await report(good, dl.commandKey, "3.2.15"))?.body.kind).toBe("TransferCompleteResponse");
    const upgraded = await device("SN0001");
    expect(upgraded).toMatchObject({ state: "succeeded", version: "3.2.15", fault: null });
    expect(states(upgraded)).toEqual(["pending", "scheduled", "downloading", "rebooting", "verifying", "succeeded"]);

    // The same TransferComplete again (its acknowledgement was lost), even one now claiming a failure:
    // acknowledged, and nothing changes.
    expect((await report(good, dl.commandKey, "3.2.15", 0, ["7 TRANSFER COMPLETE"]))?.body.kind).toBe("TransferCompleteResponse");
    expect((await report(good, dl.commandKey, "3.2.15", 9010, ["7 TRANSFER COMPLETE"]))?.body.kind).toBe("TransferCompleteResponse");
    expect(await device("SN0001")).toEqual(upgraded);

    // A device that comes back from its reboot still on the old version fails the version check.
    const dl2 = await download(bad);
    expect(dl2.commandKey).not.toBe(dl.commandKey);
    expect((await report(bad, dl2.commandKey, "3.2.14"))?.body.kind).toBe("TransferCompleteResponse");
    expect(await device("SN0002")).toMatchObject({
      state: "failed", version: "3.2.14",
      fault: { code: "firmware.version_mismatch", message: "SoftwareVersion is 3.2.14 after the upgrade, expected 3.2.15" },
    });

    const done = await until(a, id, (c) => c.status === "completed");
    expect(done.counts).toMatchObject({ succeeded: 1, failed: 1 });
    expect(done.waves[0]).toMatchObject({ failureRate: 0.5, judged: true, status: "done" });
  });

  it("lets an admin pause, resume and cancel; other roles only read", async () => {
    const a = (acs = await FirmwareAcs.start({ waveJobMs: false }));
    expect((await a.call("POST", `/api/firmware?name=hgw-3.2.15.bin&version=3.2.15&sha256=${SHA}`, { raw: IMAGE })).status).toBe(201);
    for (const serial of ["SN0001", "SN0002", "SN0003"]) {
      const cpe = new ScriptedCpe({ url: a.cwmpUrl, ...BOOTSTRAP, deviceId: { ...DEVICE, serialNumber: serial } });
      cpes.push(cpe);
      expect((await cpe.inform(["1 BOOT"])).status).toBe(200);
      expect((await cpe.emptyPost()).status).toBe(204);
    }
    const body = { name: "HGW", firmware: "hgw-3.2.15.bin", target: { productClass: "HGW" }, waves: [{ size: 1, concurrency: 1 }], failureThreshold: 0.1 };
    expect((await a.call("POST", "/api/campaigns", { body, token: a.tokens.noc })).status).toBe(403);
    expect((await a.call("POST", "/api/campaigns", { body: { ...body, firmware: "nope.bin" } })).json).toMatchObject({ error: "FLX_ERR_VALIDATION" });
    const created = await a.call("POST", "/api/campaigns", { body });
    expect(created.json).toMatchObject({ deviceCount: 3, counts: { pending: 3 } });
    const id: string = created.json.id;
    // A device in an open campaign is left out of the next one.
    expect((await a.call("POST", "/api/campaigns", { body })).json.message).toContain("no device of HGW");

    expect((await a.call("POST", `/api/campaigns/${id}/pause`, { token: a.tokens.noc })).status).toBe(403);
    expect((await a.call("POST", `/api/campaigns/${id}/resume`)).status).toBe(409);
    expect((await a.call("POST", `/api/campaigns/${id}/pause`)).json).toMatchObject({ status: "paused", pause: { reason: "admin", by: "admin-fw" } });
    expect((await a.call("POST", `/api/campaigns/${id}/resume`)).json).toMatchObject({ status: "running", pause: null });
    const cancelled = await a.call("POST", `/api/campaigns/${id}/cancel`);
    expect(cancelled.json).toMatchObject({ status: "cancelled", counts: { cancelled: 3 } });
    await tickCampaign({ repo: a.repo, logger: pino({ level: "silent" }) }, id);
    const listed = await a.call("GET", "/api/campaigns", { token: a.tokens.noc });
    expect(listed.json.items).toMatchObject([{ id, status: "cancelled" }]);
    expect(listed.json.items[0].endedAt).not.toBeNull();
    expect((await a.call("GET", `/api/campaigns/${id}?state=cancelled&limit=2`, { token: a.tokens.noc })).json.devices).toMatchObject({ total: 3, items: [{ state: "cancelled" }, { state: "cancelled" }] });
    expect((await a.call("GET", "/api/campaigns/nope")).status).toBe(404);
    expect((await a.store.listAudit({ action: "firmware.campaign.cancel" })).map((e) => e.actor)).toEqual(["admin-fw"]);
  });
});
