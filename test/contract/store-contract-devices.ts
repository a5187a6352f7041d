// Devices and credentials. Decisions pinned here beyond store.ts:
// upsert refreshes identity fields; updates/credentials of an unknown device do
// nothing; deleteDevice also removes parameters, credentials, tasks and faults
// (not audit); search is a case-insensitive substring with "%"/"_" literal;
// lastInformAfter inclusive, lastInformBefore exclusive, both skip never-informed
// devices; sort ties broken by id in the same direction; null lastInformAt first
// ascending, last descending.

import { describe, expect, it } from "vitest";
import type { DeviceQuery, DeviceUpdate } from "../../acs/store/store.ts";
import { identity, param, type ContractContext } from "./store-contract-helpers.ts";

const A = "OUI1-HG8245H-SNA001";
const B = "OUI1-HG8245H-SNB002";
const C = "OUI2-C003"; // product class and serial not in the id: search must look at them
const D = "OUI2-F670L-SND004";
const E = "OUI3-AX_3000-E005";

export function deviceContract(ctx: ContractContext): void {
  describe("devices", () => {
    it("getDevice returns null for an unknown id", async () => {
      expect(await ctx.store.getDevice("nope")).toBeNull();
    });

    it("upsertDevice registers a new device with the update over defaults", async () => {
      const before = Date.now();
      const created = await ctx.store.upsertDevice(identity("dev-1"), {
        softwareVersion: "V5R019",
        dataModel: "tr098",
        lastInformAt: 1000,
        lastEvents: ["0 BOOTSTRAP", "1 BOOT"],
        connectionRequestUrl: "http://192.0.2.10:7547/cr",
      });
      const after = Date.now();
      expect(created).toEqual({
        ...identity("dev-1"),
        softwareVersion: "V5R019",
        hardwareVersion: "",
        dataModel: "tr098",
        registeredAt: expect.any(Number),
        lastInformAt: 1000,
        lastBootAt: null,
        lastRemoteAddress: null,
        connectionRequestUrl: "http://192.0.2.10:7547/cr",
        udpConnectionRequestAddress: null,
        lastEvents: ["0 BOOTSTRAP", "1 BOOT"],
        periodicInformInterval: null,
        tags: [],
      });
      expect(created.registeredAt).toBeGreaterThanOrEqual(before);
      expect(created.registeredAt).toBeLessThanOrEqual(after);
      expect(await ctx.store.getDevice("dev-1")).toEqual(created);
    });

    it("upsertDevice takes registeredAt from the update when given", async () => {
      const created = await ctx.store.upsertDevice(identity("dev-1"), { registeredAt: 5, dataModel: "tr181" });
      expect(created.registeredAt).toBe(5);
      expect((await ctx.store.getDevice("dev-1"))?.registeredAt).toBe(5);
    });

    it("upsertDevice on a known device applies only the update and keeps its registration", async () => {
      const first = await ctx.store.upsertDevice(identity("dev-1"), {
        softwareVersion: "V1",
        hardwareVersion: "HW1",
        dataModel: "tr181",
        lastInformAt: 1000,
        lastEvents: ["1 BOOT"],
        tags: ["vip"],
      });
      const second = await ctx.store.upsertDevice(identity("dev-1", { manufacturer: "Huawei Technologies" }), {
        lastInformAt: 2000,
        lastEvents: ["2 PERIODIC"],
        lastRemoteAddress: "192.0.2.7",
      });
      expect(second).toEqual({
        ...first,
        manufacturer: "Huawei Technologies",
        lastInformAt: 2000,
        lastEvents: ["2 PERIODIC"],
        lastRemoteAddress: "192.0.2.7",
      });
      expect(await ctx.store.getDevice("dev-1")).toEqual(second);
      expect(await ctx.store.countDevices({})).toBe(1);
    });

    it("updateDevice changes only the given fields, including back to null", async () => {
      const created = await ctx.store.upsertDevice(identity("dev-1"), {
        dataModel: "tr181",
        lastRemoteAddress: "192.0.2.7",
        lastBootAt: 10,
      });
      const update: DeviceUpdate = {
        lastRemoteAddress: null,
        periodicInformInterval: 300,
        udpConnectionRequestAddress: "192.0.2.7:7547",
        tags: ["quarantined", "returned"],
      };
      await ctx.store.updateDevice("dev-1", update);
      expect(await ctx.store.getDevice("dev-1")).toEqual({ ...created, ...update });
    });

    it("updateDevice on an unknown device creates nothing", async () => {
      await ctx.store.updateDevice("ghost", { softwareVersion: "V9", lastInformAt: 1 });
      expect(await ctx.store.getDevice("ghost")).toBeNull();
      expect(await ctx.store.countDevices({})).toBe(0);
    });

    it("many concurrent upserts all land", async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.store.upsertDevice(identity(`dev-${i}`), { dataModel: "tr181" })));
      expect(await ctx.store.countDevices({})).toBe(50);
    });

    it("deleteDevice removes the device with its parameters, credentials, tasks and faults, not the audit trail", async () => {
      const s = ctx.store;
      for (const id of ["dev-1", "dev-2"]) {
        await s.upsertDevice(identity(id), { dataModel: "tr181" });
        await s.updateParameters(id, new Map([["Device.DeviceInfo.UpTime", param("42", "xsd:unsignedInt")]]));
        await s.setCredentials(id, { connectionRequestUsername: "cr", connectionRequestPassword: "secret" });
        await s.addTask({ deviceId: id, name: "reboot", args: {}, createdBy: "noc" });
        await s.addFault({ deviceId: id, channel: "inform", code: "cwmp.9002", message: "x", detail: null, rpc: null, retries: 0, timestamp: 1 });
        await s.addAudit({ timestamp: 1, actor: "noc", action: "task.create", deviceId: id, detail: {} });
      }
      expect(await s.deleteDevice("dev-1")).toBe(true);
      expect(await s.getDevice("dev-1")).toBeNull();
      expect(await s.deleteDevice("dev-1")).toBe(false);
      expect(await s.deleteDevice("never-existed")).toBe(false);

      // Registering the same id again starts from nothing: no stale tasks or secrets.
      await s.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      expect((await s.getParameters("dev-1")).size).toBe(0);
      expect(await s.getCredentials("dev-1")).toEqual({
        cpeUsername: null,
        cpeHa1: null,
        connectionRequestUsername: null,
        connectionRequestPassword: null,
      });
      expect(await s.pendingTasks("dev-1", Date.now())).toEqual([]);
      expect(await s.listTasks({ deviceId: "dev-1" })).toEqual([]);
      expect(await s.listFaults({ deviceId: "dev-1" })).toEqual([]);
      expect(await s.listAudit({ deviceId: "dev-1" })).toHaveLength(1);

      // The other device is untouched.
      expect((await s.getParameters("dev-2")).get("Device.DeviceInfo.UpTime")?.value).toBe("42");
      expect((await s.getCredentials("dev-2"))?.connectionRequestPassword).toBe("secret");
      expect(await s.pendingTasks("dev-2", Date.now())).toHaveLength(1);
      expect(await s.listFaults({ deviceId: "dev-2" })).toHaveLength(1);
    });
  });

  describe("listDevices and countDevices", () => {
    async function seed(): Promise<void> {
      const s = ctx.store;
      const add = (id: string, productClass: string, serialNumber: string, update: DeviceUpdate) =>
        s.upsertDevice(identity(id, { productClass, serialNumber }), { dataModel: "tr181", ...update });
      await add(A, "HG8245H", "SNA001", { softwareVersion: "V1", lastInformAt: 1000, tags: ["quarantined"] });
      await add(B, "HG8245H", "SNB002", { softwareVersion: "V2", lastInformAt: 3000 });
      await add(C, "F670L", "SNC003", { softwareVersion: "V1", lastInformAt: 2000, tags: ["quarantined", "returned"] });
      await add(D, "F670L", "SND004", { softwareVersion: "V2", tags: ["returned"] });
      await add(E, "AX_3000", "ZZ9E005", { softwareVersion: "V3", lastInformAt: 2000 });
    }

    async function ids(query: DeviceQuery): Promise<string[]> {
      const { total, items } = await ctx.store.listDevices(query);
      const { sort: _s, order: _o, offset: _f, limit: _l, ...filter } = query;
      expect(await ctx.store.countDevices(filter)).toBe(total);
      return items.map((d) => d.id);
    }

    it("lists every device by id with the total, as full device records", async () => {
      await seed();
      const page = await ctx.store.listDevices({});
      expect(page.total).toBe(5);
      expect(page.items.map((d) => d.id)).toEqual([A, B, C, D, E]);
      expect(page.items[2]).toEqual(await ctx.store.getDevice(C));
    });

    it("filters by exact id", async () => {
      await seed();
      expect(await ids({ id: C })).toEqual([C]);
      expect(await ids({ id: "OUI2" })).toEqual([]);
    });

    it("searches a case-insensitive substring of id, serial number or product class", async () => {
      await seed();
      expect(await ids({ search: "snb" })).toEqual([B]);
      expect(await ids({ search: "zz9" })).toEqual([E]); // serial only
      expect(await ids({ search: "f670" })).toEqual([C, D]); // C by product class only
      expect(await ids({ search: "OUI1-" })).toEqual([A, B]);
      expect(await ids({ search: "nothing-like-this" })).toEqual([]);
    });

    it("treats % and _ in a search as plain characters", async () => {
      await seed();
      expect(await ids({ search: "_" })).toEqual([E]);
      expect(await ids({ search: "X_3" })).toEqual([E]);
      expect(await ids({ search: "%" })).toEqual([]);
    });

    it("filters by product class and software version (exact)", async () => {
      await seed();
      expect(await ids({ productClass: "F670L" })).toEqual([C, D]);
      expect(await ids({ productClass: "F670" })).toEqual([]);
      expect(await ids({ softwareVersion: "V2" })).toEqual([B, D]);
      expect(await ids({ productClass: "F670L", softwareVersion: "V2" })).toEqual([D]);
    });

    it("filters by last Inform time: after is inclusive, before exclusive, never-informed excluded", async () => {
      await seed();
      expect(await ids({ lastInformAfter: 2000 })).toEqual([B, C, E]);
      expect(await ids({ lastInformBefore: 2000 })).toEqual([A]);
      expect(await ids({ lastInformAfter: 1000, lastInformBefore: 3000 })).toEqual([A, C, E]);
      expect(await ids({ lastInformAfter: 0 })).toEqual([A, B, C, E]);
    });

    it("filters by tag and follows tag changes", async () => {
      await seed();
      expect(await ids({ tag: "returned" })).toEqual([C, D]);
      expect(await ids({ tag: "quarantined" })).toEqual([A, C]);
      expect(await ids({ tag: "return" })).toEqual([]);
      await ctx.store.updateDevice(A, { tags: [] });
      await ctx.store.updateDevice(B, { tags: ["returned"] });
      expect(await ids({ tag: "quarantined" })).toEqual([C]);
      expect(await ids({ tag: "returned" })).toEqual([B, C, D]);
    });

    it("combines filters with AND", async () => {
      await seed();
      expect(await ids({ productClass: "F670L", tag: "quarantined" })).toEqual([C]);
      expect(await ids({ softwareVersion: "V1", lastInformAfter: 1500 })).toEqual([C]);
      expect(await ids({ search: "oui", tag: "returned", lastInformAfter: 0 })).toEqual([C]);
    });

    it("sorts by each field both ways, ties broken by id in the same direction", async () => {
      await seed();
      expect(await ids({ sort: "id", order: "desc" })).toEqual([E, D, C, B, A]);
      expect(await ids({ sort: "lastInformAt" })).toEqual([D, A, C, E, B]); // never informed first
      expect(await ids({ sort: "lastInformAt", order: "desc" })).toEqual([B, E, C, A, D]);
      expect(await ids({ sort: "productClass", order: "asc" })).toEqual([E, C, D, A, B]);
      expect(await ids({ sort: "productClass", order: "desc" })).toEqual([B, A, D, C, E]);
      expect(await ids({ sort: "softwareVersion" })).toEqual([A, C, B, D, E]);
      expect(await ids({ sort: "softwareVersion", order: "desc" })).toEqual([E, D, B, C, A]);
    });

    it("pages with offset and limit while total counts every match", async () => {
      await seed();
      const page = (q: DeviceQuery) => ctx.store.listDevices(q).then((r) => [r.total, r.items.map((d) => d.id)]);
      expect(await page({ limit: 2 })).toEqual([5, [A, B]]);
      expect(await page({ limit: 2, offset: 2 })).toEqual([5, [C, D]]);
      expect(await page({ limit: 2, offset: 4 })).toEqual([5, [E]]);
      expect(await page({ limit: 2, offset: 10 })).toEqual([5, []]);
      expect(await page({ offset: 3 })).toEqual([5, [D, E]]);
      expect(await page({ limit: 0 })).toEqual([5, []]);
      expect(await page({ sort: "lastInformAt", order: "desc", limit: 2, offset: 1 })).toEqual([5, [E, C]]);
      expect(await page({ tag: "returned", limit: 1, offset: 1 })).toEqual([2, [D]]);
    });

    it("rejects an unknown sort field or order and a negative offset or limit", async () => {
      await seed();
      await expect(ctx.store.listDevices({ sort: "serialNumber" as DeviceQuery["sort"] })).rejects.toThrow();
      await expect(ctx.store.listDevices({ order: "up" as DeviceQuery["order"] })).rejects.toThrow();
      await expect(ctx.store.listDevices({ offset: -1 })).rejects.toThrow();
      await expect(ctx.store.listDevices({ limit: -5 })).rejects.toThrow();
      expect(await ctx.store.countDevices({})).toBe(5);
    });
  });

  describe("credentials", () => {
    const none = { cpeUsername: null, cpeHa1: null, connectionRequestUsername: null, connectionRequestPassword: null };

    it("are null for an unknown device, and setting them there creates nothing", async () => {
      expect(await ctx.store.getCredentials("ghost")).toBeNull();
      await ctx.store.setCredentials("ghost", { cpeUsername: "u" });
      expect(await ctx.store.getCredentials("ghost")).toBeNull();
      expect(await ctx.store.getDevice("ghost")).toBeNull();
    });

    it("start empty and merge partial updates; null clears one field", async () => {
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      expect(await ctx.store.getCredentials("dev-1")).toEqual(none);
      await ctx.store.setCredentials("dev-1", { cpeUsername: "cpe", cpeHa1: "0123456789abcdef0123456789abcdef" });
      expect(await ctx.store.getCredentials("dev-1")).toEqual({ ...none, cpeUsername: "cpe", cpeHa1: "0123456789abcdef0123456789abcdef" });
      await ctx.store.setCredentials("dev-1", { connectionRequestUsername: "acs", connectionRequestPassword: "p@ss wörd" });
      await ctx.store.setCredentials("dev-1", { cpeHa1: null });
      expect(await ctx.store.getCredentials("dev-1")).toEqual({
        cpeUsername: "cpe",
        cpeHa1: null,
        connectionRequestUsername: "acs",
        connectionRequestPassword: "p@ss wörd",
      });
    });

    it("go with a deleted device: registered again, it has none", async () => {
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      await ctx.store.setCredentials("dev-1", { cpeUsername: "cpe", cpeHa1: "0123456789abcdef0123456789abcdef" });
      expect((await ctx.store.getCredentials("dev-1"))?.cpeUsername).toBe("cpe");
      await ctx.store.deleteDevice("dev-1");
      expect(await ctx.store.getCredentials("dev-1")).toBeNull();
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      expect(await ctx.store.getCredentials("dev-1")).toEqual(none);
    });

    it("never appear in device reads", async () => {
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      await ctx.store.setCredentials("dev-1", { cpeHa1: "ha1-secret-value", connectionRequestPassword: "cr-secret-value" });
      const reads = JSON.stringify([await ctx.store.getDevice("dev-1"), await ctx.store.listDevices({})]);
      expect(reads).toContain("dev-1");
      expect(reads).not.toContain("secret-value");
    });
  });
}
