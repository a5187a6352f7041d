// The CPE-facing listener end to end: real sockets on 127.0.0.1, the real
// SQLite store, scripted CPE conversations in real CWMP XML.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { serializeEnvelope } from "../../acs/cwmp/codec.ts";
import { basicAuthorization } from "../../acs/cwmp/digest.ts";
import type { Envelope } from "../../acs/cwmp/messages.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";
import { selfSigned } from "./helpers/self-signed.ts";
import { informParams, NS, ScriptedCpe, type CpeResponse } from "./helpers/scripted-cpe.ts";

const DEVICE_ID = "00D09E-HGW-SN0001";

let acs: AcsUnderTest | null = null;
const cpes: ScriptedCpe[] = [];

afterEach(async () => {
  for (const c of cpes.splice(0)) c.close();
  await acs?.close();
  acs = null;
});

async function start(...args: Parameters<typeof AcsUnderTest.start>): Promise<AcsUnderTest> {
  acs = await AcsUnderTest.start(...args);
  return acs;
}

function cpe(a: AcsUnderTest, opts: Partial<ConstructorParameters<typeof ScriptedCpe>[0]> = {}): ScriptedCpe {
  const c = new ScriptedCpe({ url: a.url, username: BOOT.username, password: BOOT.password, ...opts });
  cpes.push(c);
  return c;
}

function acsRequest(r: CpeResponse): Envelope {
  expect(r.status).toBe(200);
  expect(r.envelope).not.toBeNull();
  return r.envelope!;
}

/** Inform, then the empty POST: returns the ACS's first request (or the 204). */
async function openSession(c: ScriptedCpe, events = ["2 PERIODIC"]): Promise<CpeResponse> {
  const informed = await c.inform(events);
  expect(informed.envelope?.body.kind).toBe("InformResponse");
  return c.emptyPost();
}

