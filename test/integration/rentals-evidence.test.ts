// A simulated router of a terminated line keeps sending Informs after its due
// date: a real ACS (startAcs: CWMP listener and SQLite store on 127.0.0.1,
// ephemeral ports), a real simulated device (startFleet) speaking CWMP to it,
// and the rentals contact follower on the ACS's event bus. The charge the
// flagging job then raises carries those contacts (time, source address) as
// evidence that the router is still in use.
// The rental repository is on its own SQLite file: the store does not expose
// it yet (`store.rentals`, wired by the lead).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { startAcs, type RunningAcs } from "../../acs/app.ts";
import { parseConfig } from "../../acs/config.ts";
import { addDays, parisDate } from "../../acs/lib/paris-calendar.ts";
import { followRouterContacts, type ContactFollower } from "../../acs/rentals/contact-evidence.ts";
import { applyContractEvent, parseContractEvent } from "../../acs/rentals/contract-events.ts";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { applyRouterAction } from "../../acs/rentals/router-actions.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";

let dir: string;
let acs: RunningAcs;
let fleet: Fleet | undefined;
let rentalsDb: Database.Database;
let repo: RentalRepository;
let follower: ContactFollower;
const errors: unknown[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flexacs-rentals-evidence-"));
  acs = await startAcs(parseConfig(["--data-dir", dir, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", "--log-level", "silent"], {}));
  rentalsDb = new Database(join(dir, "rentals.db"));
  rentalsDb.pragma("journal_mode = WAL");
  repo = createSqliteRentalRepository(rentalsDb);
  follower = followRouterContacts(acs.bus, { repo, onError: (err) => errors.push(err) });
});

afterAll(async () => {
  await fleet?.stop();
  follower?.stop();
  await follower?.idle();
  await acs?.close();
  rentalsDb?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a rented router still in use after its due date", () => {
  test("its Informs after the due date are the evidence of its charge", async () => {
    fleet = await startFleet({ acsUrl: acs.cwmpUrl, count: 1, model: "router-tr181", stateDir: join(dir, "fleet"), username: "flexacs", password: "flexacs-bootstrap" });
    const device = fleet.devices[0]!;
    const serial = device.serial;

    // Rented, shipped, activated; the termination request came 60 days ago:
    // effective 50 days ago, due back 20 days ago (30-day deadline).
    const today = parisDate(Date.now());
    const received = addDays(today, -60);
    const ctx = { now: Date.now(), actor: "crm", source: "api" as const, deadlineDays: 30 };
    await repo.addRouters([{ serial, mac: "02:00:00:00:00:01", model: "FlexBox 6" }], Date.now(), "warehouse");
    await applyRouterAction(repo, serial, { to: "shipped", tracking: "TRK-1" }, { now: Date.now(), actor: "desk", key: "ship" });
    await applyContractEvent(repo, parseContractEvent({ type: "activation", lineId: "L1", subscriberId: "S1", date: addDays(today, -400), serial }), ctx);
    await applyContractEvent(repo, parseContractEvent({ type: "termination_request", lineId: "L1", subscriberId: "S1", date: received }), ctx);
    const dueDate = addDays(today, -20);
    expect(await repo.getRouter(serial)).toMatchObject({ state: "due_back", dueDate });

    // The router keeps talking to the ACS: its first contact (BOOTSTRAP, BOOT), then periodic Informs.
    const [boot] = await fleet.bootAll();
    expect(boot).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) expect(await device.inform()).toMatchObject({ ok: true });
    await follower.idle();

    const flagged = await runFlagging(repo, { today, now: Date.now() });
    expect(flagged.flagged).toBe(1);
    const [charge] = await repo.listCharges({});
    expect(charge).toMatchObject({ serial, lineId: "L1", subscriberId: "S1", dueDate, reason: "contract_end", amountCents: 18000, status: "flagged" });
    expect(charge!.evidence.stillInUse).toBe(true);
    // Three sessions from 127.0.0.1, on the Paris day they happened (one day, unless the test straddles midnight).
    const contacts = charge!.evidence.contactsAfterDue;
    expect(contacts.reduce((n, c) => n + c.count, 0)).toBe(3);
    for (const c of contacts) {
      expect(c).toMatchObject({ remoteAddress: "127.0.0.1", day: parisDate(c.firstAt) });
      expect(c.day > dueDate).toBe(true);
    }
    expect(charge!.evidence.shipping).toMatchObject({ detail: { deliveryFeeCents: 1200, tracking: "TRK-1" } });

    // Still informing once charged: the contacts keep accumulating for the charge's file.
    expect(await device.inform()).toMatchObject({ ok: true });
    await follower.idle();
    expect((await repo.contactsOf([serial], dueDate)).reduce((n, c) => n + c.count, 0)).toBe(4);
    expect(errors).toEqual([]);
  });
});
