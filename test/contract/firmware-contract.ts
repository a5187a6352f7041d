// The firmware repository contract (acs/firmware/firmware-repository.ts): one
// suite that the SQLite and the MongoDB implementations must both pass
// (firmware-sqlite.test.ts, firmware-mongodb.test.ts).

import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Campaign, CampaignDevice } from "../../acs/firmware/campaign-types.ts";
import { FirmwareConflictError, IMAGE_CHUNK_BYTES, type FirmwareFile, type FirmwareRepository } from "../../acs/firmware/firmware-repository.ts";

export interface OpenedFirmwareRepository {
  repo: FirmwareRepository;
  close(): Promise<void>;
}

const T0 = 1_700_000_000_000;

const file = (name: string, over: Partial<FirmwareFile> = {}): FirmwareFile => ({
  name, version: "3.2.15", size: 1024, sha256: "ab".repeat(32), profile: null, uploadedAt: T0, uploadedBy: "admin", ...over,
});

function campaign(id: string, over: Partial<Campaign> = {}): Campaign {
  return {
    id, name: `campaign ${id}`, firmware: { name: "hw-3.2.15.bin", version: "3.2.15", size: 1024, sha256: "ab".repeat(32) },
    target: { profile: "firmware-profiles/homewave/hw-ax3000.ts", oui: "A4B1C2", productClass: "HW-AX3000", hardwareVersions: ["HW-AX3000-B2"], versions: { max: "3.2.14" } },
    waves: [
      { size: 2, concurrency: 2, startedAt: T0, finishedAt: null, baseline: { finished: 0, failed: 0 } },
      { size: 2, concurrency: 1, startedAt: null, finishedAt: null, baseline: { finished: 0, failed: 0 } },
    ],
    currentWave: 0, window: { start: "02:00", end: "05:00" }, failureThreshold: 0.05, minSample: 10, timeoutMs: 3_600_000,
    status: "running", pause: null, createdAt: T0, createdBy: "admin", updatedAt: T0, endedAt: null, rev: 1, ...over,
  };
}

function device(campaignId: string, deviceId: string, seq: number, wave: number): CampaignDevice {
  return {
    campaignId, deviceId, wave, seq, state: "pending", stateAt: T0, commandKey: `fw-${campaignId}-${seq}`, fromVersion: "3.2.14",
    version: null, attempts: 0, fault: null, history: [{ state: "pending", at: T0 }],
  };
}

const ids = (r: { items: CampaignDevice[] }): string[] => r.items.map((d) => d.deviceId);

