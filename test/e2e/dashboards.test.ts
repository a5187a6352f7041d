// The NOC dashboards in a real browser (Debian Chromium, headless, through
// playwright-core) against a real ACS (startAcs: SQLite store holding
// 100,000 devices, CWMP and API listeners on loopback) and a real simulated
// device (agent fleet) that informs, answers connection requests, refreshes
// and reboots. Screenshots of every page go to test-artifacts/screenshots/.

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { createApiToken } from "../../acs/api/tokens.ts";
import { startAcs, type RunningAcs } from "../../acs/app.ts";
import { DEFAULT_BOOTSTRAP_PASSWORD, DEFAULT_BOOTSTRAP_USERNAME, parseConfig } from "../../acs/config.ts";
import { launchChromium, type Browser } from "../helpers/chromium.ts";
import { bulkInsertDevices, syntheticFleet } from "../helpers/sqlite-bulk.ts";

const FLEET_SIZE = 100_000;
/** Short, so the test can watch a device go offline. */
const ONLINE_WINDOW_MS = 6000;
/** The acceptance: live changes on the overview within 2 s, without reload. */
const LIVE_DEADLINE_MS = 2000;
const SHOTS = resolve("test-artifacts/screenshots");

let dir: string;
let acs: RunningAcs;
let fleet: Fleet;
let browser: Browser;
let page: Page;
let deviceId = "";
const tokens = { admin: "", noc: "", support: "" };
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flexacs-e2e-"));
  const dbPath = join(dir, "flexacs.db");
  await bulkInsertDevices(dbPath, syntheticFleet(FLEET_SIZE));
  acs = await startAcs(parseConfig([
    "--data-dir", dir, "--store", `sqlite:${dbPath}`, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0",
    "--log-level", "silent", "--online-window", `${ONLINE_WINDOW_MS}ms`, "--connection-request-timeout", "3s",
  ], {}));
  tokens.admin = acs.initialAdminToken!;
  tokens.noc = (await createApiToken(acs.store, "noc-wall", "noc")).token;
  tokens.support = (await createApiToken(acs.store, "support-desk", "support")).token;
  fleet = await startFleet({
    acsUrl: acs.cwmpUrl, count: 1, model: "router-tr181", stateDir: join(dir, "fleet"),
    username: DEFAULT_BOOTSTRAP_USERNAME, password: DEFAULT_BOOTSTRAP_PASSWORD, crUsername: "cr-user", crPassword: "cr-password",
  });
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium({ width: 1366, height: 768 });
  page = await browser.context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await fleet?.stop();
  await acs?.close();
  await rm(dir, { recursive: true, force: true });
});

const ui = (hash = ""): string => new URL(`ui/${hash}`, acs.apiUrl).href;
const deviceHash = (): string => `#/devices/${encodeURIComponent(deviceId)}`;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const figure = (id: string) => page.locator(`[data-figure="${id}"] .value`);

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

/** Resolves when the selector's text is `text`; rejects after `timeout` ms. */
function textBecomes(selector: string, text: string, timeout: number): Promise<unknown> {
  return page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent === t, [selector, text] as const, { timeout });
}

async function openDevicePage(): Promise<void> {
  await page.goto(ui(deviceHash()));
  await page.locator("#device-parameters table").waitFor();
}