/** Raw POST with its own socket and headers (no Digest, no cookie). */
function rawPost(url: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("CWMP sessions", () => {
  it("periodic session: Inform -> InformResponse -> empty POST -> 204, device registered with its Inform data", async () => {
    const a = await start();
    const c = cpe(a);
    const informed = await c.inform(["0 BOOTSTRAP", "1 BOOT"], informParams("http://127.0.0.1:7547/cr"));
    expect(informed.status).toBe(200);
    expect(informed.headers["content-type"]).toBe('text/xml; charset="utf-8"');
    expect(informed.headers["set-cookie"]?.[0]).toMatch(/^session=[A-Za-z0-9_-]+; Path=\/; HttpOnly$/);
    expect(informed.envelope).toMatchObject({ namespace: NS, id: "inf-1", body: { kind: "InformResponse", maxEnvelopes: 1 } });

    const end = await c.emptyPost();
    expect(end.status).toBe(204);
    expect(end.headers.connection).toBe("close");
    expect(end.text).toBe("");

    const device = await a.store.getDevice(DEVICE_ID);
    expect(device).toMatchObject({
      oui: "00D09E", productClass: "HGW", serialNumber: "SN0001", manufacturer: "ExampleCo",
      softwareVersion: "3.2.14", hardwareVersion: "HW-1.0", dataModel: "tr181",
      lastRemoteAddress: "127.0.0.1", connectionRequestUrl: "http://127.0.0.1:7547/cr",
      periodicInformInterval: 300, lastEvents: ["0 BOOTSTRAP", "1 BOOT"],
    });
    expect(device?.lastBootAt).toBe(device?.lastInformAt);
    const params = await a.store.getParameters(DEVICE_ID, ["Device.DeviceInfo."]);
    expect(params.get("Device.DeviceInfo.SoftwareVersion")).toMatchObject({ value: "3.2.14", type: "xsd:string" });
    expect(a.named("device.registered")).toEqual([{ deviceId: DEVICE_ID }]);
    expect(a.named("device.informed")).toEqual([{ deviceId: DEVICE_ID, serialNumber: "SN0001", events: ["0 BOOTSTRAP", "1 BOOT"], remoteAddress: "127.0.0.1", bootstrap: true }]);
    expect(a.named("session.ended")).toMatchObject([{ deviceId: DEVICE_ID, ok: true, rpcs: 0 }]);

    // A later periodic session: no new registration, new values land in the store.
    const c2 = cpe(a);
    const upgraded = informParams("http://127.0.0.1:7547/cr").map((p) => (p.name === "Device.DeviceInfo.SoftwareVersion" ? { ...p, value: "3.2.15" } : p));
    await c2.inform(["2 PERIODIC"], upgraded);
    expect((await c2.emptyPost()).status).toBe(204);
    expect(a.named("device.registered")).toHaveLength(1);
    expect(await a.store.getDevice(DEVICE_ID)).toMatchObject({ softwareVersion: "3.2.15", lastEvents: ["2 PERIODIC"], lastBootAt: device?.lastBootAt });
    expect((await a.store.getParameters(DEVICE_ID, ["Device.DeviceInfo.SoftwareVersion"])).get("Device.DeviceInfo.SoftwareVersion")?.value).toBe("3.2.15");
  });

  it("CWMP 1.4 CPE: the InformResponse selects the version with UseCWMPVersion", async () => {
    const a = await start();
    const r = await cpe(a).inform(["2 PERIODIC"], informParams(), { supportedCWMPVersions: "1.0,1.1,1.2,1.3,1.4" });
    expect(r.envelope).toMatchObject({ useCWMPVersion: "1.4", body: { kind: "InformResponse" } });
  });

  it("queued tasks are delivered in order and done only once the device confirms them", async () => {
    const a = await start();
    await cpe(a).inform(["0 BOOTSTRAP"]); // registers the device (session left to expire)
    const spv = await a.store.addTask({
      deviceId: DEVICE_ID, name: "setParameterValues", createdBy: "test",
      args: { parameterValues: [["Device.WiFi.SSID.1.SSID", "Home-4F2A"], ["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "correct-horse", "xsd:string"]] },
    });
    const gpv = await a.store.addTask({ deviceId: DEVICE_ID, name: "getParameterValues", createdBy: "test", args: { parameterNames: ["Device.WiFi.Radio.1."] } });

    const c = cpe(a);
    const first = acsRequest(await openSession(c));
    expect(first.body).toEqual({
      kind: "SetParameterValues",
      parameterList: [
        { name: "Device.WiFi.SSID.1.SSID", value: "Home-4F2A", type: "xsd:string" },
        { name: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", value: "correct-horse", type: "xsd:string" },
      ],
      parameterKey: spv.id,
    });
    expect((await a.store.getTask(spv.id))?.status).toBe("pending");

    const second = acsRequest(await c.respond(first, { kind: "SetParameterValuesResponse", status: 0 }));
    expect(await a.store.getTask(spv.id)).toMatchObject({ status: "done", result: { status: 0 }, attempts: 1 });
    expect(second.body).toEqual({ kind: "GetParameterValues", parameterNames: ["Device.WiFi.Radio.1."] });

    const end = await c.respond(second, {
      kind: "GetParameterValuesResponse",
      parameterList: [{ name: "Device.WiFi.Radio.1.Channel", value: "6", type: "xsd:unsignedInt" }],
    });
    expect(end.status).toBe(204);
    expect(await a.store.getTask(gpv.id)).toMatchObject({ status: "done", result: { parameterValues: [["Device.WiFi.Radio.1.Channel", "6", "xsd:unsignedInt"]] } });

    const params = await a.store.getParameters(DEVICE_ID, ["Device.WiFi."]);
    expect(params.get("Device.WiFi.SSID.1.SSID")).toMatchObject({ value: "Home-4F2A", writable: true });
    // The passphrase is kept as the device reads it back (empty), never in clear.
    expect(params.get("Device.WiFi.AccessPoint.1.Security.KeyPassphrase")?.value).toBe("");
    expect(params.get("Device.WiFi.Radio.1.Channel")).toMatchObject({ value: "6", type: "xsd:unsignedInt" });
    expect(a.named("task.done").map((e) => e.task.id)).toEqual([spv.id, gpv.id]);
    expect(a.named("session.ended").at(-1)).toMatchObject({ deviceId: DEVICE_ID, ok: true, rpcs: 2 });
  });

  it("refreshObject reads names then values and replaces the subtree: vanished instances are deleted", async () => {
    const a = await start();
    await cpe(a).inform(["0 BOOTSTRAP"]);
    const ts = Date.now();
    await a.store.updateParameters(DEVICE_ID, new Map([
      ["Device.WiFi.SSID.1.", { value: "", type: "object", writable: true, ts }],
      ["Device.WiFi.SSID.1.SSID", { value: "old", type: "xsd:string", writable: true, ts }],
      ["Device.WiFi.SSID.2.", { value: "", type: "object", writable: true, ts }],
      ["Device.WiFi.SSID.2.SSID", { value: "gone", type: "xsd:string", writable: true, ts }],
    ]));
    const task = await a.store.addTask({ deviceId: DEVICE_ID, name: "refreshObject", createdBy: "test", args: { objectName: "Device.WiFi.SSID." } });

    const c = cpe(a);
    const gpn = acsRequest(await openSession(c));
    expect(gpn.body).toEqual({ kind: "GetParameterNames", parameterPath: "Device.WiFi.SSID.", nextLevel: false });
    const gpv = acsRequest(await c.respond(gpn, {
      kind: "GetParameterNamesResponse",
      parameterList: [
        { name: "Device.WiFi.SSID.", writable: true },
        { name: "Device.WiFi.SSID.1.", writable: true },
        { name: "Device.WiFi.SSID.1.SSID", writable: true },
        { name: "Device.WiFi.SSID.1.Status", writable: false },
      ],
    }));
    expect(gpv.body).toEqual({ kind: "GetParameterValues", parameterNames: ["Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.1.Status"] });
    expect((await a.store.getTask(task.id))?.status).toBe("pending");
    const end = await c.respond(gpv, {
      kind: "GetParameterValuesResponse",
      parameterList: [
        { name: "Device.WiFi.SSID.1.SSID", value: "new", type: "xsd:string" },
        { name: "Device.WiFi.SSID.1.Status", value: "Up", type: "xsd:string" },
      ],
    });
    expect(end.status).toBe(204);
    expect((await a.store.getTask(task.id))?.status).toBe("done");
    const tree = await a.store.getParameters(DEVICE_ID, ["Device.WiFi.SSID."]);
    expect([...tree.keys()].sort()).toEqual(["Device.WiFi.SSID.", "Device.WiFi.SSID.1.", "Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.1.Status"]);
    expect(tree.get("Device.WiFi.SSID.1.SSID")).toMatchObject({ value: "new", writable: true });
    expect(tree.get("Device.WiFi.SSID.1.Status")).toMatchObject({ value: "Up", writable: false });
  });

  it("a CPE fault: 9007 (invalid value) ends the task at once; 9002 (internal error) is retried later", async () => {
    const a = await start();
    await cpe(a).inform(["0 BOOTSTRAP"]);
    const bad = await a.store.addTask({
      deviceId: DEVICE_ID, name: "setParameterValues", createdBy: "test",
      args: { parameterValues: [["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "short", "xsd:string"]] },
    });
    const flaky = await a.store.addTask({ deviceId: DEVICE_ID, name: "reboot", createdBy: "test", args: {} });

    const c = cpe(a);
    const spv = acsRequest(await openSession(c));
    const reboot = acsRequest(await c.respond(spv, {
      kind: "Fault", faultCode: "Client", faultString: "CWMP fault", code: 9003, message: "Invalid arguments",
      setParameterValuesFaults: [{ parameterName: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", faultCode: 9007, faultString: "Invalid parameter value" }],
    }));
    expect(reboot.body).toMatchObject({ kind: "Reboot", commandKey: flaky.id });
    const end = await c.respond(reboot, { kind: "Fault", faultCode: "Server", faultString: "CWMP fault", code: 9002, message: "Internal error", setParameterValuesFaults: [] });
    expect(end.status).toBe(204);

    expect(await a.store.getTask(bad.id)).toMatchObject({ status: "fault", fault: { code: "cwmp.9003" } });
    const retried = await a.store.getTask(flaky.id);
    expect(retried).toMatchObject({ status: "pending", attempts: 1, fault: { code: "cwmp.9002" } });
    expect(retried!.notBefore).toBeGreaterThan(Date.now());

    const faults = await a.store.listFaults({ deviceId: DEVICE_ID });
    const spvFault = faults.find((f) => f.channel === `task:${bad.id}`);
    expect(spvFault).toMatchObject({ code: "cwmp.9003", detail: { setParameterValuesFaults: [{ faultCode: 9007 }] }, rpc: { kind: "SetParameterValues" } });
    // The faulty RPC is kept for diagnosis, without the secret it carried.
    expect(JSON.stringify(spvFault!.rpc)).not.toContain("short");
    expect(faults.some((f) => f.channel === `task:${flaky.id}` && f.code === "cwmp.9002")).toBe(true);
    expect(a.named("task.fault").map((e) => [e.task.id, e.task.status])).toEqual([[bad.id, "fault"], [flaky.id, "pending"]]);
    expect(a.named("fault.recorded")).toHaveLength(2);

    // Not delivered again before its backoff: the next session has nothing to do.
    expect((await openSession(cpe(a))).status).toBe(204);
  });

  it("the device dies mid-session: the task stays pending and is delivered at the next session", async () => {
    const a = await start();
    await cpe(a).inform(["0 BOOTSTRAP"]);
    const task = await a.store.addTask({ deviceId: DEVICE_ID, name: "setParameterValues", createdBy: "test", args: { parameterValues: [["Device.WiFi.SSID.1.SSID", "x"]] } });

    const dying = cpe(a);
    expect(acsRequest(await openSession(dying)).body.kind).toBe("SetParameterValues");
    dying.kill(); // socket destroyed after receiving the SPV, no response
    expect(await a.store.getTask(task.id)).toMatchObject({ status: "pending", attempts: 1 });

    // It comes back (reboot): the new session preempts the dead one and gets the task again.
    const back = cpe(a);
    const spv = acsRequest(await openSession(back, ["1 BOOT"]));
    expect(spv.body).toMatchObject({ kind: "SetParameterValues", parameterKey: task.id });
    expect((await back.respond(spv, { kind: "SetParameterValuesResponse", status: 0 })).status).toBe(204);
    expect(await a.store.getTask(task.id)).toMatchObject({ status: "done", attempts: 2 });
    expect(a.named("session.ended").map((e) => e.ok)).toContain(false);
  });

  it("an idle session is dropped after the timeout, its lease on a shared store released, and nothing is lost", async () => {
    const a = await start({ sessionIdleTimeoutMs: 150 }, { sharedStore: true });
    await cpe(a).inform(["0 BOOTSTRAP"]);
    const since = a.events.length;
    const task = await a.store.addTask({ deviceId: DEVICE_ID, name: "reboot", createdBy: "test", args: {} });
    const silent = cpe(a);
    expect(acsRequest(await openSession(silent)).body.kind).toBe("Reboot");
    // The CPE never answers; the ACS gives up on its own.
    expect(await a.next("session.ended", (e) => e.rpcs === 1, since)).toMatchObject({ deviceId: DEVICE_ID, ok: false });
    expect((await a.store.getTask(task.id))?.status).toBe("pending");
    expect(await a.store.acquireLease(`session:${DEVICE_ID}`, "another-instance", 1000)).toBe(true);
    await a.store.releaseLease(`session:${DEVICE_ID}`, "another-instance");

    const c = cpe(a);
    const reboot = acsRequest(await openSession(c));
    expect((await c.respond(reboot, { kind: "RebootResponse" })).status).toBe(204);
    expect((await a.store.getTask(task.id))?.status).toBe("done");
  });

  it("ACS restart: queued tasks and a task in flight when the ACS died are delivered by the new process", async () => {
    const a = await start();
    await cpe(a).inform(["0 BOOTSTRAP"]);
    const inFlight = await a.store.addTask({ deviceId: DEVICE_ID, name: "factoryReset", createdBy: "test", args: {} });
    const c = cpe(a);
    expect(acsRequest(await openSession(c)).body.kind).toBe("FactoryReset");
    await a.restart(); // the ACS goes away before the CPE answers
    c.close();
    const queued = await a.store.addTask({ deviceId: DEVICE_ID, name: "getParameterValues", createdBy: "test", args: { parameterNames: ["Device.DeviceInfo.UpTime"] } });

    const again = cpe(a);
    const fr = acsRequest(await openSession(again));
    expect(fr.body.kind).toBe("FactoryReset");
    const gpv = acsRequest(await again.respond(fr, { kind: "FactoryResetResponse" }));
    expect(gpv.body).toEqual({ kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] });
    await again.respond(gpv, { kind: "GetParameterValuesResponse", parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "42", type: "xsd:unsignedInt" }] });
    expect((await a.store.getTask(inFlight.id))?.status).toBe("done");
    expect((await a.store.getTask(queued.id))?.status).toBe("done");
  });

  it("HoldRequests: the CPE sends what it held after the ACS is done", async () => {
    const a = await start({ holdRequests: true });
    const c = cpe(a);
    expect((await c.inform(["1 BOOT"])).envelope).toMatchObject({ holdRequests: true, body: { kind: "InformResponse" } });
    const lifted = await c.emptyPost();
    expect(lifted.status).toBe(204);
    expect(lifted.headers.connection).not.toBe("close");
    const tc = await c.post(serializeEnvelope({
      namespace: NS, id: "tc-1",
      body: { kind: "TransferComplete", commandKey: "none", fault: { faultCode: 0, faultString: "" }, startTime: "2025-05-01T10:20:02Z", completeTime: "2025-05-01T10:24:41Z" },
    }));
    expect(tc.envelope).toMatchObject({ id: "tc-1", body: { kind: "TransferCompleteResponse" } });
    expect((await c.emptyPost()).status).toBe(204);
    expect(a.named("session.ended")).toMatchObject([{ ok: true }]);
  });
});

describe("CWMP protocol edges", () => {
  it("a CPE that drops cookies keeps its session on its TCP connection", async () => {
    const a = await start();
    await cpe(a).inform(["0 BOOTSTRAP"]);
    await a.store.addTask({ deviceId: DEVICE_ID, name: "reboot", createdBy: "test", args: {} });
    const c = cpe(a, { dropCookies: true });
    const reboot = acsRequest(await openSession(c));
    expect((await c.respond(reboot, { kind: "RebootResponse" })).status).toBe(204);
  });

  it("two devices sharing one pooled connection keep their own sessions (by cookie)", async () => {
    const a = await start();
    const pool = new Agent({ keepAlive: true, maxSockets: 1 });
    onTestFinished(() => pool.destroy());
    const first = cpe(a, { agent: pool });
    const second = cpe(a, { agent: pool, deviceId: { ...first.deviceId, serialNumber: "SN0002" } });
    expect((await first.inform()).status).toBe(200);
    expect((await second.inform()).status).toBe(200);
    expect((await first.emptyPost()).status).toBe(204);
    expect((await second.emptyPost()).status).toBe(204);
    expect(a.named("session.ended").map((e) => [e.deviceId, e.ok])).toEqual([[DEVICE_ID, true], ["00D09E-HGW-SN0002", true]]);
  });

  it("unknown CPE method -> fault 8000; a session that does not start with an Inform -> fault 8003 or 400", async () => {
    const a = await start();
    const c = cpe(a);
    await c.inform();
    const kicked = `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${NS}"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">k-1</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:Kicked><Command>x</Command></cwmp:Kicked></soap-env:Body></soap-env:Envelope>`;
    expect((await c.post(kicked)).envelope).toMatchObject({ id: "k-1", body: { kind: "Fault", code: 8000 } });
    expect((await c.emptyPost()).status).toBe(204);

    const stranger = cpe(a);
    const tc = serializeEnvelope({ namespace: NS, id: "t", body: { kind: "TransferComplete", commandKey: "", fault: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" } });
    expect((await stranger.post(tc)).envelope).toMatchObject({ body: { kind: "Fault", code: 8003 } });
    const empty = await stranger.emptyPost();
    expect(empty.status).toBe(400);
  });

  it("gzip and chunked bodies, an ISO-8859-1 charset and a missing content type are all read", async () => {
    const a = await start();
    const c = cpe(a);
    const withAccent = informParams(undefined, [{ name: "Device.DeviceInfo.Description", value: "Box Télé", type: "xsd:string" }]);
    const xml = serializeEnvelope(c.informEnvelope(["2 PERIODIC"], withAccent)).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    const latin1 = Buffer.from(xml, "latin1");
    expect((await c.post(latin1, { "content-type": "text/xml; charset=ISO-8859-1" })).envelope?.body.kind).toBe("InformResponse");
    expect((await c.emptyPost()).status).toBe(204);
    expect((await a.store.getParameters(DEVICE_ID, ["Device.DeviceInfo.Description"])).get("Device.DeviceInfo.Description")?.value).toBe("Box Télé");

    const gz = cpe(a);
    const zipped = gzipSync(serializeEnvelope(gz.informEnvelope()));
    expect((await gz.post(zipped, { "content-encoding": "gzip", "content-type": "application/xml" })).envelope?.body.kind).toBe("InformResponse");
    expect((await gz.emptyPost()).status).toBe(204);

    const chunked = cpe(a);
    const informXml = serializeEnvelope(chunked.informEnvelope());
    expect((await chunked.post(informXml, { "transfer-encoding": "chunked", "content-type": null })).envelope?.body.kind).toBe("InformResponse");
    expect((await chunked.post(null, { "transfer-encoding": "chunked", "content-length": null })).status).toBe(204);

    const oddType = cpe(a);
    expect((await oddType.post(serializeEnvelope(oddType.informEnvelope()), { "content-type": "" })).envelope?.body.kind).toBe("InformResponse");
    expect((await oddType.emptyPost()).status).toBe(204);
  });

  it("bad credentials: 401 with a fresh challenge, no device record, an audit event", async () => {
    const a = await start();
    const r = await cpe(a, { password: "wrong" }).inform(["0 BOOTSTRAP", "1 BOOT"]);
    expect(r.status).toBe(401);
    expect(String(r.headers["www-authenticate"])).toMatch(/^Digest realm="FlexACS", qop="auth", nonce="[^"]+", algorithm=MD5/);
    expect(await a.store.getDevice(DEVICE_ID)).toBeNull();
    expect(await a.store.countDevices({})).toBe(0);
    expect(await a.store.listAudit({ action: "auth.failure" })).toMatchObject([
      { actor: `device:${DEVICE_ID}`, deviceId: DEVICE_ID, detail: { remoteAddress: "127.0.0.1", reason: "wrong username or password" } },
    ]);

    // A device with its own credential cannot use the bootstrap one any more.
    await cpe(a).inform(["0 BOOTSTRAP"]);
    const { ha1Of } = await import("../../acs/cwmp/digest.ts");
    await a.store.setCredentials(DEVICE_ID, { cpeUsername: "dev-sn0001", cpeHa1: ha1Of("dev-sn0001", "FlexACS", "own-secret") });
    expect((await cpe(a).inform()).status).toBe(401);
    expect((await cpe(a, { username: "dev-sn0001", password: "own-secret" }).inform()).status).toBe(200);
  });

  it("malformed XML, an XXE payload, absurd nesting and a 10 MB body are refused; the next session works", async () => {
    const a = await start();
    const auth = { authorization: 'Digest username="x", realm="FlexACS", nonce="n", uri="/cwmp", response="r"', "content-type": "text/xml" };

    const malformed = await rawPost(a.url, "<soap-env:Envelope><unclosed>", auth);
    expect(malformed.status).toBe(400);
    expect(malformed.text).toMatch(/^malformed/);

    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>&xxe;</soap-env:Body></soap-env:Envelope>`;
    const dtd = await rawPost(a.url, xxe, auth);
    expect(dtd.status).toBe(400);
    expect(dtd.text).toMatch(/^dtd/);
    expect(dtd.text).not.toContain("root:");

    const deep = await rawPost(a.url, `${"<a>".repeat(5000)}${"</a>".repeat(5000)}`, auth);
    expect(deep.status).toBe(400);
    expect(deep.text).toMatch(/^too_deep/);

    const huge = await rawPost(a.url, Buffer.alloc(10 * 1024 * 1024, "a"), auth);
    expect(huge.status).toBe(413);

    // Mid-session garbage ends that session only.
    const c = cpe(a);
    await c.inform();
    expect((await c.post("<not-closed")).status).toBe(400);

    const good = cpe(a);
    expect((await good.inform()).envelope?.body.kind).toBe("InformResponse");
    expect((await good.emptyPost()).status).toBe(204);
    expect(await a.store.getDevice(DEVICE_ID)).not.toBeNull();
  });
});

describe("CWMP over TLS", () => {
  it("serves HTTPS with the given certificate: Digest sessions, Basic accepted, Secure cookie", async () => {
    const certDir = mkdtempSync(join(tmpdir(), "flexacs-tls-"));
    onTestFinished(() => rmSync(certDir, { recursive: true, force: true }));
    const tls = selfSigned(certDir);
    const a = await start({ tls });
    const ca = readFileSync(tls.certFile);
    expect(a.url).toMatch(/^https:/);

    const c = cpe(a, { ca });
    const informed = await c.inform(["0 BOOTSTRAP"]);
    expect(informed.envelope?.body.kind).toBe("InformResponse");
    expect(informed.headers["set-cookie"]?.[0]).toMatch(/; HttpOnly; Secure$/);
    expect((await c.emptyPost()).status).toBe(204);

    const xml = serializeEnvelope(c.informEnvelope());
    const basic = await new Promise<{ status: number; cookie: string | undefined }>((resolve, reject) => {
      const req = httpsRequest(a.url, { method: "POST", ca, agent: false, headers: { authorization: basicAuthorization(BOOT.username, BOOT.password), "content-type": "text/xml" } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, cookie: res.headers["set-cookie"]?.[0] });
      });
      req.on("error", reject);
      req.end(xml);
    });
    expect(basic.status).toBe(200);
    expect(basic.cookie).toMatch(/Secure/);
  });

  it("plain HTTP refuses Basic even with the right password", async () => {
    const a = await start();
    const c = cpe(a);
    const r = await rawPost(a.url, serializeEnvelope(c.informEnvelope()), { authorization: basicAuthorization(BOOT.username, BOOT.password), "content-type": "text/xml" });
    expect(r.status).toBe(401);
    expect(await a.store.getDevice(DEVICE_ID)).toBeNull();
    expect(await a.store.listAudit({ action: "auth.failure" })).toMatchObject([{ detail: { reason: "Basic authentication over plain HTTP refused" } }]);
  });
});
