// The daily flagging job: once per Paris day across ACS instances sharing a
// store (lease "job:rentals-flagging"), recorded runs, an on-demand trigger.
// Real SQLite store (leases) and repository; the clock is passed in.

import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FLAGGING_LEASE, runFlaggingNow, startDailyFlagging } from "../../acs/rentals/daily-job.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";
import { seedRentalFleet } from "../helpers/rental-fleet.ts";
import { openTestRepo, type TestRepo } from "../helpers/rental-repo.ts";

let t: TestRepo;
let store: Store;
const errors: unknown[] = [];
beforeEach(async () => {
  t = openTestRepo();
  store = await openSqliteStore(join(t.dir, "acs.db"));
  await seedRentalFleet(t.repo, { count: 20, overdueEvery: 4, dueDate: "2026-04-11", at: Date.parse("2026-01-05T09:00:00Z") });
});
afterEach(async () => {
  await store.close();
  t.close();
  expect(errors).toEqual([]);
});

const instance = (instanceId: string, clock: () => number) =>
  startDailyFlagging({ store, repo: t.repo, instanceId, clock, checkEveryMs: 3_600_000, onError: (err) => errors.push(err) });

describe("daily flagging job", () => {
  it("runs once per Paris day whichever instance checks first, and again the next day", async () => {
    let now = Date.parse("2026-04-11T22:05:00Z"); // 00:05 on 12 April in Paris
    const a = instance("acs-a", () => now);
    await a.stop(); // the first check ran at start
    const b = instance("acs-b", () => now);
    await b.stop();
    const runs = await t.repo.listFlaggingRuns({});
    expect(runs).toMatchObject([{ day: "2026-04-12", instance: "acs-a", result: { flagged: 5 } }]);
    expect(runs[0]!.finishedAt).toBe(now);
    expect(await t.repo.listCharges({})).toHaveLength(5);

    now = Date.parse("2026-04-12T22:05:00Z");
    const b2 = instance("acs-b", () => now);
    await b2.stop();
    expect((await t.repo.listFlaggingRuns({})).map((r) => [r.day, r.instance, r.result?.flagged])).toEqual([["2026-04-13", "acs-b", 0], ["2026-04-12", "acs-a", 5]]);
    expect(await t.repo.listCharges({})).toHaveLength(5);
  });

  it("does not run while another instance holds the lease; runs on demand otherwise", async () => {
    const deps = { store, repo: t.repo, instanceId: "acs-a", clock: () => Date.parse("2026-04-12T08:00:00Z") };
    expect(await store.acquireLease(FLAGGING_LEASE, "acs-b", 60_000)).toBe(true);
    expect(await runFlaggingNow(deps)).toEqual({ ran: false, reason: "a flagging run is in progress on another ACS instance" });
    await store.releaseLease(FLAGGING_LEASE, "acs-b");
    const outcome = await runFlaggingNow(deps);
    expect(outcome).toMatchObject({ ran: true, run: { day: "2026-04-12", instance: "acs-a", result: { scanned: 5, flagged: 5 } } });
    // The lease is released after the run.
    expect(await store.acquireLease(FLAGGING_LEASE, "acs-b", 60_000)).toBe(true);
  });
});
