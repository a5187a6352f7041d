// The agent channel over real sockets: only a device's own credential opens
// its channel (Digest on the upgrade), the ACS drops a channel that stops
// answering pings, a powered-off router loses its channel, and the agent
// reconnects by itself after losing it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildDigestAuthorization, parseChallenge } from "../../acs/cwmp/digest.ts";
import { channelUrl } from "../../acs/channel/protocol.ts";
import { deviceIdOf } from "../../acs/sessions/device-id.ts";
import type { Device, Fleet } from "../../agent/fleet/fleet.ts";
import { BOOTSTRAP, lineBody, WifiAcs } from "../helpers/wifi-acs.ts";

let acs: WifiAcs;
let fleet: Fleet;
const HEARTBEAT_MS = 200;

beforeAll(async () => {
  acs = await WifiAcs.start({ heartbeatMs: HEARTBEAT_MS });
  fleet = await acs.fleet({ count: 3, model: "router-tr181", serialPrefix: "HWCH", channel: { backoffMinMs: 50, backoffMaxMs: 200 }, httpConnectionRequest: false });
  for (const [i, d] of fleet.devices.entries()) {
    expect((await acs.call("POST", "/api/lines", { body: lineBody(`L-CH${i}`, d.serial) })).status).toBe(201);
    expect(await d.boot()).toMatchObject({ ok: true });
    await fleet.channels!.whenOpen(d);
  }
});
afterAll(async () => {
  await acs?.close();
});

const idOf = (d: Device): string => deviceIdOf(d.drv.deviceId)!;
const credentialsOf = (d: Device) => ({ username: d.getValue("Device.ManagementServer.Username")!, password: d.getValue("Device.ManagementServer.Password")! });

type Attempt = { status: number; challenges: string[] } | { status: 101; ws: WebSocket; hello: unknown };

/** One upgrade attempt as any client could make it. */
function attempt(deviceId: string, authorization?: string, options: WebSocket.ClientOptions = {}): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(channelUrl(acs.cwmpUrl, deviceId), { ...options, headers: authorization ? { authorization } : {} });
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      const h = res.headers["www-authenticate"];
      resolve({ status: res.statusCode ?? 0, challenges: Array.isArray(h) ? h : h ? [h] : [] });
      ws.terminate();
    });
    ws.once("message", (data) => resolve({ status: 101, ws, hello: JSON.parse(data.toString()) }));
    ws.on("error", (err) => {
      if (!/closed before the connection was established/.test(err.message)) reject(err);
    });
  });
}

/** Digest-authenticated upgrade: challenge first, then the answer. */
async function connect(deviceId: string, username: string, password: string, options: WebSocket.ClientOptions = {}): Promise<Attempt> {
  const first = await attempt(deviceId);
  if (first.status !== 401 || !("challenges" in first)) throw new Error(`expected a challenge, got ${first.status}`);
  const challenge = parseChallenge(first.challenges[0]!)!;
  const uri = new URL(channelUrl(acs.cwmpUrl, deviceId));
  return attempt(deviceId, buildDigestAuthorization(challenge, username, password, "GET", uri.pathname + uri.search, 1), options);
}

/** Resolves when `check` holds (presence has no event of its own). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe("authentication", () => {
  it("challenges with Digest, and opens with the device's own credential", async () => {
    const d = fleet.devices[0]!;
    const first = await attempt(idOf(d));
    expect(first.status).toBe(401);
    expect("challenges" in first && first.challenges[0]).toMatch(/^Digest realm="FlexACS", qop="auth", nonce="[^"]+", algorithm=MD5$/);
    const { username, password } = credentialsOf(d);
    expect(username).toBe(idOf(d)); // the per-device credential provisioning issued, not the bootstrap one
    const opened = await connect(idOf(d), username, password);
    expect(opened).toMatchObject({ status: 101, hello: { type: "hello", heartbeatMs: HEARTBEAT_MS } });
    if ("ws" in opened) opened.ws.close();
  });

  it("refuses a wrong password, the bootstrap credential and another device's credential, and audits it", async () => {
    const [a, b] = [fleet.devices[0]!, fleet.devices[1]!];
    expect((await connect(idOf(a), credentialsOf(a).username, "not-the-password")).status).toBe(401);
    expect((await connect(idOf(a), BOOTSTRAP.username, BOOTSTRAP.password)).status).toBe(401);
    expect((await connect(idOf(b), credentialsOf(a).username, credentialsOf(a).password)).status).toBe(401);
    const failures = await acs.store.listAudit({ action: "channel.auth_failure" });
    expect(failures.map((f) => f.deviceId).sort()).toEqual([idOf(a), idOf(b)].sort());
    expect(failures.find((f) => f.deviceId === idOf(a))!.detail).toEqual({ remoteAddress: "127.0.0.1", reason: "wrong username or password" });
  });

  it("answers 404 beside the channel path and 400 without a device", async () => {
    const bad = (url: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => {});
    });
    expect(await bad(acs.cwmpUrl.replace("http", "ws"))).toBe(404);
    expect(await bad(channelUrl(acs.cwmpUrl, "x").replace(/\?.*$/, ""))).toBe(400);
  });
});

describe("liveness", () => {
  it("drops a channel that stops answering pings", async () => {
    const d = fleet.devices[2]!;
    d.kill(); // the device's own agent must not take the channel back meanwhile
    await until(() => acs.channel.connectedSince(idOf(d)) === null, "the agent's channel to close");
    const { username, password } = credentialsOf(d);
    const opened = await connect(idOf(d), username, password, { autoPong: false });
    if (!("ws" in opened)) throw new Error("channel refused");
    const closed = new Promise<number>((resolve) => opened.ws.on("close", (code) => resolve(code)));
    expect(acs.channel.connectedSince(idOf(d))).not.toBeNull();
    expect(await closed).toBe(1006); // terminated: no close handshake with a dead peer
    await until(() => acs.channel.connectedSince(idOf(d)) === null, "the ACS to forget the channel");
    expect(await d.boot()).toMatchObject({ ok: true });
    await fleet.channels!.whenOpen(d);
  });

  it("the agent reconnects by itself when its channel is lost", async () => {
    const d = fleet.devices[1]!;
    const before = acs.channel.connectedSince(idOf(d))!;
    const { username, password } = credentialsOf(d);
    // A newer channel for the device replaces the agent's; once it is gone too, only the agent can bring one back.
    const other = await connect(idOf(d), username, password);
    if (!("ws" in other)) throw new Error("channel refused");
    const otherClosed = new Promise<void>((resolve) => other.ws.on("close", () => resolve()));
    other.ws.close();
    await otherClosed;
    await until(() => (acs.channel.connectedSince(idOf(d)) ?? 0) > before && fleet.channels!.state(d) === "open", "a new channel from the agent");
  });

  it("a powered-off router loses its channel, and gets it back after it boots", async () => {
    const d = fleet.devices[0]!;
    d.kill();
    await until(() => acs.channel.connectedSince(idOf(d)) === null, "the channel to close");
    const r = await acs.call("GET", `/api/devices/${idOf(d)}/reachability`, { token: acs.tokens.noc });
    expect(r.json).toMatchObject({ channel: { connected: false, since: null } });
    expect(r.json.via).not.toBe("channel");
    expect(await d.boot()).toMatchObject({ ok: true });
    await fleet.channels!.whenOpen(d);
    expect((await acs.call("GET", `/api/devices/${idOf(d)}/reachability`, { token: acs.tokens.noc })).json.via).toBe("channel");
  });
});
