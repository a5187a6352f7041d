// The Returns and Firmware pages in a real browser (Debian Chromium, headless,
// through playwright-core) against a real ACS (startAcs, SQLite store with 20
// synthetic devices). Rented routers are moved through the rentals API (ship,
// activation, termination, flagging run, billing export) and a router's ACS
// contact after its due date through the rentals domain (recordRouterContact);
// a campaign is created through the firmware API with an uploaded image.
// Screenshots (wall screen and phone) go to test-artifacts/screenshots/.

import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiToken } from "../../acs/api/tokens.ts";
import { startAcs, type RunningAcs } from "../../acs/app.ts";
import { parseConfig } from "../../acs/config.ts";
import { firmwareOverviewSection } from "../../acs/firmware/firmware-dashboards.ts";
import { recordRouterContact } from "../../acs/rentals/contact-evidence.ts";
import { returnsOverviewSection } from "../../acs/rentals/rentals-dashboards.ts";
import { launchChromium, type Browser } from "../helpers/chromium.ts";
import { bulkInsertDevices, syntheticFleet } from "../helpers/sqlite-bulk.ts";

const SHOTS = resolve("test-artifacts/screenshots");
const IMAGE = Buffer.from("FLX-R1 firmware 3.0.0\n".repeat(64));
const SHA = createHash("sha256").update(IMAGE).digest("hex");
/** syntheticFleet: device i is FX00000i, of model FLX-R2 when i % 4 === 1. */
const FLAGGED = { serial: "FX000001", deviceId: "00FX00-FLX-R2-FX000001", line: "L-1001", subscriber: "SUB-1001" };
const EXPORTED = { serial: "FX000005", line: "L-1005", subscriber: "SUB-1005" };
const DUE = { serial: "FX000009", line: "L-1009", subscriber: "SUB-1009" };
/** 09:15:00 in Paris on 2 April 2025, after the due date (13 March 2025). */
const CONTACT_AT = Date.parse("2025-04-02T07:15:00Z");

let dir: string;
let acs: RunningAcs;
let browser: Browser;
let page: Page;
let campaignId = "";
const tokens = { admin: "", noc: "" };
const pageErrors: string[] = [];

async function call(method: string, path: string, body?: unknown, raw?: Buffer): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens.admin}` };
  if (raw) headers["content-type"] = "application/octet-stream";
  else if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(new URL(path, acs.apiUrl), { method, headers, body: raw ? new Uint8Array(raw) : body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function rent(r: { serial: string; line: string; subscriber: string }, terminatedOn: string): Promise<void> {
  expect((await call("POST", "/api/rentals/routers/" + r.serial + "/transitions", { to: "shipped" })).status).toBe(201);
  const base = { lineId: r.line, subscriberId: r.subscriber };
  expect((await call("POST", "/api/rentals/contract-events", { ...base, type: "activation", date: "2025-01-10", serial: r.serial })).status).toBe(201);
  expect((await call("POST", "/api/rentals/contract-events", { ...base, type: "termination_request", date: terminatedOn })).status).toBe(201);
}

async function flaggingRun(): Promise<void> {
  // 409 only while the ACS's own daily run holds the lease: it is short.
  for (let attempt = 0; ; attempt++) {
    const run = await call("POST", "/api/rentals/flagging/run");
    if (run.status === 200) return;
    if (run.status !== 409 || attempt === 50) throw new Error(`flagging run: ${run.status} ${JSON.stringify(run.json)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flexacs-e2e-returns-"));
  const dbPath = join(dir, "flexacs.db");
  await bulkInsertDevices(dbPath, syntheticFleet(20));
  acs = await startAcs(parseConfig([
    "--data-dir", dir, "--store", `sqlite:${dbPath}`, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0", "--log-level", "silent",
  ], {}));
  tokens.admin = acs.initialAdminToken!;
  tokens.noc = (await createApiToken(acs.store, "noc-wall", "noc")).token;

  const added = await call("POST", "/api/rentals/routers", { routers: [FLAGGED, EXPORTED, DUE].map((r, i) => ({ serial: r.serial, mac: `00:11:22:33:44:0${i}`, model: "FLX-R2" })) });
  expect(added.json.results.every((r: { created: boolean }) => r.created)).toBe(true);
  // One router charged and sent to billing, one owed back but not late yet.
  await rent(EXPORTED, "2025-02-01");
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
  await rent(DUE, today);
  await flaggingRun();
  expect((await call("POST", "/api/rentals/billing/export")).json.chargeIds).toHaveLength(1);
  // One router late, still talking to the ACS after its due date, then charged.
  await rent(FLAGGED, "2025-02-01");
  expect(await recordRouterContact({ repo: acs.store.rentals }, { deviceId: FLAGGED.deviceId, serialNumber: FLAGGED.serial, remoteAddress: "203.0.113.7", at: CONTACT_AT }))
    .toMatchObject({ serial: FLAGGED.serial, evidence: true });
  await flaggingRun();

  expect((await call("POST", `/api/firmware?name=flx-r1-3.0.0.bin&version=3.0.0&sha256=${SHA}`, undefined, IMAGE)).status).toBe(201);
  const created = await call("POST", "/api/campaigns", {
    name: "FLX-R1 3.0.0", firmware: "flx-r1-3.0.0.bin", target: { productClass: "FLX-R1" },
    waves: [{ size: 2, concurrency: 1 }, { size: 3, concurrency: 3 }], failureThreshold: 0.5, timeoutMinutes: 600,
  });
  expect(created.status).toBe(201);
  campaignId = created.json.id;

  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium({ width: 1366, height: 768 });
  page = await browser.context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await acs?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ui = (hash = ""): string => new URL(`ui/${hash}`, acs.apiUrl).href;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
/** fr-FR puts a no-break space before "€" (and narrow ones between thousands). */
const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? "").replace(/\s+/g, " ").trim();

