// `npm start -- --demo-fleet 30` as a user starts it: a real ACS (startAcs,
// SQLite in a temp dir, CWMP and API on loopback ports) with its simulated
// fleet. Through the endpoints the pages read, every page has live data:
// devices online and on subscriber lines, rented routers with overdue ones
// charged, a firmware campaign under way, link-rate verdicts with degraded
// lines and alerts, real speed tests. A restart on the same data directory
// adds nothing.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiToken } from "../../acs/api/tokens.ts";
import { startAcs, type RunningAcs } from "../../acs/app.ts";
import { parseConfig } from "../../acs/config.ts";
import { seedLines } from "../../acs/demo/demo-lines.ts";
import { demoRoster, planDemo } from "../../acs/demo/demo-plan.ts";
import { newLine } from "../../acs/lines/line-import.ts";
import { createProfileRegistry, loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";

const DEVICES = 30;
let dir: string;
let acs: RunningAcs;
let token: string;

const start = (dataDir: string) => startAcs(parseConfig([
  "--data-dir", dataDir, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", "--log-level", "silent", "--demo-fleet", String(DEVICES),
], {}));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flexacs-demo-"));
  acs = await start(dir);
  token = acs.initialAdminToken!;
});

afterAll(async () => {
  await acs?.close();
  await rm(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<any> {
  const res = await fetch(new URL(`/api${path}`, acs.apiUrl), { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

/** Polls `probe` until it returns a value (not null/undefined/false); fails naming `what` and the last value seen. */
async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const DAY = 86_400_000;

describe("the demo fleet's data on every page", () => {
  test("overview and devices: every device online, on a subscriber line, informing within the online window", async () => {
    const overview = await until("all devices online", async () => {
      const o = await get("/overview");
      return o.devices.online === DEVICES && o;
    });
    expect(overview.devices.total).toBe(DEVICES);
    const { items: devices } = await get("/devices?limit=100");
    const lines = await get("/lines?limit=1000");
    // One line per router (20 of the 30), plus a couple of ONT lines with the subscriber's own router.
    const ownRouter = lines.items.filter((l: { router: { customerOwned?: boolean } }) => l.router.customerOwned);
    expect(ownRouter.length).toBeGreaterThanOrEqual(2);
    expect(lines.total).toBe(20 + ownRouter.length);
    const onLines = new Set(lines.items.flatMap((l: { router: { serial?: string }; ontSerial: string | null }) => [l.router.serial, l.ontSerial].filter(Boolean)));
    expect(new Set(devices.map((d: { serialNumber: string }) => d.serialNumber))).toEqual(onLines);
    for (const l of lines.items) {
      expect(l.subscriber.name).toMatch(/^\S+ \S+/);
      expect(l.rates.download.min).toBeGreaterThanOrEqual(30);
      expect(l.rates.download.max).toBeLessThanOrEqual(1000);
      expect(l.rates.upload.min).toBeGreaterThanOrEqual(10);
    }
    expect(new Set(lines.items.map((l: { commune: string }) => l.commune)).size).toBeGreaterThan(3);
    // Provisioned from their line, they inform every ~5 minutes: they stay online between Informs.
    await until("every device provisioned from its line", async () => {
      const p = await get("/provisioning/summary");
      return p.status.provisioned === DEVICES && p.standing.line === DEVICES;
    });
    for (const d of devices) {
      const { parameters } = await get(`/devices/${encodeURIComponent(d.id)}`);
      const interval = Object.entries(parameters as Record<string, { value: string }>).find(([path]) => path.endsWith("ManagementServer.PeriodicInformInterval"))![1];
      expect(Number(interval.value) * 1000, d.id).toBeLessThan(overview.onlineWindowMs);
    }
  });

  test("returns: overdue routers charged 180 EUR, others due back, one exchange, rented routers active", async () => {
    const charges = await until("a non-return charge", async () => {
      const { items } = await get("/rentals/charges");
      return items.length > 0 && items;
    });
    for (const c of charges) {
      expect(c).toMatchObject({ amountCents: 18_000, currency: "EUR", status: "flagged" });
      expect(Date.parse(`${c.dueDate}T00:00:00Z`)).toBeLessThan(Date.now());
    }
    const flagged = await get("/rentals/routers?state=charge_flagged");
    expect(flagged.items.map((r: { serial: string }) => r.serial).sort()).toEqual(charges.map((c: { serial: string }) => c.serial).sort());
    const dueBack = (await get("/rentals/routers?state=due_back")).items;
    expect(dueBack.some((r: { dueDate: string }) => Date.parse(`${r.dueDate}T00:00:00Z`) > Date.now() - DAY)).toBe(true);
    expect(dueBack.some((r: { dueReason: string }) => r.dueReason === "exchange")).toBe(true);
    const active = (await get("/rentals/routers?state=active")).items;
    expect(active.length).toBe(20);
    const { items: events } = await get("/rentals/contract-events?limit=1000");
    expect(events.filter((e: { type: string }) => e.type === "exchange").length).toBe(1);
    expect(events.some((e: { type: string }) => e.type === "termination_request")).toBe(true);
  });

  test("firmware: a campaign in waves under way over the HW-AX3000 routers", async () => {
    const campaign = await until("a campaign with devices past pending", async () => {
      const { items } = await get("/campaigns");
      const c = items[0];
      return c && c.counts.pending < c.deviceCount && c;
    }, 90_000);
    expect(["running", "paused"]).toContain(campaign.status);
    expect(campaign.target.productClass).toBe("HW-AX3000");
    expect(campaign.deviceCount).toBe(10);
    expect(Object.values(campaign.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(10);
    const detail = await get(`/campaigns/${campaign.id}`);
    expect(detail.waves.length).toBeGreaterThan(1);
    const { items: files } = await get("/firmware");
    expect(files.map((f: { name: string; version: string }) => [f.name, f.version])).toEqual([[campaign.firmware.name, "3.2.15"]]);
  }, 120_000);

  test("link rates: verdicts judged, degraded lines with alerts, real speed tests done", async () => {
    const summary = await until("verdicts below minimum, capped and optical", async () => {
      const s = await get("/linkrate/summary");
      const d = s.verdicts.download;
      return d.below_minimum > 0 && (d.capacity_capped ?? 0) + (d.optical_out_of_range ?? 0) > 0 && s;
    });
    expect(summary.verdicts.download.conforming).toBeGreaterThan(0);
    const kinds = await until("alerts of each kind", async () => {
      const { items } = await get("/linkrate/alerts?open=true&limit=200");
      const k = new Set(items.map((a: { kind: string }) => a.kind));
      return k.has("below_minimum") && k.has("capacity_capped") && k.has("optical_out_of_range") && k;
    });
    expect(kinds.size).toBe(3);
    const below = await get("/linkrate/lines?verdict=below_minimum");
    expect(below.total).toBeGreaterThan(0);
    expect(below.items[0].lastDownloadBps).toBeGreaterThan(0);
    const done = await until("a scheduled speed test done", async () => {
      const { items } = await get("/linkrate/speed-tests?status=done");
      return items.find((t: { origin: string }) => t.origin === "schedule");
    }, 150_000);
    expect(done.bps).toBeGreaterThan(0);
  }, 180_000);

  test("a restart on the same data directory adds nothing", async () => {
    const snapshot = async () => ({
      lines: (await get("/lines?limit=1")).total,
      routers: (await get("/rentals/routers?limit=1000")).items.length,
      events: (await get("/rentals/contract-events?limit=1000")).items.length,
      charges: (await get("/rentals/charges")).items.length,
      campaigns: (await get("/campaigns")).items.map((c: { id: string }) => c.id),
      files: (await get("/firmware")).items.length,
    });
    const before = await snapshot();
    expect((await get("/audit?action=demo.seed")).items.length).toBe(1);

    await acs.close();
    acs = await start(dir);
    token = (await createApiToken(acs.store, "demo-restart", "admin")).token;
    const seeds = await until("the second start's demo seeding", async () => {
      const { items } = await get("/audit?action=demo.seed");
      return items.length === 2 && items;
    }, 90_000);
    const second = seeds.find((e: { timestamp: string }) => e.timestamp === seeds.map((x: { timestamp: string }) => x.timestamp).sort().at(-1));
    expect(second.detail).toMatchObject({
      lines: { added: 0, present: before.lines, refused: 0 },
      rentals: { routersAdded: 0, eventsApplied: 0, refused: 0, flagged: 0 },
      history: { lines: 0, samples: 0 },
      campaign: { status: "present", id: before.campaigns[0] },
    });
    expect(await snapshot()).toEqual(before);
    await until("devices back online", async () => (await get("/overview")).devices.online === DEVICES);
  }, 120_000);
});

describe("demo lines on a store that already has lines", () => {
  test("a serial an operator put on another line is reported, the rest stored once", async () => {
    const own = await mkdtemp(join(tmpdir(), "flexacs-demo-lines-"));
    const store = await openSqliteStore(join(own, "acs.db"));
    try {
      const plan = planDemo(demoRoster(DEVICES));
      const profiles = createProfileRegistry(await loadProfiles());
      const taken = plan.lines[0]!;
      await store.lines.addLines([newLine({ ...taken.input, id: "L-OPERATOR-1", subscriber: { id: "S-OP", name: "Opérateur Test" } }, Date.now())]);

      const first = await seedLines(store.lines, profiles, plan.lines, Date.now());
      expect(first.refused.map((r) => [r.lineId, r.field])).toEqual([[taken.input.id, "router.serial"], [taken.input.id, "ontSerial"]]);
      expect(first).toMatchObject({ added: plan.lines.length - 1, present: 0 });
      const again = await seedLines(store.lines, profiles, plan.lines, Date.now());
      expect(again).toMatchObject({ added: 0, present: plan.lines.length - 1 });
      expect((await store.lines.listLines({ limit: 1000 })).total).toBe(plan.lines.length);
    } finally {
      await store.close();
      await rm(own, { recursive: true, force: true });
    }
  });
});
