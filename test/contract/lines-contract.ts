// The line repository contract (acs/lines/line-repository.ts): one suite
// that the SQLite and the MongoDB implementations must both pass
// (lines-sqlite.test.ts, lines-mongodb.test.ts). It checks what a caller of
// the interface can observe, including the all-or-nothing decisions.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Line } from "../../acs/lines/line.ts";
import { LineConflictError, LineVersionError, type LineRepository } from "../../acs/lines/line-repository.ts";
import { newProvisioningState, type ProvisioningState } from "../../acs/provisioning/provisioning-state.ts";

export interface OpenedLineRepository {
  repo: LineRepository;
  close(): Promise<void>;
}

export function line(id: string, over: Partial<Line> = {}): Line {
  return {
    id,
    subscriber: { id: `S-${id}`, name: `Subscriber ${id}` },
    address: `${id} rue de la Paix`,
    commune: "Lyon",
    rates: { download: { min: 30, max: 1000 }, upload: { min: 10, max: 1000 } },
    wifi: { "2.4GHz": { ssid: `net-${id}`, passphrase: "correct horse battery" } },
    wan: { mode: "ipoe" },
    router: { serial: `R-${id}` },
    ontSerial: `O-${id}`,
    version: 1,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

function state(deviceId: string, over: Partial<ProvisioningState> = {}): ProvisioningState {
  return { ...newProvisioningState(deviceId, `SER-${deviceId}`, "HW-AX3000", 1_700_000_000_000), ...over };
}

const ids = (r: { items: { id: string }[] }): string[] => r.items.map((l) => l.id);

export function describeLineContract(label: string, open: () => Promise<OpenedLineRepository>): void {
  describe(label, () => {
    let opened: OpenedLineRepository;
    let repo: LineRepository;
    beforeEach(async () => {
      opened = await open();
      repo = opened.repo;
    });
    afterEach(async () => {
      await opened.close();
    });

    describe("lines", () => {
      it("stores lines and reads them back whole, Wi-Fi band keys with their dot included", async () => {
        const a = line("L1", { wifi: { "2.4GHz": { ssid: "a", channel: 6 }, "5GHz": { ssid: "b", channel: "auto" } }, wan: { mode: "pppoe", vlan: 835, pppoe: { username: "u", password: "p" } } });
        await repo.addLines([a, line("L2", { router: { customerOwned: true }, ontSerial: null })]);
        expect(await repo.getLine("L1")).toEqual(a);
        expect((await repo.getLine("L2"))?.router).toEqual({ customerOwned: true });
        expect(await repo.getLine("nope")).toBeNull();
      });

      it("lists by id with filters, total and paging", async () => {
        await repo.addLines([
          line("L3", { commune: "Paris", subscriber: { id: "S-A", name: "Alice Martin" } }),
          line("L1", { commune: "Lyon", subscriber: { id: "S-A", name: "Alice Martin" } }),
          line("L2", { commune: "Paris", subscriber: { id: "S-B", name: "Bob 100%_Durand" }, address: "3 Place Bellecour" }),
        ]);
        expect(ids(await repo.listLines({}))).toEqual(["L1", "L2", "L3"]);
        expect(await repo.listLines({ commune: "Paris" })).toMatchObject({ total: 2, items: [{ id: "L2" }, { id: "L3" }] });
        expect(ids(await repo.listLines({ subscriberId: "S-A" }))).toEqual(["L1", "L3"]);
        expect(ids(await repo.listLines({ serial: "O-L2" }))).toEqual(["L2"]);
        expect(ids(await repo.listLines({ serial: "R-L3" }))).toEqual(["L3"]);
        expect(ids(await repo.listLines({ serial: "unknown" }))).toEqual([]);
        expect(ids(await repo.listLines({ search: "BELLECOUR" }))).toEqual(["L2"]);
        expect(ids(await repo.listLines({ search: "alice" }))).toEqual(["L1", "L3"]);
        expect(ids(await repo.listLines({ search: "100%_" }))).toEqual(["L2"]); // LIKE / regex characters are literal
        expect(ids(await repo.listLines({ search: "0%_d" }))).toEqual(["L2"]);
        expect(await repo.listLines({ limit: 1, offset: 1 })).toMatchObject({ total: 3, items: [{ id: "L2" }] });
        expect(await repo.listLines({ limit: 0 })).toEqual({ total: 3, items: [] });
      });

      it("addLines stores nothing when one id is taken", async () => {
        await repo.addLines([line("L1")]);
        const err = await repo.addLines([line("L2"), line("L1", { router: { serial: "R-other" }, ontSerial: null })]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LineConflictError);
        expect(err).toMatchObject({ field: "id", value: "L1" });
        expect(await repo.getLine("L2")).toBeNull();
        expect((await repo.serialOwners(["R-L2", "O-L2"])).size).toBe(0);
      });

      it("addLines stores nothing when a serial is on another line, as router or as ONT", async () => {
        await repo.addLines([line("L1")]);
        const asRouter = await repo.addLines([line("L2"), line("L3", { router: { serial: "O-L1" } })]).catch((e: unknown) => e);
        expect(asRouter).toMatchObject({ name: "LineConflictError", field: "router.serial", value: "O-L1", ownerLineId: "L1" });
        const asOnt = await repo.addLines([line("L4", { ontSerial: "R-L1" })]).catch((e: unknown) => e);
        expect(asOnt).toMatchObject({ field: "ontSerial", value: "R-L1", ownerLineId: "L1" });
        expect(ids(await repo.listLines({}))).toEqual(["L1"]);
        // The serials of the refused batch were not kept: a new line can take them.
        await repo.addLines([line("L2")]);
        expect(await repo.lineBySerial("R-L2")).toMatchObject({ line: { id: "L2" }, role: "router" });
      });

      it("addLines refuses two lines of one batch sharing a serial", async () => {
        const err = await repo.addLines([line("L1"), line("L2", { router: { serial: "R-L1" } })]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LineConflictError);
        expect(ids(await repo.listLines({}))).toEqual([]);
        expect((await repo.serialOwners(["R-L1", "O-L1", "O-L2"])).size).toBe(0);
      });

      it("finds a line by router or ONT serial; a customer-owned line has no router serial", async () => {
        await repo.addLines([line("L1"), line("L2", { router: { customerOwned: true } })]);
        expect(await repo.lineBySerial("R-L1")).toMatchObject({ line: { id: "L1" }, role: "router" });
        expect(await repo.lineBySerial("O-L1")).toMatchObject({ line: { id: "L1" }, role: "ont" });
        expect(await repo.lineBySerial("O-L2")).toMatchObject({ line: { id: "L2" }, role: "ont" });
        expect(await repo.lineBySerial("R-L2")).toBeNull();
        const owners = await repo.serialOwners(["R-L1", "O-L2", "nope"]);
        expect(Object.fromEntries(owners)).toEqual({ "R-L1": { lineId: "L1", role: "router" }, "O-L2": { lineId: "L2", role: "ont" } });
        expect(await repo.existingLineIds(["L2", "L9", "L1"])).toEqual(["L1", "L2"]);
      });

      it("replaceLine writes over the version read, bumps it, and moves serials", async () => {
        await repo.addLines([line("L1"), line("L2")]);
        const next = { ...line("L1"), wifi: { "2.4GHz": { ssid: "renamed" } }, router: { serial: "R-new" }, updatedAt: 1_800_000_000_000 };
        const stored = await repo.replaceLine(next, 1);
        expect(stored).toEqual({ ...next, version: 2 });
        expect(await repo.getLine("L1")).toEqual({ ...next, version: 2 });
        expect(await repo.lineBySerial("R-new")).toMatchObject({ line: { id: "L1", version: 2 }, role: "router" });
        expect(await repo.lineBySerial("R-L1")).toBeNull();
        // The released serial is free for another line.
        await repo.addLines([line("L3", { router: { serial: "R-L1" }, ontSerial: null })]);
        expect(await repo.lineBySerial("R-L1")).toMatchObject({ line: { id: "L3" } });
      });

      it("replaceLine refuses a stale version and changes nothing", async () => {
        await repo.addLines([line("L1")]);
        await repo.replaceLine({ ...line("L1"), commune: "Nice" }, 1);
        const err = await repo.replaceLine({ ...line("L1"), commune: "Metz", router: { serial: "R-x" } }, 1).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LineVersionError);
        expect(err).toMatchObject({ lineId: "L1", expected: 1, actual: 2 });
        expect(await repo.getLine("L1")).toMatchObject({ commune: "Nice", version: 2, router: { serial: "R-L1" } });
        expect(await repo.lineBySerial("R-x")).toBeNull();
      });

      it("replaceLine refuses a serial of another line and changes nothing", async () => {
        await repo.addLines([line("L1"), line("L2")]);
        const err = await repo.replaceLine({ ...line("L1"), ontSerial: "R-L2", commune: "Nice" }, 1).catch((e: unknown) => e);
        expect(err).toMatchObject({ name: "LineConflictError", field: "ontSerial", value: "R-L2", ownerLineId: "L2" });
        expect(await repo.getLine("L1")).toMatchObject({ commune: "Lyon", version: 1, ontSerial: "O-L1" });
        expect(await repo.lineBySerial("O-L1")).toMatchObject({ line: { id: "L1" }, role: "ont" });
      });

      it("replaceLine lets a line swap its own serials between router and ONT", async () => {
        await repo.addLines([line("L1")]);
        await repo.replaceLine({ ...line("L1"), router: { serial: "O-L1" }, ontSerial: "R-L1" }, 1);
        expect(await repo.lineBySerial("O-L1")).toMatchObject({ role: "router" });
        expect(await repo.lineBySerial("R-L1")).toMatchObject({ role: "ont" });
      });

      it("lineBySerial sees each change made after an earlier read of the same serials", async () => {
        await repo.addLines([line("L1")]);
        expect(await repo.lineBySerial("R-L1")).toMatchObject({ line: { id: "L1", version: 1 }, role: "router" });
        expect(await repo.lineBySerial("R-x")).toBeNull();
        await repo.replaceLine({ ...line("L1"), wifi: { "2.4GHz": { ssid: "renamed" } }, router: { serial: "R-x" } }, 1);
        expect(await repo.lineBySerial("R-x")).toMatchObject({ line: { id: "L1", version: 2, wifi: { "2.4GHz": { ssid: "renamed" } } }, role: "router" });
        expect(await repo.lineBySerial("R-L1")).toBeNull();
        await repo.addLines([line("L2", { router: { serial: "R-L1" } })]);
        expect(await repo.lineBySerial("R-L1")).toMatchObject({ line: { id: "L2" }, role: "router" });
        // A refused change changes nothing that was read before it.
        await expect(repo.replaceLine({ ...line("L2"), router: { serial: "R-x" } }, 1)).rejects.toMatchObject({ name: "LineConflictError" });
        expect(await repo.lineBySerial("R-L1")).toMatchObject({ line: { id: "L2", version: 1 } });
      });

      it("replaceLine of an absent line is null", async () => {
        expect(await repo.replaceLine(line("L9"), 1)).toBeNull();
        expect(await repo.getLine("L9")).toBeNull();
      });
    });

    describe("provisioning state", () => {
      it("puts and reads a state whole; put replaces", async () => {
        const s = state("D1", {
          standing: "line", lineId: "L1", role: "router", status: "provisioned", applied: { "wifi.2.4GHz.ssid": "abc123" },
          drift: [{ key: "wifi.2.4GHz.ssid", expected: "a", actual: "b", policy: "report", detectedAt: 5, corrected: false }],
          credentials: { generation: 1, cpeUsername: "u", cpePassword: null, connectionRequestUsername: "c", connectionRequestPassword: "p", confirmed: true },
        });
        await repo.putState(s);
        expect(await repo.getState("D1")).toEqual(s);
        await repo.putState({ ...s, status: "fault" });
        expect(await repo.getState("D1")).toEqual({ ...s, status: "fault" });
        expect(await repo.getState("D2")).toBeNull();
      });

      it("getState sees each put made after an earlier read, of a new device too", async () => {
        expect(await repo.getState("D1")).toBeNull();
        const s = state("D1", { status: "pending" });
        await repo.putState(s);
        expect(await repo.getState("D1")).toEqual(s);
        expect(await repo.getState("D1")).toEqual(s);
        // The writer changing the object it put afterwards changes nothing stored.
        const next = { ...s, status: "provisioned" as const, applied: { "wifi.2.4GHz.ssid": "h1" } };
        await repo.putState(next);
        next.applied["wifi.2.4GHz.ssid"] = "h2";
        expect(await repo.getState("D1")).toMatchObject({ status: "provisioned", applied: { "wifi.2.4GHz.ssid": "h1" } });
      });

      it("lists states by device id with filters, total and paging, and counts them", async () => {
        await repo.putState(state("D3", { standing: "unknown", status: "provisioned" }));
        await repo.putState(state("D1", { standing: "line", lineId: "L1", status: "provisioned" }));
        await repo.putState(state("D2", { standing: "returned", status: "pending", serial: "SER-X" }));
        await repo.putState(state("D4", { standing: "line", lineId: "L1", status: "fault" }));
        const devs = (r: { items: ProvisioningState[] }) => r.items.map((s) => s.deviceId);
        expect(devs(await repo.listStates({}))).toEqual(["D1", "D2", "D3", "D4"]);
        expect(devs(await repo.listStates({ standing: "line" }))).toEqual(["D1", "D4"]);
        expect(devs(await repo.listStates({ standing: ["unknown", "returned"] }))).toEqual(["D2", "D3"]);
        expect(devs(await repo.listStates({ status: "provisioned" }))).toEqual(["D1", "D3"]);
        expect(devs(await repo.listStates({ lineId: "L1", status: "fault" }))).toEqual(["D4"]);
        expect(devs(await repo.listStates({ serial: "SER-X" }))).toEqual(["D2"]);
        expect(await repo.listStates({ limit: 2, offset: 1 })).toMatchObject({ total: 4, items: [{ deviceId: "D2" }, { deviceId: "D3" }] });
        expect(await repo.countStates()).toEqual({
          status: { provisioned: 2, pending: 1, fault: 1 },
          standing: { line: 2, unknown: 1, returned: 1 },
        });
      });
    });
  });
}
