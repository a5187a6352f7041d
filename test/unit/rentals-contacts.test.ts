// Signals from the ACS: "device.informed" on a real event bus, devices in a
// real SQLite store, the rental repository on SQLite. A router owed back that
// informs is recorded with where it connected from (evidence for its charge);
// one that comes online on another subscriber's line is flagged for review.

import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventBus } from "../../acs/events.ts";
import { followRouterContacts, recordRouterContact, type ContactFollower } from "../../acs/rentals/contact-evidence.ts";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import type { RentalRepository, RouterChange } from "../../acs/rentals/rental-repository.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";
import { openTestRepo, type TestRepo } from "../helpers/rental-repo.ts";

let t: TestRepo;
let repo: RentalRepository;
let store: Store;
let bus: EventBus;
let follower: ContactFollower;
let clock = 0;
const errors: unknown[] = [];

beforeEach(async () => {
  t = openTestRepo();
  repo = t.repo;
  store = await openSqliteStore(join(t.dir, "acs.db"));
  bus = new EventBus();
  follower = followRouterContacts(bus, { repo, clock: () => clock, onError: (err) => errors.push(err) });
});
afterEach(async () => {
  follower.stop();
  await store.close();
  t.close();
  expect(errors).toEqual([]);
});

async function device(serial: string): Promise<string> {
  const id = `00AA11-FlexBox-${serial}`;
  await store.upsertDevice({ id, manufacturer: "Acme", oui: "00AA11", productClass: "FlexBox", serialNumber: serial }, { dataModel: "tr181" });
  return id;
}

/** A rented router in `state` on `lineId` (owed back with due date 2026-04-11 when due_back). */
async function rented(serial: string, lineId: string, state: "active" | "due_back", n: number): Promise<void> {
  await repo.addRouters([{ serial, mac: `02:00:00:00:00:0${n}`, model: "FlexBox 6" }], 0, "warehouse");
  const steps: RouterChange["steps"] = [{ from: "in_stock", to: "shipped", reason: null, detail: {} }, { from: "shipped", to: "active", reason: null, detail: {} }];
  if (state === "due_back") steps.push({ from: "active", to: "due_back", reason: "contract_end", detail: {} });
  await repo.applyChanges([{
    serial, expectedVersion: 1, key: "setup", at: 0, actor: "test", steps,
    patch: { lineId, subscriberId: `S-${lineId}`, ...(state === "due_back" ? { dueDate: "2026-04-11", dueReason: "contract_end" as const } : {}) },
  }]);
}

async function inform(deviceId: string, remoteAddress: string, iso: string): Promise<void> {
  clock = Date.parse(iso);
  const { serialNumber } = (await store.getDevice(deviceId))!;
  bus.emit("device.informed", { deviceId, serialNumber, events: ["2 PERIODIC"], remoteAddress, bootstrap: false });
  await follower.idle();
}