describe.sequential("NOC dashboards in Chromium", () => {
  test("the login page refuses an unknown token", async () => {
    await page.goto(ui());
    await page.getByLabel("API token").fill("flx_not-a-real-token");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("unknown or was revoked");
    await shot("login");
    const session = await page.request.get(ui("session"));
    expect(session.status()).toBe(401);
  });

  test("overview: a device's first Inform and its going offline appear within 2 s, without reload", async () => {
    await login(tokens.noc);
    await page.locator("#live-state[data-state=live]").waitFor();
    await textBecomes('[data-figure="total"] .value', "100,000", 5000);
    expect(await figure("online").textContent()).toBe("0");
    expect(await figure("offline").textContent()).toBe("90,000");
    expect(await figure("never-seen").textContent()).toBe("10,000");

    const informed = new Promise<string>((resolveId) => {
      const off = acs.bus.on("device.informed", ({ deviceId: id }) => {
        off();
        resolveId(id);
      });
    });
    const [boot] = await fleet.bootAll();
    expect(boot).toMatchObject({ ok: true });
    deviceId = await informed;
    await textBecomes('[data-figure="online"] .value', "1", LIVE_DEADLINE_MS);
    expect(await figure("total").textContent()).toBe("100,001");
    await shot("overview-desktop");

    const { lastInformAt } = (await acs.store.getDevice(deviceId))!;
    const crossesAt = lastInformAt! + ONLINE_WINDOW_MS + 1;
    await new Promise((r) => setTimeout(r, Math.max(0, crossesAt - Date.now())));
    await textBecomes('[data-figure="offline"] .value', "90,001", LIVE_DEADLINE_MS);
    expect(await figure("online").textContent()).toBe("0");
    await logout();
  });

  test("noc: reads everything, sees no action, and a forced reboot gets 403; secrets stay masked", async () => {
    await acs.store.updateParameters(deviceId, new Map([
      ["Device.ManagementServer.ConnectionRequestPassword", { value: "cr-secret-on-page", type: "xsd:string", writable: true, ts: Date.now() }],
    ]));
    await login(tokens.noc);
    await openDevicePage();
    expect(await page.getByRole("button", { name: "Reboot" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Refresh parameters" }).count()).toBe(0);
    await page.getByLabel("Filter parameters by name or value").fill("ConnectionRequestPassword");
    await expect(page.locator("#device-parameters tbody").textContent()).resolves.toContain("******** (secret)");
    expect(await page.content()).not.toContain("cr-secret-on-page");
    await page.locator("#device-audit table").waitFor();
    await shot("device-noc");

    const forced = await page.evaluate(async (id) => {
      const session = await (await fetch("/ui/session")).json();
      const res = await fetch(`/ui/api/devices/${encodeURIComponent(id)}/tasks`, {
        method: "POST", headers: { "content-type": "application/json", [session.csrfHeader]: session.csrfToken }, body: JSON.stringify({ name: "reboot" }),
      });
      return { status: res.status, body: await res.json() };
    }, deviceId);
    expect(forced.status).toBe(403);
    expect(forced.body.message).toContain("role noc may not");
    expect(await acs.store.listTasks({ deviceId })).toEqual([]);
    await logout();
  });

  test("support: refreshes the device from its page; the audit trail is not theirs to read", async () => {
    await login(tokens.support);
    await openDevicePage();
    await page.getByRole("button", { name: "Refresh parameters" }).click();
    await page.locator("#device-action-result", { hasText: "Refresh parameters: done." }).waitFor({ timeout: 30_000 });
    await expect(page.locator("#device-audit").textContent()).resolves.toContain("Your role may not see the audit trail.");
    await page.locator("#device-tasks td", { hasText: "refreshObject" }).waitFor();
    expect(await page.getByRole("button", { name: "Reboot" }).count()).toBe(1);
    const refreshed = await acs.store.getParameters(deviceId, ["Device.DeviceInfo."]);
    expect(refreshed.size).toBeGreaterThan(0);
    await shot("device-support");
    await logout();
  });

  test("admin: reboots after confirming; the task and the audit record appear on the page", async () => {
    await login(tokens.admin);
    await openDevicePage();
    await page.getByRole("button", { name: "Reboot" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.textContent()).resolves.toContain("The subscriber loses service");
    await shot("device-reboot-confirm");
    await dialog.getByRole("button", { name: "Reboot" }).click();
    await page.locator("#device-action-result", { hasText: "Reboot: done." }).waitFor({ timeout: 30_000 });
    await page.locator("#device-audit td", { hasText: "task.create" }).first().waitFor();
    await page.locator("#device-tasks td", { hasText: "reboot" }).first().waitFor();
    await shot("device-admin");
  });

  test("device page: the contacts chart draws the device's sessions", async () => {
    await openDevicePage();
    const canvas = page.locator("#device-contacts .chart-canvas");
    await canvas.locator("canvas").waitFor();
    // Sessions so far: the boot, the refresh, the reboot's and the boot after it.
    await page.waitForFunction(() => Number(document.querySelector("#device-contacts .chart-canvas")?.getAttribute("data-points")) >= 3);
    await page.getByText("Show the data of “Recent contacts").click();
    await expect(page.locator("#device-contacts details table tbody tr").count()).resolves.toBeGreaterThanOrEqual(3);
    await shot("device-desktop");
  });

  test("devices: the 100,000-device list filters, exports and pages on the server", async () => {
    await page.goto(ui("#/devices"));
    const range = page.locator("[data-range]");
    await range.filter({ hasText: "1–50 of 100,001" }).waitFor();
    await shot("devices-desktop");

    await page.getByLabel("Search").fill("FX00999");
    await range.filter({ hasText: "1–10 of 10" }).waitFor();
    await page.getByLabel("Status").selectOption("false");
    await range.filter({ hasText: "1–9 of 9" }).waitFor();
    const ids = await page.locator("#devices-results tbody td.mono a").allTextContents();
    expect(ids).toHaveLength(9);
    expect(ids.every((id) => id.includes("FX00999") && !id.endsWith("FX009990"))).toBe(true);

    const csv = await page.request.get(new URL(await page.locator("#devices-export").getAttribute("href") ?? "", acs.apiUrl).href);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toMatch(/^id,manufacturer,oui,productClass,serialNumber/);
    expect(lines.slice(1).map((l) => l.split(",")[0]).sort()).toEqual([...ids].sort());

    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Per page").selectOption("25");
    await range.filter({ hasText: "1–25 of 100,001" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await range.filter({ hasText: "26–50 of 100,001" }).waitFor();
    await page.getByRole("button", { name: /^Last contact/ }).click();
    await page.locator('th[aria-sort="ascending"]', { hasText: "Last contact" }).waitFor();
    await range.filter({ hasText: "1–25 of 100,001" }).waitFor();
    // Ascending: never-seen devices first.
    await expect(page.locator("#devices-results tbody tr").first().textContent()).resolves.toContain("Never seen");
    expect(page.url()).toContain("sort=lastInformAt");
  });

  test("keyboard: an overview figure is a link that opens the filtered list", async () => {
    await page.goto(ui("#/overview"));
    await figure("offline").filter({ hasText: /\d/ }).waitFor();
    await page.locator('[data-figure="offline"]').focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Devices" }).waitFor();
    await expect(page.getByLabel("Status").inputValue()).resolves.toBe("false");
    await page.locator("[data-range]", { hasText: /of 90,00[01]$/ }).waitFor();
  });

  test("faults and tasks pages list the fleet's records", async () => {
    await page.goto(ui("#/tasks"));
    await page.locator("#tasks-results td", { hasText: "reboot" }).first().waitFor();
    await shot("tasks-desktop");
    await page.goto(ui("#/faults"));
    await page.locator("#faults-results table").waitFor();
    await shot("faults-desktop");
  });

  test("phone width: pages stay within the screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, hash, ready] of [
      ["overview-phone", "#/overview", '[data-figure="total"] .value'],
      ["devices-phone", "#/devices", "[data-range]"],
      ["device-phone", deviceHash(), "#device-parameters table"],
    ] as const) {
      await page.goto(ui(hash));
      await page.locator(ready).first().waitFor();
      // Wide tables scroll inside their own region; the page itself never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await shot(name);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  test("logout ends the session: the API refuses it and the login page is back", async () => {
    await page.goto(ui("#/overview"));
    await page.locator("#live-state[data-state=live]").waitFor();
    await logout();
    const session = await page.request.get(ui("session"));
    expect(session.status()).toBe(401);
    const proxied = await page.request.get(ui("api/devices"));
    expect(proxied.status()).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
