// The dashboards' server side on a real ACS (startAcs, SQLite, loopback
// listeners) over real HTTP and WebSocket: login sessions and their cookie,
// CSRF and origin checks, the API reached as the logged-in user, the
// overview and metrics endpoints, CSV export, and the live channel
// (authentication, coalescing, watched devices, offline detection, logout).

import { request as httpRequest } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { createApiToken } from "../../acs/api/tokens.ts";
import { startAcs, type RunningAcs } from "../../acs/app.ts";
import { DEFAULT_BOOTSTRAP_PASSWORD, DEFAULT_BOOTSTRAP_USERNAME, parseConfig } from "../../acs/config.ts";
import { ScriptedCpe } from "./helpers/scripted-cpe.ts";

const ONLINE_WINDOW_MS = 3000;
let dir: string;
let acs: RunningAcs;
const tokens = { admin: "", noc: "", support: "" };
const origin = () => acs.apiUrl.replace(/\/$/, "");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flexacs-dash-"));
  acs = await startAcs(parseConfig([
    "--data-dir", dir, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0",
    "--log-level", "silent", "--online-window", `${ONLINE_WINDOW_MS}ms`, "--connection-request-timeout", "1s",
  ], {}));
  tokens.admin = acs.initialAdminToken!;
  tokens.noc = (await createApiToken(acs.store, "noc-wall", "noc")).token;
  tokens.support = (await createApiToken(acs.store, "support-desk", "support")).token;
  const now = Date.now();
  const add = (serial: string, productClass: string, lastInformAt: number | null) =>
    acs.store.upsertDevice({ id: `00AA11-${productClass}-${serial}`, manufacturer: "Acme", oui: "00AA11", productClass, serialNumber: serial }, { lastInformAt, softwareVersion: "1.0" });
  await add("S1", "HG1", now - 3_600_000);
  await add("S2", "HG1", now - 7_200_000);
  await add("S3", "HG2", null);
  await add("=HYPERLINK(1)", "HG2", now - 3_600_000);
  await acs.store.addFault({ deviceId: "00AA11-HG1-S1", channel: "inform", code: "cwmp.9002", message: "x", detail: null, rpc: null, retries: 0, timestamp: now - 60_000 });
  await acs.store.addFault({ deviceId: "00AA11-HG1-S1", channel: "inform", code: "cwmp.9002", message: "x", detail: null, rpc: null, retries: 0, timestamp: now - 120_000 });
  await acs.store.addFault({ deviceId: "00AA11-HG1-S2", channel: "inform", code: "cwmp.9005", message: "x", detail: null, rpc: null, retries: 0, timestamp: now - 7_200_000 });
  await acs.store.addTask({ deviceId: "00AA11-HG1-S2", name: "reboot", args: {}, createdBy: "test" });
});