async function login(token: string): Promise<void> {
  await page.goto(ui());
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}

async function logout(): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("API token").waitFor();
}

describe.sequential("Returns and Firmware pages in Chromium", () => {
  test("returns: counts, euros, a table per state and the flagged charge's evidence", async () => {
    await login(tokens.admin);
    await page.getByRole("link", { name: "Returns" }).click();
    await page.getByRole("heading", { name: "Returns" }).waitFor();
    await page.locator('#returns-charge_flagged table').first().waitFor();
    expect(await text('[data-figure="flagged"] .value')).toBe("1");
    expect(await text('[data-figure="flagged"] .note')).toBe("180,00 € excl. VAT");
    expect(await text('[data-figure="exported"] .note')).toBe("180,00 € excl. VAT");
    expect(await text('[data-figure="at-stake"] .value')).toBe("360,00 €");
    expect(await text('[data-figure="due-back"] .value')).toBe("1");

    const flaggedRow = page.locator("#returns-charge_flagged tbody tr").first();
    expect((await flaggedRow.locator("td").allTextContents()).slice(0, 5).map((t) => t.replace(/\s+/g, " ")))
      .toEqual([FLAGGED.serial, FLAGGED.line, FLAGGED.subscriber, "2025-03-13", "180,00 €"]);
    expect(await text("#returns-exported tbody tr td")).toBe(EXPORTED.serial);
    expect(await text("#returns-due_back tbody tr td")).toBe(DUE.serial);

    // The evidence opens with the keyboard, under its row.
    const toggle = page.getByRole("button", { name: "Evidence (1 contact)" });
    expect(await page.locator(`#evidence-${FLAGGED.serial}`).isVisible()).toBe(false);
    await toggle.focus();
    await page.keyboard.press("Enter");
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const evidence = page.locator(`#evidence-${FLAGGED.serial} tbody tr td`);
    expect(await evidence.allTextContents()).toEqual(["02/04/2025, 09:15:00", "02/04/2025, 09:15:00", "203.0.113.7", "1"]);
    expect(await page.getByRole("button", { name: "Export flagged charges to billing" }).isEnabled()).toBe(true);
    await shot("returns-desktop");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("returns-phone");
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  test("returns: the admin's billing export moves the flagged charge to exported", async () => {
    await page.getByRole("button", { name: "Export flagged charges to billing" }).click();
    await page.getByRole("status").filter({ hasText: "Billing export" }).waitFor();
    expect(await text('[role="status"].message')).toMatch(/^Billing export \S+: 1 charge\(s\), 0 reversal\(s\), 180,00 €$/);
    await page.waitForFunction(() => document.querySelector('[data-figure="exported"] .value')?.textContent === "2");
    expect(await text('[data-figure="exported"] .note')).toBe("360,00 € excl. VAT");
    expect(await text("#returns-charge_flagged tbody")).toBe("No flagged router.");
    expect(await page.getByRole("button", { name: "Export flagged charges to billing" }).isDisabled()).toBe(true);
  });

  test("firmware: the admin sees the campaign's waves and counts, and pauses and resumes it", async () => {
    // The wave job schedules the first wave's one slot.
    await expect.poll(async () => (await call("GET", `/api/campaigns/${campaignId}?limit=0`)).json.counts.scheduled, { timeout: 10_000 }).toBe(1);
    await page.getByRole("link", { name: "Firmware" }).click();
    const panel = page.locator(`[data-campaign="${campaignId}"]`);
    await panel.waitFor();
    expect(await panel.locator("[data-status]").textContent()).toBe("running");
    const totals = panel.getByRole("region", { name: "Devices of FLX-R1 3.0.0 per state" });
    expect(await totals.locator("th").allTextContents()).toEqual(["All waves", "Pending", "Scheduled", "Downloading", "Rebooting", "Verifying", "Succeeded", "Failed", "Skipped", "Cancelled"]);
    expect(await totals.locator("tbody td").allTextContents()).toEqual(["5", "4", "1", "0", "0", "0", "0", "0", "0", "0"]);
    const waves = panel.getByRole("region", { name: "Waves of FLX-R1 3.0.0" }).locator("tbody tr");
    expect(await waves.nth(0).locator("td").allTextContents()).toEqual(["1", "current", "2", "1", "1", "1", "0", "0", "0", "0", "0", "0", "0", "—"]);
    expect(await waves.nth(1).locator("td").allTextContents()).toEqual(["2", "waiting", "3", "3", "3", "0", "0", "0", "0", "0", "0", "0", "0", "—"]);
    await shot("firmware-desktop");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("firmware-phone");
    await page.setViewportSize({ width: 1366, height: 768 });

    await page.getByRole("button", { name: "Pause FLX-R1 3.0.0" }).click();
    await page.getByRole("button", { name: "Resume FLX-R1 3.0.0" }).waitFor();
    expect(await panel.locator("[data-status]").textContent()).toBe("paused");
    expect(await text(`[data-campaign="${campaignId}"] .message`)).toMatch(/^Paused by admin at \d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d$/);
    await page.getByRole("button", { name: "Resume FLX-R1 3.0.0" }).click();
    await page.getByRole("button", { name: "Pause FLX-R1 3.0.0" }).waitFor();
    expect((await call("GET", `/api/campaigns/${campaignId}?limit=0`)).json.status).toBe("running");
    await logout();
  });

  test("noc: sees the campaign and the returns without any button; the proxy refuses a forced pause and export with 403", async () => {
    await login(tokens.noc);
    await page.goto(ui("#/firmware"));
    await page.locator(`[data-campaign="${campaignId}"] table`).first().waitFor();
    expect(await page.locator(`[data-campaign="${campaignId}"] [data-status]`).textContent()).toBe("running");
    expect(await page.locator("main button").count()).toBe(0);
    await page.goto(ui("#/returns"));
    await page.locator("#returns-exported table").waitFor();
    expect(await text('[data-figure="exported"] .value')).toBe("2");
    expect(await page.getByRole("button", { name: "Export flagged charges to billing" }).count()).toBe(0);

    const session = await (await page.request.get(ui("session"))).json();
    const headers = { [session.csrfHeader]: session.csrfToken };
    expect((await page.request.post(ui(`api/campaigns/${campaignId}/pause`), { headers })).status()).toBe(403);
    expect((await page.request.post(ui("api/rentals/billing/export"), { headers })).status()).toBe(403);
    expect((await call("GET", `/api/campaigns/${campaignId}?limit=0`)).json.status).toBe("running");
    await logout();
  });

  test("overview sections: overdue routers with the euros at stake, campaigns running", async () => {
    const ctx = { store: acs.store, now: Date.now(), onlineWindowMs: 60_000 };
    expect(await returnsOverviewSection(acs.store.rentals).compute(ctx)).toEqual({ dueBack: 1, overdue: 2, flagged: 0, exported: 2, atStakeCents: 36_000 });
    expect(await firmwareOverviewSection(acs.store.firmware).compute(ctx)).toMatchObject({
      running: 1, paused: 0, campaigns: [{ id: campaignId, name: "FLX-R1 3.0.0", status: "running", counts: { pending: 4, scheduled: 1, succeeded: 0, failed: 0 } }],
    });
    expect(pageErrors).toEqual([]);
  });
});
