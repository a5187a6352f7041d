// Faults, audit trail, API tokens and leases. Decisions pinned here beyond
// store.ts: listFaults and listAudit are newest first (timestamp, then insertion
// order) with `since` inclusive; addToken rejects a name in use; listTokens is
// sorted by name.

import { describe, expect, it } from "vitest";
import type { ApiToken, AuditEvent, FaultRecord } from "../../acs/store/store.ts";
import { sleep, type ContractContext } from "./store-contract-helpers.ts";

const fault = (deviceId: string, timestamp: number, code = "cwmp.9002"): Omit<FaultRecord, "id"> => ({
  deviceId,
  channel: "task:abc",
  code,
  message: "Internal error",
  detail: { faultCode: 9002, faultString: "Internal error" },
  rpc: { name: "SetParameterValues", parameterValues: [["Device.X", "1", "xsd:int"]] },
  retries: 0,
  timestamp,
});

const token = (name: string, role: ApiToken["role"], hash: string): ApiToken => ({ name, role, hash, createdAt: 1_700_000_000_000 });

export function recordContract(ctx: ContractContext): void {
  describe("faults", () => {
    it("addFault returns the record with an id, and listFaults reads it back", async () => {
      const input = fault("dev-1", 1000);
      const record = await ctx.store.addFault(input);
      expect(record).toEqual({ ...input, id: expect.any(String) });
      expect(await ctx.store.listFaults({})).toEqual([record]);
    });

    it("listFaults filters by device and since (inclusive), newest first, with a limit", async () => {
      const f1 = await ctx.store.addFault(fault("dev-1", 1000));
      const f2 = await ctx.store.addFault(fault("dev-2", 2000));
      const f3 = await ctx.store.addFault(fault("dev-1", 3000, "session.timeout"));
      const f4 = await ctx.store.addFault(fault("dev-1", 3000));
      const ids = async (filter: Parameters<typeof ctx.store.listFaults>[0]) => (await ctx.store.listFaults(filter)).map((f) => f.id);
      expect(await ids({})).toEqual([f4.id, f3.id, f2.id, f1.id]);
      expect(await ids({ deviceId: "dev-1" })).toEqual([f4.id, f3.id, f1.id]);
      expect(await ids({ since: 2000 })).toEqual([f4.id, f3.id, f2.id]);
      expect(await ids({ deviceId: "dev-1", since: 1001 })).toEqual([f4.id, f3.id]);
      expect(await ids({ limit: 1 })).toEqual([f4.id]);
      expect(await ids({ deviceId: "dev-9" })).toEqual([]);
    });

    it("deleteFault removes one fault once", async () => {
      const gone = await ctx.store.addFault(fault("dev-1", 1000));
      const kept = await ctx.store.addFault(fault("dev-1", 2000));
      expect(await ctx.store.deleteFault(gone.id)).toBe(true);
      expect(await ctx.store.deleteFault(gone.id)).toBe(false);
      expect(await ctx.store.listFaults({})).toEqual([kept]);
    });
  });

  describe("audit", () => {
    const event = (timestamp: number, actor: string, action: string, deviceId: string | null): Omit<AuditEvent, "id"> => ({
      timestamp,
      actor,
      action,
      deviceId,
      detail: { reason: `${action} by ${actor}`, count: timestamp },
    });

    it("listAudit returns events newest first with their details", async () => {
      await ctx.store.addAudit(event(1000, "noc", "task.create", "dev-1"));
      await ctx.store.addAudit(event(2000, "acs", "auth.failure", null));
      const events = await ctx.store.listAudit({});
      expect(events).toEqual([
        { ...event(2000, "acs", "auth.failure", null), id: expect.any(String) },
        { ...event(1000, "noc", "task.create", "dev-1"), id: expect.any(String) },
      ]);
      expect(events[0]!.id).not.toBe(events[1]!.id);
    });

    it("listAudit filters by device, actor, action and since, alone or together", async () => {
      await ctx.store.addAudit(event(1000, "noc", "task.create", "dev-1"));
      await ctx.store.addAudit(event(2000, "support", "task.create", "dev-2"));
      await ctx.store.addAudit(event(3000, "noc", "device.delete", "dev-2"));
      await ctx.store.addAudit(event(4000, "acs", "auth.failure", null));
      await ctx.store.addAudit(event(4000, "noc", "task.create", "dev-2"));
      const times = async (filter: Parameters<typeof ctx.store.listAudit>[0]) =>
        (await ctx.store.listAudit(filter)).map((e) => `${e.timestamp}:${e.actor}`);
      expect(await times({ deviceId: "dev-2" })).toEqual(["4000:noc", "3000:noc", "2000:support"]);
      expect(await times({ actor: "noc" })).toEqual(["4000:noc", "3000:noc", "1000:noc"]);
      expect(await times({ action: "task.create" })).toEqual(["4000:noc", "2000:support", "1000:noc"]);
      expect(await times({ action: "task" })).toEqual([]);
      expect(await times({ since: 3000 })).toEqual(["4000:noc", "4000:acs", "3000:noc"]);
      expect(await times({ actor: "noc", action: "task.create", deviceId: "dev-2", since: 1000 })).toEqual(["4000:noc"]);
      expect(await times({ limit: 2 })).toEqual(["4000:noc", "4000:acs"]);
    });
  });

  describe("API tokens", () => {
    it("finds a token by its hash only", async () => {
      const admin = token("ops-admin", "admin", "a".repeat(64));
      await ctx.store.addToken(admin);
      expect(await ctx.store.findTokenByHash("a".repeat(64))).toEqual(admin);
      expect(await ctx.store.findTokenByHash("b".repeat(64))).toBeNull();
      expect(await ctx.store.findTokenByHash("ops-admin")).toBeNull();
    });

    it("lists tokens by name and deletes them once", async () => {
      await ctx.store.addToken(token("zeta", "noc", "1".repeat(64)));
      await ctx.store.addToken(token("alpha", "support", "2".repeat(64)));
      await ctx.store.addToken(token("mid", "admin", "3".repeat(64)));
      expect((await ctx.store.listTokens()).map((t) => `${t.name}:${t.role}`)).toEqual(["alpha:support", "mid:admin", "zeta:noc"]);
      expect(await ctx.store.deleteToken("mid")).toBe(true);
      expect(await ctx.store.deleteToken("mid")).toBe(false);
      expect(await ctx.store.findTokenByHash("3".repeat(64))).toBeNull();
      expect((await ctx.store.listTokens()).map((t) => t.name)).toEqual(["alpha", "zeta"]);
    });

    it("rejects a second token with a name in use and keeps the first", async () => {
      const first = token("ops", "noc", "1".repeat(64));
      await ctx.store.addToken(first);
      await expect(ctx.store.addToken(token("ops", "admin", "2".repeat(64)))).rejects.toThrow();
      expect(await ctx.store.listTokens()).toEqual([first]);
      expect(await ctx.store.findTokenByHash("2".repeat(64))).toBeNull();
    });
  });

  describe("leases", () => {
    it("is held by one owner at a time, renewable by that owner", async () => {
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 60_000)).toBe(true);
      expect(await ctx.store.acquireLease("scheduler", "acs-2", 60_000)).toBe(false);
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 60_000)).toBe(true);
      expect(await ctx.store.acquireLease("other", "acs-2", 60_000)).toBe(true);
    });

    it("goes to exactly one of many owners racing for it", async () => {
      const owners = Array.from({ length: 20 }, (_, i) => `acs-${i}`);
      const won = await Promise.all(owners.map((owner) => ctx.store.acquireLease("race", owner, 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it("can be released only by its owner", async () => {
      await ctx.store.acquireLease("scheduler", "acs-1", 60_000);
      await ctx.store.releaseLease("scheduler", "acs-2");
      expect(await ctx.store.acquireLease("scheduler", "acs-2", 60_000)).toBe(false);
      await ctx.store.releaseLease("scheduler", "acs-1");
      expect(await ctx.store.acquireLease("scheduler", "acs-2", 60_000)).toBe(true);
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 60_000)).toBe(false);
    });

    it("can be taken by another owner once expired", async () => {
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 20)).toBe(true);
      await sleep(80);
      expect(await ctx.store.acquireLease("scheduler", "acs-2", 60_000)).toBe(true);
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 60_000)).toBe(false);
    });

    it("is extended by a renewal", async () => {
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 20)).toBe(true);
      expect(await ctx.store.acquireLease("scheduler", "acs-1", 60_000)).toBe(true);
      await sleep(80);
      expect(await ctx.store.acquireLease("scheduler", "acs-2", 60_000)).toBe(false);
    });
  });
}