afterAll(async () => {
  await acs?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer { status: number; headers: Headers; text: string; json: any }

async function call(method: string, path: string, opts: { cookie?: string; csrf?: string; bearer?: string; body?: unknown; origin?: string; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers["x-csrf-token"] = opts.csrf;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
  const res = await fetch(new URL(path, acs.apiUrl), { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body), redirect: "manual" });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function login(token: string): Promise<{ cookie: string; csrf: string; setCookie: string; body: any }> {
  const res = await call("POST", "/ui/session", { body: { token } });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get("set-cookie")!;
  return { cookie: setCookie.split(";")[0]!, csrf: res.json.csrfToken, setCookie, body: res.json };
}

/** A WebSocket to /ui/live whose messages are queued for `next`. */
async function liveSocket(cookie: string): Promise<{ ws: WebSocket; next(pred: (m: any) => boolean): Promise<any>; closed: Promise<number> }> {
  const ws = new WebSocket(`${origin().replace("http", "ws")}/ui/live`, { headers: { cookie, origin: origin() } });
  const queue: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on("message", (data) => {
    const m = JSON.parse(data.toString());
    const w = waiters.findIndex((x) => x.pred(m));
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(m);
    else queue.push(m);
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    ws,
    closed,
    next(pred) {
      const i = queue.findIndex(pred);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

function handshakeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin().replace("http", "ws")}/ui/live`, { headers });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      ws.close();
      reject(new Error("handshake accepted"));
    });
    ws.on("error", () => {});
  });
}

async function informOnce(serial: string): Promise<string> {
  const cpe = new ScriptedCpe({ url: new URL("cwmp", acs.cwmpUrl).href, username: DEFAULT_BOOTSTRAP_USERNAME, password: DEFAULT_BOOTSTRAP_PASSWORD, deviceId: { manufacturer: "Acme", oui: "00AA11", productClass: "LIVE", serialNumber: serial } });
  try {
    expect((await cpe.inform()).status).toBe(200);
    expect((await cpe.emptyPost()).status).toBe(204);
  } finally {
    cpe.close();
  }
  return `00AA11-LIVE-${serial}`;
}

describe("login sessions", () => {
  test("a valid token opens a session: HttpOnly SameSite=Strict cookie on /ui, the role's task list", async () => {
    const noc = await login(tokens.noc);
    expect(noc.setCookie).toMatch(/^flexacs_session=[A-Za-z0-9_-]{43}; Path=\/ui; HttpOnly; SameSite=Strict$/);
    expect(noc.body).toMatchObject({ name: "noc-wall", role: "noc", tasks: [], csrfHeader: "x-csrf-token" });
    expect(JSON.stringify(noc.body)).not.toContain(tokens.noc);
    const support = await login(tokens.support);
    expect(support.body.tasks.sort()).toEqual(["getParameterValues", "reboot", "refreshObject"]);
    const me = await call("GET", "/ui/session", { cookie: support.cookie });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ name: "support-desk", role: "support", csrfToken: support.csrf });
    expect(me.text).not.toContain(tokens.support);
  });

  test("an unknown token, a form post or a foreign origin cannot log in", async () => {
    expect((await call("POST", "/ui/session", { body: { token: "flx_nope" } })).status).toBe(401);
    expect((await call("POST", "/ui/session", { body: `token=${tokens.admin}`, contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
    expect((await call("POST", "/ui/session", { body: { token: tokens.admin }, origin: "http://evil.example" })).status).toBe(403);
    expect((await call("GET", "/ui/session")).status).toBe(401);
    expect((await call("GET", "/ui/session", { cookie: "flexacs_session=forged" })).status).toBe(401);
  });

  test("changes need the session's CSRF token and its own origin; the API still decides the role", async () => {
    const noc = await login(tokens.noc);
    const path = "/ui/api/devices/00AA11-HG1-S1/tasks";
    expect((await call("POST", path, { cookie: noc.cookie, body: { name: "reboot" } })).status).toBe(403);
    expect((await call("POST", path, { cookie: noc.cookie, csrf: "wrong", body: { name: "reboot" } })).json.message).toContain("x-csrf-token");
    expect((await call("POST", path, { cookie: noc.cookie, csrf: noc.csrf, origin: "http://evil.example", body: { name: "reboot" } })).json.message).toContain("cross-origin");
    const forced = await call("POST", path, { cookie: noc.cookie, csrf: noc.csrf, origin: origin(), body: { name: "reboot" } });
    expect(forced.status).toBe(403);
    expect(forced.json.error).toBe("FLX_ERR_FORBIDDEN");
    expect(forced.json.message).toMatch(/^role noc may not /);
    expect(await acs.store.listTasks({ deviceId: "00AA11-HG1-S1" })).toEqual([]);

    const support = await login(tokens.support);
    const queued = await call("POST", path, { cookie: support.cookie, csrf: support.csrf, body: { name: "reboot" } });
    expect(queued.status).toBe(202);
    expect(queued.json.task).toMatchObject({ name: "reboot", status: "pending", createdBy: "support-desk" });
    const audit = await acs.store.listAudit({ deviceId: "00AA11-HG1-S1", action: "task.create" });
    expect(audit.map((a) => a.actor)).toEqual(["support-desk"]);
    expect((await call("DELETE", `/ui/api/tasks/${queued.json.task.id}`, { cookie: support.cookie, csrf: support.csrf })).status).toBe(204);
    expect((await call("GET", "/ui/api/audit", { cookie: support.cookie })).status).toBe(403);
  });

  test("reads through /ui/api are the API's, %-escaped ids included; dot segments are refused", async () => {
    const admin = await login(tokens.admin);
    const list = await call("GET", "/ui/api/devices?productClass=HG2&sort=id", { cookie: admin.cookie });
    expect(list.status).toBe(200);
    expect(list.json.items.map((d: { id: string }) => d.id)).toEqual(["00AA11-HG2-=HYPERLINK(1)", "00AA11-HG2-S3"]);
    expect((await call("GET", "/ui/api/devices?bogus=1", { cookie: admin.cookie })).json.message).toContain('unknown query parameter "bogus"');
    await acs.store.upsertDevice({ id: "00AA11-HG%201-S9", manufacturer: "Acme", oui: "00AA11", productClass: "HG 1", serialNumber: "S9" }, {});
    const escaped = await call("GET", `/ui/api/devices/${encodeURIComponent("00AA11-HG%201-S9")}`, { cookie: admin.cookie });
    expect(escaped.json).toMatchObject({ id: "00AA11-HG%201-S9", productClass: "HG 1" });
    await acs.store.deleteDevice("00AA11-HG%201-S9");
    const dots = await new Promise<number>((resolve, reject) => {
      // Raw path: URL objects (and fetch) would resolve the dots before sending.
      const { hostname, port } = new URL(acs.apiUrl);
      const req = httpRequest({ hostname, port, path: "/ui/api/x/../../metrics", headers: { cookie: admin.cookie } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(dots).toBe(400);
  });

  test("logout ends the session and clears the cookie; a revoked token ends its sessions", async () => {
    const noc = await login(tokens.noc);
    const out = await call("DELETE", "/ui/session", { cookie: noc.cookie, csrf: noc.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^flexacs_session=; Max-Age=0; Path=\/ui; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect((await call("GET", "/ui/api/devices", { cookie: noc.cookie })).status).toBe(401);
    const actions = (await acs.store.listAudit({ actor: "noc-wall" })).map((a) => a.action);
    expect(actions).toContain("ui.login");
    expect(actions).toContain("ui.logout");

    const temp = await createApiToken(acs.store, "temp-desk", "noc");
    const s = await login(temp.token);
    expect((await call("GET", "/ui/session", { cookie: s.cookie })).status).toBe(200);
    await acs.store.deleteToken("temp-desk");
    const after = await call("GET", "/ui/session", { cookie: s.cookie });
    expect(after.status).toBe(401);
    expect(after.json.message).toContain("revoked");
  });
});

describe("overview, metrics, export, pages", () => {
  test("GET /api/overview needs a token and counts from the store", async () => {
    expect((await call("GET", "/api/overview")).status).toBe(401);
    const o = await call("GET", "/api/overview", { bearer: tokens.noc });
    expect(o.status).toBe(200);
    expect(o.json.devices).toEqual({ total: 4, online: 0, offline: 3, neverSeen: 1 });
    expect(o.json.faults).toEqual({ lastHour: 2, atLeast: false, byCode: [{ code: "cwmp.9002", count: 2 }] });
    expect(o.json.tasks).toEqual({ pending: 1 });
    expect(o.json.onlineWindowMs).toBe(ONLINE_WINDOW_MS);
    expect(o.json.contacts.perMinute).toHaveLength(60);
    // Capabilities add their own blocks; with no line monitored, link rates show no open alert.
    const linkrate = o.json.sections.find((x: { id: string }) => x.id === "linkrate.alerts");
    expect(linkrate.data.byKind.length).toBeGreaterThan(0);
    expect(linkrate.data.byKind.every((k: { open: number }) => k.open === 0)).toBe(true);
    const models = await call("GET", "/api/device-models", { bearer: tokens.noc });
    expect(models.json).toEqual({ items: [{ productClass: "HG1", count: 2 }, { productClass: "HG2", count: 2 }], otherDevices: 0 });
  });

  test("GET /metrics: Prometheus text format behind an API token, counters fed by real sessions", async () => {
    expect((await call("GET", "/metrics")).status).toBe(401);
    await informOnce("M1");
    const res = await call("GET", "/metrics", { bearer: tokens.noc });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(res.text)?.[1]);
    expect(value('flexacs_devices{state="never_seen"}')).toBe(1);
    expect(value('flexacs_devices{state="offline"}') + value('flexacs_devices{state="online"}')).toBe(4);
    expect(value('flexacs_devices_by_model{product_class="LIVE"}')).toBe(1);
    expect(value('flexacs_devices_by_model{product_class="HG2"}')).toBe(2);
    expect(value("flexacs_tasks_pending")).toBe(1);
    expect(value("flexacs_informs_total")).toBeGreaterThanOrEqual(1);
    expect(value('flexacs_sessions_total{result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value("flexacs_session_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(res.text).toContain("# TYPE flexacs_session_duration_seconds histogram");
  });

  test("CSV export: the list's filters, every match, spreadsheet formulas neutralised", async () => {
    const admin = await login(tokens.admin);
    const res = await call("GET", "/ui/export/devices.csv?productClass=HG2&sort=id", { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="devices-\d{12}\.csv"$/);
    const lines = res.text.trim().split("\n");
    expect(lines[0]).toBe("id,manufacturer,oui,productClass,serialNumber,softwareVersion,hardwareVersion,dataModel,online,lastInformAt,lastBootAt,registeredAt,lastRemoteAddress,periodicInformInterval,tags");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^00AA11-HG2-=HYPERLINK\(1\),Acme,00AA11,HG2,'=HYPERLINK\(1\),/);
    expect(lines[2]).toMatch(/^00AA11-HG2-S3,/);
    const bad = await call("GET", "/ui/export/devices.csv?online=maybe", { cookie: admin.cookie });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe("FLX_ERR_VALIDATION");
    expect((await call("GET", "/ui/export/devices.csv")).status).toBe(401);
  });

  test("pages and uPlot are served under /ui with a strict Content-Security-Policy", async () => {
    const root = await call("GET", "/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/ui/");
    const index = await call("GET", "/ui/");
    expect(index.status).toBe(200);
    expect(index.text).toContain('<script type="module" src="app.js">');
    expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(index.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const uplot = await call("GET", "/ui/vendor/uplot/uPlot.esm.js");
    expect(uplot.status).toBe(200);
    expect(uplot.text).toContain("export { uPlot as default }");
    expect((await call("GET", "/ui/vendor/uplot/uPlot.cjs.js")).status).toBe(404);
  });
});

describe("live channel", () => {
  test("refuses a handshake without a session or from another origin", async () => {
    expect(await handshakeStatus({ origin: origin() })).toBe(401);
    const noc = await login(tokens.noc);
    expect(await handshakeStatus({ cookie: noc.cookie, origin: "http://evil.example" })).toBe(403);
  });

  test("pushes the overview and a watched device's events when a CPE informs", async () => {
    const noc = await login(tokens.noc);
    const live = await liveSocket(noc.cookie);
    expect(await live.next((m) => m.type === "hello")).toEqual({ type: "hello", name: "noc-wall", role: "noc" });
    const id = "00AA11-LIVE-L1";
    live.ws.send(JSON.stringify({ type: "watch", overview: true, devices: [id] }));
    const first = await live.next((m) => m.type === "overview");
    await informOnce("L1");
    const batch = await live.next((m) => m.type === "batch" && m.events.some((e: any) => e.deviceId === id && e.name === "session.ended"));
    expect(batch.counts["device.informed"]).toBeGreaterThanOrEqual(1);
    expect(batch.events.find((e: any) => e.name === "device.informed")).toMatchObject({ deviceId: id, events: ["2 PERIODIC"] });
    // L1 is new (total + 1) and online; a device of an earlier test may have gone offline meanwhile.
    const updated = await live.next((m) => m.type === "overview" && m.data.devices.total === first.data.devices.total + 1);
    expect(updated.data.devices.online).toBeGreaterThanOrEqual(1);

    live.ws.send("not json");
    expect((await live.next((m) => m.type === "error")).message).toContain('"type":"watch"');
    live.ws.close();
  });

  test("a burst of 1,500 sessions reaches a browser as one batch, with only its watched device's events", async () => {
    const noc = await login(tokens.noc);
    const live = await liveSocket(noc.cookie);
    live.ws.send(JSON.stringify({ type: "watch", overview: false, devices: ["dev-7"] }));
    expect(await live.next((m) => m.type === "watching")).toEqual({ type: "watching", overview: false, devices: 1 });
    for (let i = 0; i < 1500; i++) {
      acs.bus.emit("device.informed", { deviceId: `dev-${i % 100}`, serialNumber: `SN${i % 100}`, events: ["2 PERIODIC"], remoteAddress: "192.0.2.1", bootstrap: false });
      acs.bus.emit("session.ended", { deviceId: `dev-${i % 100}`, ok: true, durationMs: 20, rpcs: 0 });
    }
    const batch = await live.next((m) => m.type === "batch");
    // (A device of an earlier test may go offline in the same period: only these two counts are this test's.)
    expect([batch.counts["device.informed"], batch.counts["session.ended"]]).toEqual([1500, 1500]);
    expect(batch.events.every((e: any) => e.deviceId === "dev-7")).toBe(true);
    expect(batch.events).toHaveLength(20); // dev-7's 15 Informs and 15 session ends, the last 20 kept
    live.ws.close();
  });

  test("a device going offline is pushed once its last Inform leaves the online window", async () => {
    const noc = await login(tokens.noc);
    const live = await liveSocket(noc.cookie);
    const id = "00AA11-LIVE-OFF1";
    live.ws.send(JSON.stringify({ type: "watch", overview: true, devices: [id] }));
    await live.next((m) => m.type === "overview");
    await informOnce("OFF1");
    const offline = await live.next((m) => m.type === "batch" && m.events.some((e: any) => e.name === "device.offline" && e.deviceId === id));
    expect(offline.counts["device.offline"]).toBeGreaterThanOrEqual(1);
    const { lastInformAt } = (await acs.store.getDevice(id))!;
    expect(offline.at).toBeGreaterThan(lastInformAt! + ONLINE_WINDOW_MS);
    live.ws.close();
  });

  test("logging out closes the session's live sockets with 4401", async () => {
    const noc = await login(tokens.noc);
    const live = await liveSocket(noc.cookie);
    await live.next((m) => m.type === "hello");
    expect((await call("DELETE", "/ui/session", { cookie: noc.cookie, csrf: noc.csrf })).status).toBe(204);
    expect(await live.closed).toBe(4401);
  });
});
