// The support page in a real browser (Debian Chromium, headless, through
// playwright-core) against a real ACS (test/helpers/wifi-acs.ts) and a real
// simulated router that keeps an agent channel: find the line by the
// subscriber's name, change the SSID, and see "applied" arrive on the live
// channel without reloading the page. Screenshots go to test-artifacts/screenshots/.

import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Device } from "../../agent/fleet/fleet.ts";
import { launchChromium, type Browser } from "../helpers/chromium.ts";
import { lineBody, WifiAcs } from "../helpers/wifi-acs.ts";

const SHOTS = resolve("test-artifacts/screenshots");

let acs: WifiAcs;
let router: Device;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let navigations = 0;

beforeAll(async () => {
  acs = await WifiAcs.start();
  const fleet = await acs.fleet({ count: 1, model: "router-tr181", serialPrefix: "HWE2", channel: true, httpConnectionRequest: false });
  router = fleet.devices[0]!;
  const created = await acs.call("POST", "/api/lines", { body: lineBody("L-7001", router.serial, { subscriber: { id: "SUB-7001", name: "Léa Dubois" } }) });
  expect(created.status).toBe(201);
  expect(await router.boot()).toMatchObject({ ok: true });
  await fleet.channels!.whenOpen(router);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium({ width: 1366, height: 900 });
  page = await browser.context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
});

afterAll(async () => {
  await browser?.close();
  await acs?.close();
});

const ui = (hash = ""): string => new URL(`ui/${hash}`, acs.apiUrl).href;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe.sequential("support page in Chromium", () => {
  test("finds the line by the subscriber's name", async () => {
    await page.goto(ui());
    await page.getByLabel("API token").fill(acs.tokens.support);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByRole("link", { name: "Support" }).click();
    await page.getByLabel("Line id, subscriber name, router serial or MAC").fill("dubois");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("link", { name: "L-7001" }).click();
    await page.getByRole("heading", { name: "Line L-7001 · Léa Dubois" }).waitFor();
    await page.locator("#support-reachable[data-via=channel]").waitFor();
    expect(await page.locator("#wifi-24GHz-ssid").inputValue()).toBe("Martin-L-7001");
    await shot("support-line");
  });

  test("shows the API's message next to a bad field, and queues nothing", async () => {
    await page.locator("#wifi-24GHz-ssid").fill("É".repeat(17));
    await page.getByRole("button", { name: "Apply changes" }).click();
    const error = page.locator("#wifi-24GHz-ssid-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("must be 1 to 32 bytes of UTF-8");
    expect((await acs.call("GET", "/api/lines/L-7001/audit")).json.items).toEqual([]);
  });

  test("changes the SSID and sees 'applied' without reloading", async () => {
    const before = navigations;
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    await page.locator("#wifi-24GHz-ssid").fill("Maison Dubois");
    await page.getByRole("button", { name: "Apply changes" }).click();
    await page.waitForFunction(() => document.querySelector("#support-change-status .badge")?.textContent === "applied", undefined, { timeout: 20_000 });
    expect(await page.locator("#support-change-text").textContent()).toMatch(/^applied at \d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d, after \d+ ms$/);
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    expect(navigations).toBe(before);
    expect(router.getValue("Device.WiFi.SSID.1.SSID")).toBe("Maison Dubois");
    await page.locator("#support-history td", { hasText: "2.4GHz ssid: Martin-L-7001 → Maison Dubois" }).waitFor();
    await page.locator("#wifi-24GHz-reported", { hasText: "The router reports: SSID “Maison Dubois”" }).waitFor();
    await shot("support-applied");
    expect(pageErrors).toEqual([]);
  });

  test("a NOC user sees the line's Wi-Fi but cannot change it, and a forced change gets 403", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("API token").fill(acs.tokens.noc);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await page.goto(ui("#/support/lines/L-7001"));
    await page.getByRole("heading", { name: "Line L-7001 · Léa Dubois" }).waitFor();
    expect(await page.locator("#wifi-24GHz-ssid").inputValue()).toBe("Maison Dubois");
    expect(await page.locator("#wifi-24GHz-ssid").isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Apply changes" }).count()).toBe(0);
    await shot("support-noc");
    const forced = await page.evaluate(async () => {
      const session = await (await fetch("/ui/session")).json();
      const res = await fetch("/ui/api/lines/L-7001/wifi", {
        method: "PATCH",
        headers: { "content-type": "application/json", [session.csrfHeader]: session.csrfToken },
        body: JSON.stringify({ version: 1, bands: { "2.4GHz": { ssid: "noc was here" } } }),
      });
      return res.status;
    });
    expect(forced).toBe(403);
    expect(router.getValue("Device.WiFi.SSID.1.SSID")).toBe("Maison Dubois");
  });
});