export function describeFirmwareContract(label: string, open: () => Promise<OpenedFirmwareRepository>): void {
  describe(label, () => {
    let opened: OpenedFirmwareRepository;
    let repo: FirmwareRepository;
    let dir: string;
    beforeEach(async () => {
      opened = await open();
      repo = opened.repo;
      dir = await mkdtemp(join(tmpdir(), "flexacs-fw-contract-"));
    });
    afterEach(async () => {
      await opened.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** An image of `size` random bytes in a temp file, and the record of a file with it. */
    const image = async (name: string, size: number): Promise<{ bytes: Buffer; path: string; file: FirmwareFile }> => {
      const bytes = randomBytes(size);
      const path = join(dir, `${name}.img`);
      await writeFile(path, bytes);
      return { bytes, path, file: file(name, { size, sha256: createHash("sha256").update(bytes).digest("hex") }) };
    };
    /** The stored bytes of a file, as read: the pieces and their concatenation. */
    const readImage = async (name: string): Promise<{ pieces: number[]; bytes: Buffer } | null> => {
      const stream = await repo.openImage(name);
      if (!stream) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { pieces: chunks.map((c) => c.length), bytes: Buffer.concat(chunks) };
    };

    const seed = async (id = "c1"): Promise<Campaign> => {
      const c = campaign(id);
      // Given out of order: lists follow seq, not insertion.
      await repo.createCampaign(c, [device(id, "D3", 2, 1), device(id, "D1", 0, 0), device(id, "D4", 3, 1), device(id, "D2", 1, 0)]);
      return c;
    };

    it("keeps firmware files by name and refuses a taken name", async () => {
      await repo.addFile(file("b.bin", { profile: "firmware-profiles/homewave/hw-ax3000.ts" }), null);
      await repo.addFile(file("a.bin", { version: "1.0" }), null);
      expect(await repo.getFile("b.bin")).toEqual(file("b.bin", { profile: "firmware-profiles/homewave/hw-ax3000.ts" }));
      expect(await repo.getFile("nope")).toBeNull();
      expect((await repo.listFiles()).map((f) => f.name)).toEqual(["a.bin", "b.bin"]);
      await expect(repo.addFile(file("a.bin", { version: "2.0" }), null)).rejects.toBeInstanceOf(FirmwareConflictError);
      expect((await repo.getFile("a.bin"))?.version).toBe("1.0");
    });

    it("keeps a file's image bytes with it, read back whole in chunks of at most IMAGE_CHUNK_BYTES", async () => {
      const img = await image("big.bin", 3 * IMAGE_CHUNK_BYTES + 1234);
      await repo.addFile(img.file, img.path);
      expect(await repo.getFile("big.bin")).toEqual(img.file);
      const read = (await readImage("big.bin"))!;
      expect(read.bytes.equals(img.bytes)).toBe(true);
      expect(read.pieces.every((n) => n > 0 && n <= IMAGE_CHUNK_BYTES)).toBe(true);
      // A second read is the same (nothing consumed).
      expect((await readImage("big.bin"))!.bytes.equals(img.bytes)).toBe(true);
    });

    it("reads back images whose size falls on, just before and just after a chunk boundary", async () => {
      for (const size of [1, IMAGE_CHUNK_BYTES - 1, IMAGE_CHUNK_BYTES, IMAGE_CHUNK_BYTES + 1, 2 * IMAGE_CHUNK_BYTES]) {
        const img = await image(`s${size}.bin`, size);
        await repo.addFile(img.file, img.path);
        const read = (await readImage(`s${size}.bin`))!;
        expect([size, read.bytes.length, read.bytes.equals(img.bytes)]).toEqual([size, size, true]);
      }
    });

    it("has no image for an unknown file or one recorded without bytes", async () => {
      expect(await repo.openImage("nope.bin")).toBeNull();
      await repo.addFile(file("bare.bin"), null);
      expect(await repo.openImage("bare.bin")).toBeNull();
    });

    it("keeps neither the record nor the bytes of a refused file", async () => {
      const first = await image("fw.bin", IMAGE_CHUNK_BYTES + 10);
      await repo.addFile(first.file, first.path);
      // A taken name: the stored image stays the first one.
      const other = await image("other", 2 * IMAGE_CHUNK_BYTES + 5);
      await expect(repo.addFile({ ...other.file, name: "fw.bin" }, other.path)).rejects.toBeInstanceOf(FirmwareConflictError);
      expect((await readImage("fw.bin"))!.bytes.equals(first.bytes)).toBe(true);
      expect(await repo.getFile("fw.bin")).toEqual(first.file);
      // Bytes that are not the recorded size: nothing recorded.
      await expect(repo.addFile({ ...other.file, size: other.bytes.length - 1 }, other.path)).rejects.toThrow(/bytes/);
      expect(await repo.getFile("other")).toBeNull();
      expect(await repo.openImage("other")).toBeNull();
      // The name is still free.
      await repo.addFile(other.file, other.path);
      expect((await readImage("other"))!.bytes.equals(other.bytes)).toBe(true);
    });

    it("keeps one whole of two files stored at once under one name, with or without bytes", async () => {
      const a = await image("a", 3 * IMAGE_CHUNK_BYTES + 7);
      const b = await image("b", 2 * IMAGE_CHUNK_BYTES + 9);
      const bare = file("fw.bin");
      for (const [name, contenders] of [
        ["one.bin", [a, b]],
        ["two.bin", [a, null]],
        ["three.bin", [null, b]],
      ] as const) {
        const records = contenders.map((c) => (c ? { ...c.file, name } : { ...bare, name }));
        const results = await Promise.allSettled(contenders.map((c, i) => repo.addFile(records[i]!, c?.path ?? null)));
        expect(results.map((r) => r.status).sort(), name).toEqual(["fulfilled", "rejected"]);
        const winner = results.findIndex((r) => r.status === "fulfilled");
        expect((results[1 - winner] as PromiseRejectedResult).reason).toBeInstanceOf(FirmwareConflictError);
        expect(await repo.getFile(name)).toEqual(records[winner]);
        const stored = await readImage(name);
        expect(stored?.bytes.equals(contenders[winner]!.bytes) ?? null, name).toBe(contenders[winner] === null ? null : true);
      }
    });

    it("stores a campaign with its devices and reads both back whole", async () => {
      const c = await seed();
      expect(await repo.getCampaign("c1")).toEqual(c);
      expect(await repo.getCampaign("nope")).toBeNull();
      const all = await repo.listDevices("c1");
      expect(all.total).toBe(4);
      expect(ids(all)).toEqual(["D1", "D2", "D3", "D4"]);
      expect(all.items[0]).toEqual(device("c1", "D1", 0, 0));
      await expect(repo.createCampaign(campaign("c1"), [device("c1", "D9", 0, 0)])).rejects.toBeInstanceOf(FirmwareConflictError);
      expect((await repo.listDevices("c1")).total).toBe(4);
    });

    it("lists campaigns newest first, open or ended", async () => {
      await repo.createCampaign(campaign("old", { createdAt: T0 - 10, endedAt: T0, status: "completed" }), []);
      await repo.createCampaign(campaign("new", { createdAt: T0 + 10 }), []);
      expect((await repo.listCampaigns()).map((c) => c.id)).toEqual(["new", "old"]);
      expect((await repo.listCampaigns({ ended: false })).map((c) => c.id)).toEqual(["new"]);
      expect((await repo.listCampaigns({ ended: true })).map((c) => c.id)).toEqual(["old"]);
    });

    it("replaces a campaign only over the revision read", async () => {
      const c = await seed();
      expect(await repo.replaceCampaign({ ...c, status: "paused", rev: 99 }, 1)).toBe(true);
      expect(await repo.getCampaign("c1")).toMatchObject({ status: "paused", rev: 2 });
      expect(await repo.replaceCampaign({ ...c, status: "cancelled" }, 1)).toBe(false);
      expect(await repo.getCampaign("c1")).toMatchObject({ status: "paused", rev: 2 });
      expect(await repo.replaceCampaign({ ...c, status: "completed", endedAt: T0 + 5 }, 2)).toBe(true);
      expect((await repo.listCampaigns({ ended: true })).map((x) => x.id)).toEqual(["c1"]);
      expect(await repo.replaceCampaign(campaign("ghost"), 1)).toBe(false);
    });

    it("filters devices by state, wave and state age, with totals and paging", async () => {
      await seed();
      await repo.transitionDevice("c1", "D2", "pending", { path: ["scheduled"], at: T0 + 100 });
      expect(ids(await repo.listDevices("c1", { states: ["pending"] }))).toEqual(["D1", "D3", "D4"]);
      expect(ids(await repo.listDevices("c1", { states: ["pending"], wave: 1 }))).toEqual(["D3", "D4"]);
      expect(ids(await repo.listDevices("c1", { stateBefore: T0 + 50 }))).toEqual(["D1", "D3", "D4"]);
      const page = await repo.listDevices("c1", { offset: 1, limit: 2 });
      expect([page.total, ids(page)]).toEqual([4, ["D2", "D3"]]);
      expect(ids(await repo.listDevices("c1", { limit: 0 }))).toEqual([]);
      expect(await repo.countStates("c1")).toEqual([
        { wave: 0, state: "pending", count: 1 }, { wave: 0, state: "scheduled", count: 1 }, { wave: 1, state: "pending", count: 2 },
      ]);
    });

    it("changes a device only from the state read, appending each state entered", async () => {
      await seed();
      expect(await repo.transitionDevice("c1", "D1", "pending", { path: ["scheduled"], at: T0 + 1 })).toBe(true);
      // Attempts only: the state, its time and the history stay.
      expect(await repo.transitionDevice("c1", "D1", "scheduled", { path: [], at: T0 + 2, attempts: 1 })).toBe(true);
      expect(await repo.transitionDevice("c1", "D1", "scheduled", { path: ["downloading"], at: T0 + 3 })).toBe(true);
      const report = { path: ["rebooting", "verifying", "succeeded"] as const, at: T0 + 4, version: "3.2.15" };
      expect(await repo.transitionDevice("c1", "D1", "downloading", { ...report, path: [...report.path] })).toBe(true);
      // The same report again (a duplicate TransferComplete) finds the device moved on: nothing changes.
      expect(await repo.transitionDevice("c1", "D1", "downloading", { path: ["failed"], at: T0 + 5, fault: { code: "cwmp.9010", message: "x" } })).toBe(false);
      const d = (await repo.findByCommandKey("D1", "fw-c1-0"))!;
      expect(d).toMatchObject({ state: "succeeded", stateAt: T0 + 4, attempts: 1, version: "3.2.15", fault: null });
      expect(d.history).toEqual([
        { state: "pending", at: T0 }, { state: "scheduled", at: T0 + 1 }, { state: "downloading", at: T0 + 3 },
        { state: "rebooting", at: T0 + 4 }, { state: "verifying", at: T0 + 4 }, { state: "succeeded", at: T0 + 4 },
      ]);
      expect(await repo.transitionDevice("c1", "D2", "pending", { path: ["failed"], at: T0 + 6, fault: { code: "cwmp.9018", message: "corrupted" } })).toBe(true);
      expect((await repo.findByCommandKey("D2", "fw-c1-1"))?.fault).toEqual({ code: "cwmp.9018", message: "corrupted" });
      expect(await repo.transitionDevice("c1", "nope", "pending", { path: ["scheduled"], at: T0 })).toBe(false);
      expect(await repo.findByCommandKey("D1", "fw-other")).toBeNull();
    });

    it("finds a device's records across campaigns and the devices in given states", async () => {
      await seed("c1");
      await repo.createCampaign(campaign("c2"), [device("c2", "D1", 0, 0), device("c2", "D5", 1, 0)]);
      await repo.transitionDevice("c1", "D1", "pending", { path: ["failed"], at: T0 + 1 });
      await repo.transitionDevice("c2", "D1", "pending", { path: ["scheduled"], at: T0 + 2 });
      expect((await repo.recordsOf("D1", ["scheduled", "downloading"])).map((d) => d.campaignId)).toEqual(["c2"]);
      expect((await repo.recordsOf("D1", ["pending", "scheduled", "failed"])).map((d) => d.campaignId)).toEqual(["c1", "c2"]);
      expect([...(await repo.devicesIn(["scheduled", "failed"]))].sort()).toEqual(["D1"]);
      expect([...(await repo.devicesIn(["pending"]))].sort()).toEqual(["D2", "D3", "D4", "D5"]);
    });

    it("recordsOf sees each change made after an earlier read of the same device", async () => {
      await seed("c1");
      const active = ["scheduled", "rebooting", "verifying"] as const;
      const campaignsOf = async (id: string) => (await repo.recordsOf(id, active)).map((d) => `${d.campaignId}:${d.state}:${d.attempts}`);
      expect(await campaignsOf("D1")).toEqual([]);
      await repo.transitionDevice("c1", "D1", "pending", { path: ["scheduled"], at: T0 + 1 });
      expect(await campaignsOf("D1")).toEqual(["c1:scheduled:0"]);
      await repo.transitionDevice("c1", "D1", "scheduled", { path: [], at: T0 + 2, attempts: 1 });
      expect(await campaignsOf("D1")).toEqual(["c1:scheduled:1"]);
      expect(await campaignsOf("D9")).toEqual([]);
      await repo.createCampaign(campaign("c2"), [{ ...device("c2", "D9", 0, 0), state: "scheduled" }]);
      expect(await campaignsOf("D9")).toEqual(["c2:scheduled:0"]);
      expect(await repo.moveUnsentDevices("c2", ["scheduled"], "cancelled", T0 + 3)).toBe(1);
      expect(await campaignsOf("D9")).toEqual([]);
    });

    it("moves the devices in given states never sent a Download, of one wave or all", async () => {
      await seed();
      await repo.transitionDevice("c1", "D1", "pending", { path: ["scheduled"], at: T0 + 1 });
      await repo.transitionDevice("c1", "D3", "pending", { path: ["scheduled"], at: T0 + 1 });
      await repo.transitionDevice("c1", "D4", "pending", { path: ["scheduled"], at: T0 + 1 });
      // D4's Download is out: it keeps its state whatever the move.
      await repo.transitionDevice("c1", "D4", "scheduled", { path: [], at: T0 + 1, attempts: 1 });
      expect(await repo.moveUnsentDevices("c1", ["scheduled"], "pending", T0 + 2, 1)).toBe(1);
      expect(ids(await repo.listDevices("c1", { states: ["scheduled"] }))).toEqual(["D1", "D4"]);
      expect(await repo.moveUnsentDevices("c1", ["pending", "scheduled"], "cancelled", T0 + 3)).toBe(3);
      const d3 = (await repo.listDevices("c1", { states: ["cancelled"], wave: 1 })).items[0]!;
      expect(d3).toMatchObject({ deviceId: "D3", stateAt: T0 + 3 });
      expect(d3.history.map((h) => h.state)).toEqual(["pending", "scheduled", "pending", "cancelled"]);
      expect((await repo.findByCommandKey("D4", "fw-c1-3"))).toMatchObject({ state: "scheduled", attempts: 1 });
      expect(await repo.moveUnsentDevices("c1", ["pending"], "cancelled", T0 + 4)).toBe(0);
    });
  });
}
