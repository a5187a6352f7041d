// Support pushes Wi-Fi changes and sees them applied, over real sockets: a
// real ACS (CWMP listener with provisioning and the agent channel, REST API,
// SQLite) and simulated routers (agent fleet) that hold the values.
// Acceptance: a router reachable by its agent channel only (HTTP
// connection-request port closed, as behind NAT) applies a change without
// waiting for its periodic Inform; an offline router at its next contact; a
// router that rejects the value shows failed with the reason; two concurrent
// edits give one 409; the audit trail shows every change, passphrases masked.

import { createHmac } from "node:crypto";
import { createSocket } from "node:dgram";
import { get } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fleet } from "../../agent/fleet/fleet.ts";
import { lineBody, WifiAcs } from "../helpers/wifi-acs.ts";

let acs: WifiAcs;

beforeAll(async () => {
  acs = await WifiAcs.start();
});
afterAll(async () => {
  await acs?.close();
});

const idOf = (fleet: Fleet, i = 0): string => {
  const d = fleet.devices[i]!;
  return `${d.drv.deviceId.oui}-${d.drv.deviceId.productClass}-${d.serial}`;
};

/** A provisioned router on a new line; `channel`: it keeps an agent channel; `httpCr`: its connection-request port is open. */
async function routerOnLine(lineId: string, prefix: string, opts: { channel: boolean; httpCr: boolean }) {
  const fleet = await acs.fleet({ count: 1, model: "router-tr181", serialPrefix: prefix, channel: opts.channel, httpConnectionRequest: opts.httpCr });
  const d = fleet.devices[0]!;
  expect((await acs.call("POST", "/api/lines", { body: lineBody(lineId, d.serial) })).status).toBe(201);
  expect(await d.boot()).toMatchObject({ ok: true });
  if (opts.channel) await fleet.channels!.whenOpen(d);
  return { fleet, d, deviceId: idOf(fleet) };
}

const wifiOf = async (lineId: string, token = acs.tokens.support) => (await acs.call("GET", `/api/lines/${lineId}/wifi`, { token })).json;

async function change(lineId: string, bands: Record<string, unknown>, extra: Record<string, unknown> = {}, token = acs.tokens.support) {
  const { version } = await wifiOf(lineId);
  return acs.call("PATCH", `/api/lines/${lineId}/wifi`, { token, body: { version, bands, ...extra } });
}

const outcome = async (changeId: string) => (await acs.call("GET", `/api/wifi-changes/${changeId}?waitMs=20000`, { token: acs.tokens.support })).json;

