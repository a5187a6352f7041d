// The REST API of a real ACS (startAcs: SQLite store, CWMP and API
// listeners on ephemeral loopback ports) over real HTTP. Devices for the
// filter and masking tests are registered through the store, as the CWMP
// listener would; the last tests drive a real simulated device.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { createApiToken } from "../../acs/api/tokens.ts";
import { startAcs, type RunningAcs } from "../../acs/app.ts";
import { parseConfig } from "../../acs/config.ts";
import type { DeviceUpdate, ParamRecord } from "../../acs/store/store.ts";

let dir: string;
let acs: RunningAcs;
const tokens = { admin: "", noc: "", support: "" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flexacs-api-"));
  acs = await startAcs(parseConfig([
    "--data-dir", dir, "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0",
    "--log-level", "silent", "--connection-request-timeout", "3s", "--api-body-limit", "64KiB",
  ], {}));
  tokens.admin = acs.initialAdminToken!;
  tokens.noc = (await createApiToken(acs.store, "noc-desk", "noc")).token;
  tokens.support = (await createApiToken(acs.store, "support-desk", "support")).token;
});

afterAll(async () => {
  await acs?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(new URL(path, acs.apiUrl), { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}

const HOUR = 3_600_000;
async function addDevice(serial: string, productClass: string, update: DeviceUpdate, params: Record<string, string> = {}): Promise<string> {
  const id = `00AA11-${productClass}-${serial}`;
  await acs.store.upsertDevice({ id, manufacturer: "Acme", oui: "00AA11", productClass, serialNumber: serial }, update);
  const set = new Map<string, ParamRecord>(Object.entries(params).map(([path, value]) => [path, { value, type: "xsd:string", writable: true, ts: Date.now() }]));
  if (set.size) await acs.store.updateParameters(id, set);
  return id;
}

describe("seeded devices", () => {
  const now = Date.now();
  let fresh: string;
  let stale: string;
  let tagged: string;

  beforeAll(async () => {
    fresh = await addDevice("S1", "HG8245", { lastInformAt: now, softwareVersion: "2.0", tags: [] }, {
      "Device.WiFi.SSID.1.SSID": "home-wifi",
      "Device.WiFi.AccessPoint.1.Security.KeyPassphrase": "hunter2-passphrase",
      "Device.WiFi.AccessPoint.2.Security.KeyPassphrase": "",
      "Device.ManagementServer.ConnectionRequestPassword": "cr-secret-value",
    });
    stale = await addDevice("S2", "HG8245", { lastInformAt: now - 5 * HOUR, softwareVersion: "1.0" });
    tagged = await addDevice("S3", "FritzBox", { lastInformAt: now - 2 * HOUR, softwareVersion: "2.0", tags: ["quarantined"] });
    await acs.store.setCredentials(fresh, { cpeUsername: "cpe-user", cpeHa1: "0123456789abcdef0123456789abcdef", connectionRequestUsername: "cr-user", connectionRequestPassword: "cr-password-stored" });
  });

  test("no token, a malformed header or a bad token: 401", async () => {
    const none = await call("GET", "/api/devices", null);
    expect(none.status).toBe(401);
    expect(none.json.error).toBe("FLX_ERR_UNAUTHORIZED");
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await call("GET", "/api/devices", `${tokens.admin}x`)).status).toBe(401);
    const basic = await fetch(new URL("/api/devices", acs.apiUrl), { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } });
    expect(basic.status).toBe(401);
  });

  test("a revoked token stops working", async () => {
    const { token } = await createApiToken(acs.store, "short-lived", "noc");
    expect((await call("GET", "/api/devices", token)).status).toBe(200);
    await acs.store.deleteToken("short-lived");
    expect((await call("GET", "/api/devices", token)).status).toBe(401);
  });

  test("noc reads devices and the audit trail but cannot create tasks", async () => {
    expect((await call("GET", "/api/devices", tokens.noc)).status).toBe(200);
    expect((await call("GET", "/api/audit", tokens.noc)).status).toBe(200);
    const res = await call("POST", `/api/devices/${fresh}/tasks`, tokens.noc, { name: "reboot" });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: "FLX_ERR_FORBIDDEN", message: "role noc may not run tasks" });
    expect((await call("DELETE", `/api/devices/${stale}`, tokens.noc)).status).toBe(403);
  });

  test("support may reboot but not setParameterValues, delete devices or read the audit trail", async () => {
    const reboot = await call("POST", `/api/devices/${fresh}/tasks`, tokens.support, { name: "reboot" });
    expect(reboot.status).toBe(202);
    expect(reboot.json.task).toMatchObject({ name: "reboot", status: "pending", createdBy: "support-desk", deviceId: fresh });
    const set = await call("POST", `/api/devices/${fresh}/tasks`, tokens.support, { name: "setParameterValues", parameterValues: [["Device.WiFi.SSID.1.SSID", "x"]] });
    expect(set.status).toBe(403);
    expect(set.json.message).toBe("role support may not run setParameterValues tasks");
    expect((await call("DELETE", `/api/devices/${stale}`, tokens.support)).status).toBe(403);
    expect((await call("GET", "/api/audit", tokens.support)).status).toBe(403);
  });

  test("admin may setParameterValues; the queued task masks the passphrase it carries", async () => {
    const res = await call("POST", `/api/devices/${fresh}/tasks`, tokens.admin, {
      name: "setParameterValues",
      parameterValues: [["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "new-secret-passphrase"], ["Device.WiFi.SSID.1.SSID", "guest", "xsd:string"]],
    });
    expect(res.status).toBe(202);
    expect(res.json.connectionRequest).toBeNull();
    expect(res.json.task.args.parameterValues).toEqual([["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "********"], ["Device.WiFi.SSID.1.SSID", "guest", "xsd:string"]]);
    // The device still gets the real value: only reads are masked.
    const stored = await acs.store.getTask(res.json.task.id);
    expect(stored!.args.parameterValues).toEqual([["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "new-secret-passphrase"], ["Device.WiFi.SSID.1.SSID", "guest", "xsd:string"]]);
    const read = await call("GET", `/api/tasks/${res.json.task.id}`, tokens.noc);
    expect(read.text).not.toContain("new-secret-passphrase");
    const audit = await call("GET", `/api/audit?device=${fresh}&action=task.create`, tokens.admin);
    expect(audit.json.items[0]).toMatchObject({ actor: "admin", action: "task.create", detail: { taskId: res.json.task.id, name: "setParameterValues" } });
    expect(audit.text).not.toContain("new-secret-passphrase");
  });

  test("validation errors name the field", async () => {
    const cases: [unknown, string][] = [
      [{ name: "setParameterValues", parameterValues: [["not a path", "x"]] }, "parameterValues[0][0] must be a parameter path (e.g. Device.WiFi.SSID.1.SSID)"],
      [{ name: "setParameterValues", parameterValues: [["Device.WiFi.SSID.1.SSID", "x", "xsd:float"]] }, "parameterValues[0][2] must be one of: xsd:string, xsd:int, xsd:unsignedInt, xsd:long, xsd:unsignedLong, xsd:boolean, xsd:dateTime, xsd:base64, xsd:hexBinary"],
      [{ name: "setParameterValues", parameterValues: [["Device.WiFi.SSID.1.SSID"]] }, "parameterValues[0] must have at least 2 item(s)"],
      [{ name: "setParameterValues" }, "parameterValues is required"],
      [{ name: "addObject", objectName: "Device.IP.Interface" }, 'objectName must be an object path ending with "." (e.g. Device.IP.Interface.)'],
      [{ name: "download", fileType: "1 Firmware Upgrade Image", url: "file:///etc/passwd" }, "url must be an http, https or ftp URL"],
      [{ name: "launchMissiles" }, "name must be one of: getParameterValues, setParameterValues, refreshObject, addObject, deleteObject, reboot, factoryReset, download"],
      [{ name: "reboot", delay: 5 }, "delay is not a known field"],
      [{}, "name is required"],
    ];
    for (const [body, message] of cases) {
      const res = await call("POST", `/api/devices/${fresh}/tasks`, tokens.admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toEqual({ error: "FLX_ERR_VALIDATION", message });
    }
    const query = await call("GET", "/api/devices?query=%7B%7D", tokens.noc);
    expect(query.status).toBe(400);
    expect(query.json.message).toBe('unknown query parameter "query"');
    expect((await call("GET", "/api/devices?limit=0", tokens.noc)).json.message).toBe("limit must be >= 1");
    expect((await call("GET", "/api/devices?lastInformAfter=yesterday", tokens.noc)).json.message).toBe('lastInformAfter must be an ISO 8601 date or epoch milliseconds (got "yesterday")');
    expect((await call("POST", `/api/devices/${fresh}/tasks`, tokens.admin, "{not json")).status).toBe(400);
  });

  test("bodies over the limit get a clear 413", async () => {
    const res = await call("POST", `/api/devices/${fresh}/tasks`, tokens.admin, { name: "reboot", pad: "x".repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: "FLX_ERR_BODY_TOO_LARGE", message: `request body exceeds ${64 * 1024} bytes` });
  });

  test("device list: filters", async () => {
    const ids = async (qs: string): Promise<string[]> => {
      const res = await call("GET", `/api/devices?${qs}`, tokens.noc);
      expect(res.status, qs).toBe(200);
      return res.json.items.map((d: { id: string }) => d.id).sort();
    };
    expect(await ids("productClass=HG8245")).toEqual([fresh, stale].sort());
    expect(await ids("softwareVersion=2.0")).toEqual([fresh, tagged].sort());
    expect(await ids("search=fritz")).toEqual([tagged]);
    expect(await ids("tag=quarantined")).toEqual([tagged]);
    expect(await ids(`id=${encodeURIComponent(stale)}`)).toEqual([stale]);
    expect(await ids("online=true")).toEqual([fresh]);
    expect(await ids("online=false")).toEqual([stale, tagged].sort());
    expect(await ids(`lastInformAfter=${new Date(now - 3 * HOUR).toISOString()}`)).toEqual([fresh, tagged].sort());
    expect(await ids(`lastInformAfter=${now - 3 * HOUR}&productClass=HG8245`)).toEqual([fresh]);
    const one = await call("GET", `/api/devices?id=${encodeURIComponent(fresh)}`, tokens.noc);
    expect(one.json.items[0]).toMatchObject({ id: fresh, online: true, productClass: "HG8245", softwareVersion: "2.0", lastInformAt: new Date(now).toISOString() });
  });

  test("device list: sort and paging", async () => {
    const page = async (qs: string) => (await call("GET", `/api/devices?sort=lastInformAt&order=desc&${qs}`, tokens.noc)).json;
    const all = await page("limit=10");
    expect(all.items.map((d: { id: string }) => d.id)).toEqual([fresh, tagged, stale]);
    const first = await page("limit=2&offset=0");
    const second = await page("limit=2&offset=2");
    expect(first.total).toBe(3);
    expect(second.total).toBe(3);
    expect(first.items.map((d: { id: string }) => d.id)).toEqual([fresh, tagged]);
    expect(second.items.map((d: { id: string }) => d.id)).toEqual([stale]);
  });

  test("device detail masks secrets and never shows credentials", async () => {
    const res = await call("GET", `/api/devices/${encodeURIComponent(fresh)}`, tokens.noc);
    expect(res.status).toBe(200);
    expect(res.json.parameters["Device.WiFi.SSID.1.SSID"]).toMatchObject({ value: "home-wifi", type: "xsd:string", writable: true });
    expect(res.json.parameters["Device.WiFi.AccessPoint.1.Security.KeyPassphrase"].value).toBe("********");
    expect(res.json.parameters["Device.WiFi.AccessPoint.2.Security.KeyPassphrase"].value).toBe("");
    expect(res.json.parameters["Device.ManagementServer.ConnectionRequestPassword"].value).toBe("********");
    for (const secret of ["hunter2-passphrase", "cr-secret-value", "cr-password-stored", "0123456789abcdef0123456789abcdef", "cpe-user", "cr-user"]) {
      expect(res.text).not.toContain(secret);
    }
    const only = await call("GET", `/api/devices/${encodeURIComponent(fresh)}?parameters=Device.WiFi.SSID.`, tokens.noc);
    expect(Object.keys(only.json.parameters)).toEqual(["Device.WiFi.SSID.1.SSID"]);
    expect((await call("GET", "/api/devices/no-such-device", tokens.noc)).status).toBe(404);
  });

  test("task lifecycle for an offline device: 202 with the failed wake, list, read, delete", async () => {
    const offline = await addDevice("S4", "HG8245", { lastInformAt: now - HOUR, connectionRequestUrl: null });
    const res = await call("POST", `/api/devices/${offline}/tasks?connection_request&timeout=1000`, tokens.support, { name: "getParameterValues", parameterNames: ["Device.DeviceInfo."] });
    expect(res.status).toBe(202);
    expect(res.json.task).toMatchObject({ status: "pending", name: "getParameterValues", args: { parameterNames: ["Device.DeviceInfo."] } });
    expect(res.json.connectionRequest.ok).toBe(false);
    expect(typeof res.json.connectionRequest.reason).toBe("string");
    const id = res.json.task.id;

    const listed = await call("GET", `/api/tasks?device=${offline}&status=pending`, tokens.noc);
    expect(listed.json.items.map((t: { id: string }) => t.id)).toEqual([id]);
    expect((await call("GET", `/api/tasks/${id}`, tokens.noc)).json).toMatchObject({ id, status: "pending", attempts: 0, createdBy: "support-desk" });
    expect((await call("POST", `/api/tasks/${id}/retry`, tokens.support)).status).toBe(409);
    expect((await call("DELETE", `/api/tasks/${id}`, tokens.noc)).status).toBe(403);
    expect((await call("DELETE", `/api/tasks/${id}`, tokens.support)).status).toBe(204);
    expect((await call("GET", `/api/tasks/${id}`, tokens.noc)).status).toBe(404);
    const audit = await call("GET", `/api/audit?device=${offline}`, tokens.admin);
    expect(audit.json.items.map((e: { action: string; actor: string }) => `${e.actor} ${e.action}`)).toEqual(["support-desk task.delete", "support-desk task.create"]);

    expect((await call("POST", "/api/devices/no-such-device/tasks", tokens.admin, { name: "reboot" })).status).toBe(404);
  });

  test("admin deletes a device; it and its tasks are gone, the audit stays", async () => {
    const doomed = await addDevice("S5", "Doomed", { lastInformAt: now });
    await call("POST", `/api/devices/${doomed}/tasks`, tokens.admin, { name: "reboot" });
    expect((await call("DELETE", `/api/devices/${doomed}`, tokens.admin)).status).toBe(204);
    expect((await call("GET", `/api/devices/${doomed}`, tokens.noc)).status).toBe(404);
    expect((await call("GET", `/api/tasks?device=${doomed}`, tokens.noc)).json.items).toEqual([]);
    expect((await call("DELETE", `/api/devices/${doomed}`, tokens.admin)).status).toBe(404);
    const audit = await call("GET", `/api/audit?device=${doomed}&actor=admin`, tokens.noc);
    expect(audit.json.items.map((e: { action: string }) => e.action)).toEqual(["device.delete", "task.create"]);
  });
});

describe("a real simulated device", () => {
  let fleet: Fleet;
  let deviceId: string;

  beforeAll(async () => {
    const informed = new Promise<string>((resolve) => {
      const off = acs.bus.on("device.informed", ({ deviceId: id }) => {
        off();
        resolve(id);
      });
    });
    fleet = await startFleet({
      acsUrl: acs.cwmpUrl, count: 1, model: "router-tr181", stateDir: join(dir, "fleet"),
      username: "flexacs", password: "flexacs-bootstrap", crUsername: "cr-user", crPassword: "cr-password",
    });
    // bootAll resolves once the registration session is over, so a connection request can open the next one.
    const [boot] = await fleet.bootAll();
    expect(boot).toMatchObject({ ok: true });
    deviceId = await informed;
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  test("setParameterValues with connection_request: 200 done, the value reads back", async () => {
    const path = "Device.WiFi.SSID.1.SSID";
    const res = await call("POST", `/api/devices/${encodeURIComponent(deviceId)}/tasks?connection_request&timeout=20000`, tokens.admin, { name: "setParameterValues", parameterValues: [[path, "flexacs-test-ssid"]] });
    expect(res.status).toBe(200);
    expect(res.json.task.status).toBe("done");
    expect(res.json.connectionRequest).toMatchObject({ ok: true, via: "http" });
    const device = await call("GET", `/api/devices/${encodeURIComponent(deviceId)}?parameters=${path}`, tokens.noc);
    expect(device.json.parameters[path].value).toBe("flexacs-test-ssid");
    expect(device.json.online).toBe(true);
  });

  test("a passphrase set on the device never reads back", async () => {
    const path = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase";
    const device = `/api/devices/${encodeURIComponent(deviceId)}`;
    const set = await call("POST", `${device}/tasks?connection_request&timeout=20000`, tokens.admin, { name: "setParameterValues", parameterValues: [[path, "real-device-passphrase"]] });
    expect(set.status).toBe(200);
    expect(set.json.task.status).toBe("done");
    expect(set.text).not.toContain("real-device-passphrase");
    // The ACS keeps no copy of a secret it set: the tree holds "", as CPEs read secrets back.
    const afterSet = await call("GET", device, tokens.noc);
    expect(afterSet.json.parameters[path].value).toBe("");
    expect(afterSet.text).not.toContain("real-device-passphrase");

    const read = await call("POST", `${device}/tasks?connection_request&timeout=20000`, tokens.support, { name: "getParameterValues", parameterNames: [path] });
    expect(read.status).toBe(200);
    expect(read.json.task.status).toBe("done");
    expect(read.text).not.toContain("real-device-passphrase");
    expect((await call("GET", device, tokens.noc)).text).not.toContain("real-device-passphrase");
    expect((await call("GET", `/api/audit?device=${encodeURIComponent(deviceId)}`, tokens.admin)).text).not.toContain("real-device-passphrase");
  });

  test("a task the device rejects: 200 with status fault, listed in faults, retried back to pending", async () => {
    const res = await call("POST", `/api/devices/${encodeURIComponent(deviceId)}/tasks?connection_request&timeout=20000`, tokens.admin, { name: "setParameterValues", parameterValues: [["Device.NoSuchObject.Parameter", "1"]] });
    expect(res.status).toBe(200);
    expect(res.json.task.status).toBe("fault");
    expect(res.json.task.fault.code).toMatch(/^cwmp\.9\d{3}$/);
    const faults = await call("GET", `/api/faults?device=${encodeURIComponent(deviceId)}`, tokens.noc);
    const fault = faults.json.items.find((f: { channel: string }) => f.channel === `task:${res.json.task.id}`);
    expect(fault).toMatchObject({ deviceId, code: res.json.task.fault.code });

    const retried = await call("POST", `/api/tasks/${res.json.task.id}/retry`, tokens.admin);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ status: "pending", attempts: 0, fault: null });
    expect((await call("DELETE", `/api/tasks/${res.json.task.id}`, tokens.admin)).status).toBe(204);

    expect((await call("DELETE", `/api/faults/${fault.id}`, tokens.support)).status).toBe(403);
    expect((await call("DELETE", `/api/faults/${fault.id}`, tokens.admin)).status).toBe(204);
    const after = await call("GET", `/api/faults?device=${encodeURIComponent(deviceId)}`, tokens.noc);
    expect(after.json.items.map((f: { id: string }) => f.id)).not.toContain(fault.id);
  });
});
