// The in-process caches of the SQLite store's rented routers (getRouter) and
// "no active speed test" (activeSpeedTests), read in every Inform session:
// after a cached read, a write through another store call must be what the
// next read returns. And the contact an Inform of a router owed back records
// commits with the session's group transaction, not by itself.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SpeedTestRecord } from "../../acs/linkrate/measurement.ts";
import type { RentalRouter, RouterChange } from "../../acs/rentals/rental-repository.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";

const T0 = Date.parse("2026-03-02T09:00:00Z");
const MAC = "02:00:00:00:00:01";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "flexacs-rentals-linkrate-caches-"));
  store = await openSqliteStore(join(dir, "acs.db"), { serve: true });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const move = (r: RentalRouter, to: RentalRouter["state"], key: string, patch: RouterChange["patch"] = {}): RouterChange => ({
  serial: r.serial, expectedVersion: r.version, key, at: T0 + r.version, actor: "test", steps: [{ from: r.state, to, reason: null, detail: {} }], patch,
});

describe("rented router read by serial", () => {
  it("finds a router added after a read found none", async () => {
    expect(await store.rentals.getRouter("SN1")).toBeNull();
    await store.rentals.addRouters([{ serial: "SN1", mac: MAC, model: "FlexBox 6" }], T0, "warehouse");
    expect(await store.rentals.getRouter("SN1")).toMatchObject({ serial: "SN1", state: "in_stock", version: 1 });
  });

  it("returns the state and line a change wrote after it was read", async () => {
    await store.rentals.addRouters([{ serial: "SN1", mac: MAC, model: "FlexBox 6" }], T0, "warehouse");
    const stocked = (await store.rentals.getRouter("SN1"))!;
    const [shipped] = await store.rentals.applyChanges([move(stocked, "shipped", "ship")]);
    expect(await store.rentals.getRouter("SN1")).toMatchObject({ state: "shipped", version: 2 });
    await store.rentals.applyChanges([move(shipped!.router, "active", "activate", { lineId: "L1", subscriberId: "S1" })]);
    expect(await store.rentals.getRouter("SN1")).toMatchObject({ state: "active", version: 3, lineId: "L1", subscriberId: "S1" });
  });

  it("keeps the stored router when a batch of changes rolls back", async () => {
    await store.rentals.addRouters([{ serial: "SN1", mac: MAC, model: "FlexBox 6" }], T0, "warehouse");
    const r = (await store.rentals.getRouter("SN1"))!;
    // The second change is illegal: the whole batch, the first one included, is undone.
    await expect(store.rentals.applyChanges([move(r, "shipped", "a"), move({ ...r, version: 2, state: "shipped" }, "paid", "b")])).rejects.toThrow();
    expect(await store.rentals.getRouter("SN1")).toMatchObject({ state: "in_stock", version: 1 });
  });

  it("finds a router restored after a read found none", async () => {
    expect(await store.rentals.getRouter("SN9")).toBeNull();
    const router: RentalRouter = {
      serial: "SN9", mac: MAC, model: "FlexBox 6", state: "active", version: 3, lineId: "L9", subscriberId: "S9",
      dueDate: null, dueReason: null, chargeId: null, createdAt: T0, updatedAt: T0 + 2,
    };
    await store.rentals.restore({ kind: "rented routers", items: [router] });
    expect(await store.rentals.getRouter("SN9")).toEqual(router);
  });

  it("hands out a router its readers cannot change under the next reader", async () => {
    await store.rentals.addRouters([{ serial: "SN1", mac: MAC, model: "FlexBox 6" }], T0, "warehouse");
    const read = (await store.rentals.getRouter("SN1"))!;
    expect(() => ((read as { state: string }).state = "paid")).toThrow(TypeError);
    expect((await store.rentals.getRouter("SN1"))!.state).toBe("in_stock");
  });
});

describe("contact of a router owed back", () => {
  it("commits with the session's group transaction, not by itself", async () => {
    const other = new Database(join(dir, "acs.db"), { readonly: true });
    try {
      const contacts = () => (other.prepare("SELECT count(*) AS n FROM rental_contacts").get() as { n: number }).n;
      const written = store.rentals.recordContact({ serial: "SN1", deviceId: "D1", day: "2026-03-02", remoteAddress: "192.0.2.1", at: T0 });
      expect(contacts()).toBe(0); // queued for the group transaction of this event-loop turn
      await written;
      expect(contacts()).toBe(1);
      expect(await store.rentals.contactsOf(["SN1"], null)).toMatchObject([{ serial: "SN1", count: 1, firstAt: T0, lastAt: T0 }]);
    } finally {
      other.close();
    }
  });
});

describe("active speed tests of a device", () => {
  const base = { lineId: "L1", deviceId: "D1", origin: "schedule" as const, slot: "2026-03-02/peak", requestedBy: "scheduler" };

  it("finds a test queued after a read found none", async () => {
    expect(await store.linkrate.activeSpeedTests("D1")).toEqual([]);
    const [queued] = await store.linkrate.addSpeedTests([{ ...base, direction: "download" }], T0);
    expect(await store.linkrate.activeSpeedTests("D1")).toEqual([queued]);
  });

  it("follows a test's status through updates, back to active included", async () => {
    const [t] = await store.linkrate.addSpeedTests([{ ...base, direction: "download" }], T0);
    await store.linkrate.updateSpeedTest(t!.id, { status: "failed", doneAtMs: T0 + 1, error: "timeout" });
    expect(await store.linkrate.activeSpeedTests("D1")).toEqual([]);
    await store.linkrate.updateSpeedTest(t!.id, { status: "queued" });
    expect((await store.linkrate.activeSpeedTests("D1")).map((x) => [x.id, x.status])).toEqual([[t!.id, "queued"]]);
  });

  it("finds a test restored after a read found none", async () => {
    expect(await store.linkrate.activeSpeedTests("D2")).toEqual([]);
    const test: SpeedTestRecord = {
      id: "st-1", lineId: "L2", deviceId: "D2", direction: "upload", origin: "support", slot: null, requestedBy: "alice",
      status: "requested", createdAtMs: T0, requestedAtMs: T0 + 1, doneAtMs: null, bps: null, error: null,
    };
    await store.linkrate.restore({ kind: "speed tests", items: [test] });
    expect(await store.linkrate.activeSpeedTests("D2")).toEqual([test]);
  });

  it("keeps other devices' answers", async () => {
    await store.linkrate.addSpeedTests([{ ...base, deviceId: "D3", direction: "download" }], T0);
    expect(await store.linkrate.activeSpeedTests("D1")).toEqual([]);
    expect(await store.linkrate.activeSpeedTests("D3")).toHaveLength(1);
  });
});