/** Resolves when `check` holds, polling state that has no event of its own. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function httpGetError(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe("delivery", () => {
  it("applies a change to a router reachable by its agent channel only, at once, not at its periodic Inform", async () => {
    const { d, deviceId } = await routerOnLine("L-WS", "HWWS", { channel: true, httpCr: false });
    // Behind NAT: the ConnectionRequestURL names a port nobody answers on.
    expect(await httpGetError(d.connectionRequestUrl)).toBe("ECONNREFUSED");
    expect((await acs.call("GET", `/api/devices/${deviceId}/reachability`, { token: acs.tokens.support })).json).toMatchObject({ via: "channel", channel: { connected: true } });
    // Provisioning gave the router a periodic Inform every ~3600 s: only a wake explains a session now.
    expect(Number(d.getValue("Device.ManagementServer.PeriodicInformInterval"))).toBeGreaterThan(3000);

    const sent = await change("L-WS", { "2.4GHz": { ssid: "Chez Camille" } });
    expect(sent).toMatchObject({ status: 202, json: { status: "waking" } });
    const done = await outcome(sent.json.changeId);
    expect(done).toMatchObject({
      status: "applied", wake: { ok: true, via: "channel" }, by: "support-desk", deviceId,
      changes: [{ field: "bands.2.4GHz.ssid", from: "Martin-L-WS", to: "Chez Camille" }],
    });
    expect(done.appliedAfterMs).toBeGreaterThanOrEqual(0);
    expect(done.history.map((h: { status: string }) => h.status)).toEqual(["waking", "waking", "applying", "applied"]);
    expect(done.history[2].note).toBe("the router opened a session (6 CONNECTION REQUEST)");
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("Chez Camille");
    expect((await wifiOf("L-WS")).device["2.4GHz"].ssid).toBe("Chez Camille");
  });

  it("wakes a router without a channel by HTTP connection request", async () => {
    const { d } = await routerOnLine("L-HTTP", "HWHT", { channel: false, httpCr: true });
    const sent = await change("L-HTTP", { "5GHz": { channel: 44, hidden: true } });
    const done = await outcome(sent.json.changeId);
    expect(done).toMatchObject({ status: "applied", wake: { ok: true, via: "http" } });
    expect(d.getValue("Device.WiFi.Radio.2.Channel")).toBe("44");
    expect(d.getValue("Device.WiFi.AccessPoint.2.SSIDAdvertisementEnabled")).toBe("false");
  });

  it("queues a change for an offline router (offline since its last contact) and applies it at its next contact", async () => {
    const { d, deviceId } = await routerOnLine("L-OFF", "HWOF", { channel: true, httpCr: true });
    d.kill();
    await until(() => acs.channel.connectedSince(deviceId) === null, "the channel to close");
    const lastContact = (await acs.store.getDevice(deviceId))!.lastInformAt!;
    const queued = acs.next("wifi.change", (p) => p.change.lineId === "L-OFF" && p.change.status === "queued");
    const sent = await change("L-OFF", { "2.4GHz": { passphrase: "a-new-secret-2g" } });
    expect(sent.status).toBe(202);
    const { change: q } = await queued;
    expect(q).toMatchObject({ offlineSince: lastContact, wake: { ok: false, reason: "offline" } });
    expect(q.note).toMatch(/applied at its next contact$/);
    const view = (await acs.call("GET", `/api/wifi-changes/${sent.json.changeId}`, { token: acs.tokens.support })).json;
    expect(view).toMatchObject({ status: "queued", offlineSince: new Date(lastContact).toISOString() });

    expect(await d.boot()).toMatchObject({ ok: true });
    const done = await outcome(sent.json.changeId);
    expect(done.status).toBe("applied");
    expect(done.history.map((h: { status: string }) => h.status)).toEqual(["waking", "queued", "applying", "applied"]);
    expect(d.getValue("Device.WiFi.AccessPoint.1.Security.KeyPassphrase")).toBe("a-new-secret-2g");
  });

  it("queues a change for a router that never contacted the ACS, and applies it at its first contact", async () => {
    const fleet = await acs.fleet({ count: 1, model: "router-tr181", serialPrefix: "HWNV", channel: true });
    const d = fleet.devices[0]!;
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-NEW", d.serial) })).status).toBe(201);
    const sent = await change("L-NEW", { "5GHz": { ssid: "Premier jour" } });
    expect(sent.json.change).toMatchObject({ status: "queued", deviceId: null, offlineSince: null, note: "the router has never contacted the ACS: the change is applied at its first contact" });
    expect(await d.boot()).toMatchObject({ ok: true });
    expect(await outcome(sent.json.changeId)).toMatchObject({ status: "applied", deviceId: idOf(fleet) });
    expect(d.getValue("Device.WiFi.SSID.2.SSID")).toBe("Premier jour");
  });

  it("shows failed with the router's reason when it rejects the value (fault 9007)", async () => {
    const { d } = await routerOnLine("L-REJ", "HWRJ", { channel: true, httpCr: false });
    // This unit's radio only offers channels 1-11; 13 is valid in France and for the model.
    await d.setLocalValue("Device.WiFi.Radio.1.PossibleChannels", "1-11");
    const sent = await change("L-REJ", { "2.4GHz": { channel: 13 } });
    expect(sent.status).toBe(202);
    const done = await outcome(sent.json.changeId);
    expect(done).toMatchObject({ status: "failed", failure: { kind: "rejected", code: "cwmp.9007", final: true } });
    expect(done.failure.message).toContain("wifi.2.4GHz.channel (Device.WiFi.Radio.1.Channel): 9007");
    expect(done.note).toBe(done.failure.message);
    expect(d.getValue("Device.WiFi.Radio.1.Channel")).toBe("6");
  });

  it("gives one 409 to two concurrent edits of the same version", async () => {
    await routerOnLine("L-409", "HWCC", { channel: true, httpCr: false });
    const { version } = await wifiOf("L-409");
    const [a, b] = await Promise.all(["Premier", "Second"].map((ssid) =>
      acs.call("PATCH", "/api/lines/L-409/wifi", { token: acs.tokens.support, body: { version, bands: { "2.4GHz": { ssid } } } })));
    expect([a!.status, b!.status].sort()).toEqual([202, 409]);
    const refused = a!.status === 409 ? a! : b!;
    expect(refused.json).toEqual({ error: "FLX_ERR_CONFLICT", message: `line L-409 is at version ${version + 1}, not ${version}: read it again and re-apply the change` });
    expect((await acs.call("GET", "/api/lines/L-409/audit", { token: acs.tokens.support })).json.items).toHaveLength(1);
  });

  it("supersedes a queued change whose fields a later change sets again", async () => {
    const { d, deviceId } = await routerOnLine("L-SUP", "HWSU", { channel: true, httpCr: true });
    d.kill();
    await until(() => acs.channel.connectedSince(deviceId) === null, "the channel to close");
    const first = await change("L-SUP", { "2.4GHz": { ssid: "Brouillon" } });
    await until(async () => (await acs.call("GET", `/api/wifi-changes/${first.json.changeId}`, { token: acs.tokens.support })).json.status === "queued", "the first change to be queued");
    const second = await change("L-SUP", { "2.4GHz": { ssid: "Définitif" } });
    expect(await outcome(first.json.changeId)).toMatchObject({ status: "superseded", supersededBy: second.json.changeId });
    await d.boot();
    expect(await outcome(second.json.changeId)).toMatchObject({ status: "applied" });
    expect(d.getValue("Device.WiFi.SSID.1.SSID")).toBe("Définitif");
  });
});

describe("audit trail and rights", () => {
  it("records who changed what on which line and router, from which value (passphrases masked), and the outcome", async () => {
    const { deviceId, d } = await routerOnLine("L-AUD", "HWAU", { channel: true, httpCr: false });
    const secret = "tres-secret-5ghz";
    const a = await change("L-AUD", { "5GHz": { passphrase: secret, security: "wpa2-wpa3-psk" } });
    await outcome(a.json.changeId);
    const b = await change("L-AUD", { "2.4GHz": { security: "open" } }, { confirmInsecure: true });
    await outcome(b.json.changeId);
    expect(d.getValue("Device.WiFi.AccessPoint.2.Security.SAEPassphrase")).toBe(secret);
    expect(d.getValue("Device.WiFi.AccessPoint.1.Security.ModeEnabled")).toBe("None");

    const trail = (await acs.call("GET", "/api/lines/L-AUD/audit", { token: acs.tokens.support })).json.items;
    expect(trail).toHaveLength(2);
    expect(trail[0]).toMatchObject({
      id: b.json.changeId, by: "support-desk", lineId: "L-AUD", routerSerial: d.serial, deviceId, status: "applied", insecure: ["2.4GHz"],
      changes: [{ field: "bands.2.4GHz.security", from: "wpa2-psk", to: "open" }],
    });
    expect(trail[1]).toMatchObject({
      id: a.json.changeId, status: "applied",
      changes: [{ field: "bands.5GHz.passphrase", from: "********", to: "********" }, { field: "bands.5GHz.security", from: "wpa2-psk", to: "wpa2-wpa3-psk" }],
    });
    expect(JSON.stringify(trail)).not.toContain(secret);
    const store = await acs.store.listAudit({ deviceId });
    expect(store.map((e) => e.action)).toEqual(expect.arrayContaining(["wifi.change", "wifi.change.applied"]));
    expect(JSON.stringify(store)).not.toContain(secret);
    expect(JSON.stringify((await wifiOf("L-AUD")))).not.toContain(secret);
  });

  it("lets support and admin change Wi-Fi, not the NOC", async () => {
    await routerOnLine("L-ROLE", "HWRO", { channel: true, httpCr: false });
    const noc = await change("L-ROLE", { "2.4GHz": { hidden: true } }, {}, acs.tokens.noc);
    expect(noc).toMatchObject({ status: 403, json: { message: "role noc may not change a line's Wi-Fi" } });
    expect((await wifiOf("L-ROLE", acs.tokens.noc)).bands["2.4GHz"].hidden).toBe(false);
    expect((await change("L-ROLE", { "2.4GHz": { hidden: true } }, {}, acs.tokens.admin)).status).toBe(202);
  });

  it("refuses a customer-owned router", async () => {
    const body = { ...lineBody("L-OWN", "unused"), router: { customerOwned: true } };
    expect((await acs.call("POST", "/api/lines", { body })).status).toBe(201);
    expect(await change("L-OWN", { "2.4GHz": { ssid: "X" } })).toMatchObject({
      status: 409, json: { message: "line L-OWN has the customer's own router: the ACS does not manage its Wi-Fi" },
    });
  });
});

describe("finding a line", () => {
  it("finds a line by line id, subscriber name, router serial or the MAC on the router", async () => {
    const fleet = await acs.fleet({ count: 1, model: "router-tr181", serialPrefix: "HWFD" });
    const serial = fleet.devices[0]!.serial;
    expect((await acs.call("POST", "/api/lines", { body: lineBody("L-FIND", serial, { subscriber: { id: "S-9", name: "Éloïse Fabre" } }) })).status).toBe(201);
    await acs.rentals.addRouters([{ serial, mac: "a4:b1:c2:00:12:34", model: "HW-AX3000" }], Date.now(), "it");
    const find = async (q: string) => (await acs.call("GET", `/api/support/lines?q=${encodeURIComponent(q)}`, { token: acs.tokens.support })).json.items;
    const hit = { lineId: "L-FIND", subscriberName: "Éloïse Fabre", routerSerial: serial };
    expect(await find("L-FIND")).toEqual([expect.objectContaining({ ...hit, matchedBy: "line id" })]);
    expect(await find("éloïse")).toEqual([expect.objectContaining({ ...hit, matchedBy: "name or address" })]);
    expect(await find(serial)).toEqual([expect.objectContaining({ ...hit, matchedBy: "router serial" })]);
    expect(await find("A4-B1-C2-00-12-34")).toEqual([expect.objectContaining({ ...hit, matchedBy: "MAC" })]);
    expect(await find("a4b1.c200.1234")).toEqual([expect.objectContaining({ ...hit, matchedBy: "MAC" })]);
    expect(await find("no such line")).toEqual([]);
  });
});

describe("UDP connection request and timeout", () => {
  let udpAcs: WifiAcs;
  beforeAll(async () => {
    udpAcs = await WifiAcs.start({ applyTimeoutMs: 500 });
  });
  afterAll(async () => {
    await udpAcs?.close();
  });

  it("wakes by signed UDP datagrams when HTTP fails, reports the timeout, and applies at the router's next session", async () => {
    const fleet = await udpAcs.fleet({ count: 1, model: "router-tr181", serialPrefix: "HWUD", httpConnectionRequest: false });
    const d = fleet.devices[0]!;
    const deviceId = idOf(fleet);
    expect((await udpAcs.call("POST", "/api/lines", { body: lineBody("L-UDP", d.serial) })).status).toBe(201);
    expect(await d.boot()).toMatchObject({ ok: true });
    // The router announced a UDP connection-request address (TR-111): the ACS keeps it from the Inform.
    const cpe = createSocket("udp4");
    await new Promise<void>((resolve) => cpe.bind(0, "127.0.0.1", resolve));
    const datagrams: string[] = [];
    cpe.on("message", (m) => datagrams.push(m.toString()));
    try {
      await udpAcs.store.updateDevice(deviceId, { udpConnectionRequestAddress: `127.0.0.1:${(cpe.address() as AddressInfo).port}` });
      const { version } = (await udpAcs.call("GET", "/api/lines/L-UDP/wifi", { token: udpAcs.tokens.support })).json;
      const sent = await udpAcs.call("PATCH", "/api/lines/L-UDP/wifi", { token: udpAcs.tokens.support, body: { version, bands: { "2.4GHz": { hidden: true } } } });
      const failed = (await udpAcs.call("GET", `/api/wifi-changes/${sent.json.changeId}?waitMs=20000`, { token: udpAcs.tokens.support })).json;
      expect(failed).toMatchObject({ status: "failed", wake: { ok: true, via: "udp" }, failure: { kind: "timeout", code: "timeout", final: false } });
      expect(failed.failure.message).toBe("the router was woken but did not apply the change within 0.5 s; it is applied at its next contact");
      expect(datagrams).toHaveLength(3);
      const q = new URL(datagrams[0]!.split(" ")[1]!).searchParams;
      const password = d.getValue("Device.ManagementServer.ConnectionRequestPassword")!;
      expect(q.get("un")).toBe(d.getValue("Device.ManagementServer.ConnectionRequestUsername"));
      expect(q.get("sig")).toBe(createHmac("sha1", password).update(`${q.get("ts")}${q.get("id")}${q.get("un")}${q.get("cn")}`).digest("hex"));
      // Until the router informs again, HTTP counts as unusable (it failed since its last Inform).
      expect((await udpAcs.call("GET", `/api/devices/${deviceId}/reachability`, { token: udpAcs.tokens.support })).json).toMatchObject({
        via: "udp", http: { usable: false, last: { ok: false, reason: "offline" } }, udp: { usable: true, last: { ok: true } },
      });
      // What the router does with a valid UDP request: a session with 6 CONNECTION REQUEST.
      expect(await d.inform("6 CONNECTION REQUEST")).toMatchObject({ ok: true });
      const done = (await udpAcs.call("GET", `/api/wifi-changes/${sent.json.changeId}?waitMs=20000`, { token: udpAcs.tokens.support })).json;
      expect(done).toMatchObject({ status: "applied", failure: null });
      expect(done.history.map((h: { status: string }) => h.status)).toEqual(["waking", "waking", "failed", "applying", "applied"]);
      expect(d.getValue("Device.WiFi.AccessPoint.1.SSIDAdvertisementEnabled")).toBe("false");
    } finally {
      cpe.close();
    }
  });
});
