// The Connection Request server in fleet mode: one HTTP server, one random
// path per device, Digest first, empty 200, then a 6 CONNECTION REQUEST
// session; coalescing during a session, rate limit, powered-off devices.

import { get, type IncomingMessage } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildDigestAuthorization, parseChallenge, type DigestChallenge } from "../../acs/cwmp/digest.ts";
import type { AcsRequest, Inform } from "../../acs/cwmp/messages.ts";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { startScriptedAcs, type ScriptedAcs, type ScriptOptions } from "./fixtures/scripted-acs.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(count: number, script: ScriptOptions = {}): Promise<{ acs: ScriptedAcs; fleet: Fleet }> {
  const acs = await startScriptedAcs(script);
  cleanups.push(() => acs.close());
  const stateDir = mkdtempSync(join(tmpdir(), "agent-cr-"));
  cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const fleet = await startFleet({ acsUrl: acs.url, count, model: "mix", stateDir, seed: 3 });
  cleanups.push(() => fleet.stop());
  return { acs, fleet };
}

interface CrReply {
  status: number;
  body: string;
  headers: IncomingMessage["headers"];
}

function httpGet(url: string, authorization?: string): Promise<CrReply> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: authorization ? { authorization } : {} }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
  });
}

/** What an ACS does: GET, read the challenge, GET again with Digest. */
async function connectionRequest(url: string, username: string, password: string): Promise<CrReply & { challenge: DigestChallenge }> {
  const first = await httpGet(url);
  expect(first.status).toBe(401);
  const challenge = parseChallenge(String(first.headers["www-authenticate"]))!;
  const reply = await httpGet(url, buildDigestAuthorization(challenge, username, password, "GET", new URL(url).pathname, 1));
  return { ...reply, challenge };
}

const codes = (i: Inform): string[] => i.events.map((e) => e.eventCode);

describe("connection requests", () => {
  it("challenges, then answers an empty 200 and the device informs with 6 CONNECTION REQUEST", async () => {
    const { acs, fleet } = await setup(3);
    await fleet.bootAll();
    const dev = fleet.devices[1]!;
    const { username, password } = dev.crCredentials();
    expect(username).toBe(dev.serial);
    const r = await connectionRequest(dev.connectionRequestUrl, username, password);
    expect(r.challenge.realm).toBe("FlexACS-agent");
    expect(r.status).toBe(200);
    expect(r.body).toBe("");
    expect(r.headers["content-length"]).toBe("0");
    await acs.waitForSessions(4);
    const s = acs.sessions[3]!;
    expect(s.inform.deviceId.serialNumber).toBe(dev.serial);
    expect(codes(s.inform)).toEqual(["6 CONNECTION REQUEST"]);
  });

  it("refuses wrong credentials and unknown paths without starting a session", async () => {
    const { acs, fleet } = await setup(1);
    await fleet.bootAll();
    const dev = fleet.devices[0]!;
    expect((await connectionRequest(dev.connectionRequestUrl, dev.serial, "wrong")).status).toBe(401);
    expect((await httpGet(dev.connectionRequestUrl.replace(/\/[^/]+$/, "/not-a-device"))).status).toBe(404);
    expect(acs.sessions).toHaveLength(1);
    expect(dev.busy).toBe(false);
  });

  it("coalesces requests received during a session into exactly one more session", async () => {
    const { acs, fleet } = await setup(1, { delayMs: 60, script: () => [{ kind: "GetRPCMethods" }, { kind: "GetRPCMethods" }] });
    await fleet.bootAll();
    const dev = fleet.devices[0]!;
    const { username, password } = dev.crCredentials();
    expect((await connectionRequest(dev.connectionRequestUrl, username, password)).status).toBe(200);
    await vi.waitFor(() => expect(acs.sessions.length).toBe(2));
    const during = await Promise.all(Array.from({ length: 5 }, () => connectionRequest(dev.connectionRequestUrl, username, password)));
    expect(during.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(dev.busy).toBe(true);
    await acs.waitForSessions(3);
    await vi.waitFor(() => expect(dev.busy).toBe(false));
    expect(acs.sessions).toHaveLength(3);
    expect(codes(acs.sessions[2]!.inform)).toEqual(["6 CONNECTION REQUEST"]);
  });

  it("rate-limits to 50 per 5 s per device with 503 and no Retry-After", async () => {
    const { fleet } = await setup(2);
    await fleet.bootAll();
    const [a, b] = fleet.devices as [typeof fleet.devices[0], typeof fleet.devices[0]];
    const first = await connectionRequest(a.connectionRequestUrl, a.serial, `cr-${a.serial}`);
    const auth = buildDigestAuthorization(first.challenge, a.serial, `cr-${a.serial}`, "GET", new URL(a.connectionRequestUrl).pathname, 2);
    const replies = await Promise.all(Array.from({ length: 54 }, () => httpGet(a.connectionRequestUrl, auth)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(49);
    const refused = replies.filter((r) => r.status === 503);
    expect(refused).toHaveLength(5);
    expect(refused.every((r) => r.headers["retry-after"] === undefined)).toBe(true);
    // Another device behind the same server is not affected.
    expect((await connectionRequest(b.connectionRequestUrl, b.serial, `cr-${b.serial}`)).status).toBe(200);
  });

  it("a powered-off device does not answer at all", async () => {
    const { fleet } = await setup(1);
    await fleet.bootAll();
    const dev = fleet.devices[0]!;
    dev.kill();
    await expect(httpGet(dev.connectionRequestUrl)).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it("uses the ConnectionRequestUsername/Password the ACS set", async () => {
    const set: AcsRequest = {
      kind: "SetParameterValues",
      parameterList: [
        { name: "Device.ManagementServer.ConnectionRequestUsername", value: "acs-cr", type: "xsd:string" },
        { name: "Device.ManagementServer.ConnectionRequestPassword", value: "acs-cr-pw", type: "xsd:string" },
      ],
      parameterKey: "cr",
    };
    const { acs, fleet } = await setup(1, { script: (inf) => (codes(inf).includes("0 BOOTSTRAP") ? [set] : []) });
    await fleet.bootAll();
    const dev = fleet.devices[0]!;
    expect((await connectionRequest(dev.connectionRequestUrl, dev.serial, `cr-${dev.serial}`)).status).toBe(401);
    expect((await connectionRequest(dev.connectionRequestUrl, "acs-cr", "acs-cr-pw")).status).toBe(200);
    await acs.waitForSessions(2);
  });
});