describe("ACS contacts of rented routers", () => {
  it("records where a router owed back connected from, per Paris day; its charge carries the contacts after the due date", async () => {
    await rented("SN1", "L1", "due_back", 1);
    const id = await device("SN1");
    await inform(id, "192.0.2.10", "2026-04-11T12:00:00Z"); // on the due date: allowed, recorded but not after it
    await inform(id, "192.0.2.10", "2026-04-11T22:30:00Z"); // 00:30 on 12 April in Paris: after the due date
    await inform(id, "192.0.2.10", "2026-04-12T08:00:00Z");
    await inform(id, "198.51.100.4", "2026-04-12T09:00:00Z");
    expect((await repo.contactsOf(["SN1"], null)).map((c) => [c.day, c.remoteAddress, c.count])).toEqual([
      ["2026-04-11", "192.0.2.10", 1], ["2026-04-12", "192.0.2.10", 2], ["2026-04-12", "198.51.100.4", 1],
    ]);
    await runFlagging(repo, { today: "2026-04-13", now: Date.parse("2026-04-13T01:00:00Z") });
    const [charge] = await repo.listCharges({});
    expect(charge!.evidence.stillInUse).toBe(true);
    expect(charge!.evidence.contactsAfterDue).toEqual([
      { day: "2026-04-12", remoteAddress: "192.0.2.10", firstAt: Date.parse("2026-04-11T22:30:00Z"), lastAt: Date.parse("2026-04-12T08:00:00Z"), count: 2 },
      { day: "2026-04-12", remoteAddress: "198.51.100.4", firstAt: Date.parse("2026-04-12T09:00:00Z"), lastAt: Date.parse("2026-04-12T09:00:00Z"), count: 1 },
    ]);
    // Still recorded once charged.
    await inform(id, "192.0.2.10", "2026-04-14T08:00:00Z");
    expect((await repo.contactsOf(["SN1"], "2026-04-13")).map((c) => c.day)).toEqual(["2026-04-14"]);
  });

  it("keeps nothing for active routers, nor for devices outside the rented inventory (customer-owned routers, ONTs)", async () => {
    await rented("SN1", "L1", "active", 1);
    await inform(await device("SN1"), "192.0.2.10", "2026-04-12T08:00:00Z");
    await inform(await device("OWN-1"), "192.0.2.11", "2026-04-12T08:00:00Z"); // not in the rented inventory
    expect(await repo.contactsOf(["SN1", "OWN-1"], null)).toEqual([]);
    expect(await repo.listReviewFlags({})).toEqual([]);
    // What it learnt: the address of the active router's line.
    expect(await repo.lineAtAddress("192.0.2.10")).toMatchObject({ lineId: "L1", subscriberId: "S-L1", serial: "SN1" });
  });

  it("flags for review, once, a router owed back that comes online on another subscriber's line", async () => {
    await rented("SN1", "L1", "due_back", 1);
    await rented("SN2", "L2", "active", 2);
    await inform(await device("SN2"), "203.0.113.20", "2026-04-12T08:00:00Z"); // L2's address
    const sn1 = await device("SN1");
    await inform(sn1, "203.0.113.20", "2026-04-12T09:00:00Z");
    await inform(sn1, "203.0.113.20", "2026-04-12T10:00:00Z");
    expect(await repo.listReviewFlags({})).toMatchObject([{
      serial: "SN1", deviceId: sn1, kind: "online_on_other_line", routerState: "due_back", routerLineId: "L1", routerSubscriberId: "S-L1",
      observedLineId: "L2", observedSubscriberId: "S-L2", remoteAddress: "203.0.113.20", at: Date.parse("2026-04-12T09:00:00Z"),
    }]);
    // Online at its own subscriber's: evidence, no review.
    await rented("SN3", "L3", "active", 3);
    await inform(await device("SN3"), "203.0.113.30", "2026-04-12T08:00:00Z");
    await rented("SN4", "L3", "due_back", 4);
    await inform(await device("SN4"), "203.0.113.30", "2026-04-12T11:00:00Z");
    expect((await repo.listReviewFlags({})).map((f) => f.serial)).toEqual(["SN1"]);
    expect((await repo.contactsOf(["SN4"], null)).length).toBe(1);
  });

  it("takes the line from a resolver when one is given (e.g. the lines capability's line for the serial)", async () => {
    await rented("SN1", "L1", "due_back", 1);
    const id = await device("SN1");
    const seen: unknown[] = [];
    const resolveLine = async (c: { serial: string; deviceId: string; remoteAddress: string }) => {
      seen.push(c);
      return c.serial === "SN1" ? { lineId: "L9", subscriberId: "S9" } : null;
    };
    const at = Date.parse("2026-04-12T08:00:00Z");
    expect(await recordRouterContact({ repo, resolveLine }, { deviceId: id, serialNumber: "SN1", remoteAddress: "192.0.2.99", at })).toEqual({ serial: "SN1", evidence: true, review: true });
    expect(seen).toEqual([{ serial: "SN1", deviceId: id, remoteAddress: "192.0.2.99" }]);
    expect(await repo.listReviewFlags({})).toMatchObject([{ serial: "SN1", observedLineId: "L9", observedSubscriberId: "S9", routerLineId: "L1" }]);
  });
});
