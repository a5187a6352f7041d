// Connection requests from the ACS to a little HTTP server playing a CPE's
// connection-request endpoint (Digest, as TR-069 §3.2.2 requires). Devices are
// registered through the real CWMP listener, so the address the ACS trusts is
// the TCP peer it saw.

import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createConnectionRequester } from "../../acs/connreq/requester.ts";
import { formatChallenge, ha1Of, makeNonce, parseDigestAuthorization, verifyDigest } from "../../acs/cwmp/digest.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";
import { informParams, ScriptedCpe } from "./helpers/scripted-cpe.ts";

const DEVICE_ID = "00D09E-HGW-SN0001";
const CR_USER = "cr-user";
const CR_PASS = "cr-s3cret";
const CR_REALM = "authenticate@cwmp";

interface CrEndpoint {
  port: number;
  /** Authorization header of each GET received ("" when absent). */
  seen: string[];
  server: Server;
}

type Behaviour = "digest" | "drop-after-401" | "busy" | "silent";

const servers: Server[] = [];
let acs: AcsUnderTest | null = null;
const cpes: ScriptedCpe[] = [];

afterEach(async () => {
  for (const c of cpes.splice(0)) c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await acs?.close();
  acs = null;
});

/** A CPE's connection-request endpoint. */
async function crEndpoint(behaviour: Behaviour = "digest"): Promise<CrEndpoint> {
  const seen: string[] = [];
  const challenged = new WeakSet<Socket>();
  const challenge = (res: ServerResponse, socket: Socket) => {
    challenged.add(socket);
    res.writeHead(401, { "www-authenticate": formatChallenge({ realm: CR_REALM, nonce: makeNonce("cpe-secret") }), "content-length": "0" }).end();
  };
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? "");
    if (behaviour === "silent") return; // accepts the connection, never answers
    if (behaviour === "busy") return void res.writeHead(503, { "content-length": "0" }).end();
    // Some CPEs drop the connection the 401 went out on: the answer must come on a fresh socket.
    if (behaviour === "drop-after-401" && challenged.has(req.socket)) return void req.socket.destroy();
    const c = req.headers.authorization ? parseDigestAuthorization(req.headers.authorization) : null;
    if (!c) return challenge(res, req.socket);
    const ok = c.username === CR_USER && c.uri === req.url && verifyDigest(ha1Of(CR_USER, CR_REALM, CR_PASS), "GET", c);
    if (!ok) return challenge(res, req.socket);
    res.writeHead(200, { "content-length": "0" }).end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, seen, server };
}

/** Registers the device through the CWMP listener, reporting `crUrl`, with CR credentials stored. */
async function registerDevice(crUrl: string, creds: { username: string; password: string } | null = { username: CR_USER, password: CR_PASS }): Promise<AcsUnderTest> {
  acs ??= await AcsUnderTest.start();
  const c = new ScriptedCpe({ url: acs.url, username: BOOT.username, password: BOOT.password });
  cpes.push(c);
  await c.inform(["0 BOOTSTRAP", "1 BOOT"], informParams(crUrl));
  expect((await c.emptyPost()).status).toBe(204);
  if (creds) await acs.store.setCredentials(DEVICE_ID, { connectionRequestUsername: creds.username, connectionRequestPassword: creds.password });
  return acs;
}

const requester = (a: AcsUnderTest, timeoutMs?: number) =>
  createConnectionRequester({ store: a.store, logger: pino({ level: "silent" }), ...(timeoutMs !== undefined && { timeoutMs }) });

describe("connection requests", () => {
  it("answers the device's Digest challenge: the device accepts and the wake succeeds", async () => {
    const cr = await crEndpoint();
    const a = await registerDevice(`http://127.0.0.1:${cr.port}/cr/k3Xq9wPz?x=1`);
    const r = await requester(a).wake(DEVICE_ID);
    expect(r).toMatchObject({ ok: true, via: "http" });
    expect(cr.seen).toHaveLength(2);
    expect(cr.seen[0]).toBe("");
    expect(parseDigestAuthorization(cr.seen[1]!)).toMatchObject({ username: CR_USER, realm: CR_REALM, uri: "/cr/k3Xq9wPz?x=1", qop: "auth" });
  });

  it("retries once on a fresh socket when the device drops the connection after its 401", async () => {
    const cr = await crEndpoint("drop-after-401");
    const a = await registerDevice(`http://127.0.0.1:${cr.port}/cr`);
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: true, via: "http" });
    // The challenge, the answer on the kept-alive socket (dropped), the same answer on a new socket.
    expect(cr.seen.map((h) => h.split(" ")[0])).toEqual(["", "Digest", "Digest"]);
  });

  it("a forged URL naming another host is refused and nothing is sent", async () => {
    const cr = await crEndpoint();
    const a = await registerDevice(`http://127.0.0.2:${cr.port}/cr`);
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "forbidden_host" });

    await registerDevice(`http://localhost:${cr.port}/cr`);
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "forbidden_host" });
    expect(cr.seen).toEqual([]);
  });

  it("only http: URLs are used", async () => {
    const cr = await crEndpoint();
    const a = await registerDevice(`https://127.0.0.1:${cr.port}/cr`);
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "no_url" });
    expect(cr.seen).toEqual([]);
  });

  it("wrong credentials -> auth; no stored credentials -> auth", async () => {
    const cr = await crEndpoint();
    const a = await registerDevice(`http://127.0.0.1:${cr.port}/cr`, { username: CR_USER, password: "wrong" });
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "auth" });
    await a.store.setCredentials(DEVICE_ID, { connectionRequestUsername: null, connectionRequestPassword: null });
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "auth" });
  });

  it("a device in session answers 503 -> busy", async () => {
    const cr = await crEndpoint("busy");
    const a = await registerDevice(`http://127.0.0.1:${cr.port}/cr`);
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "busy" });
  });

  it("a closed port -> offline; a device that never answers -> timeout", async () => {
    const gone = await crEndpoint();
    const a = await registerDevice(`http://127.0.0.1:${gone.port}/cr`);
    gone.server.close();
    expect(await requester(a).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "offline" });

    const silent = await crEndpoint("silent");
    await registerDevice(`http://127.0.0.1:${silent.port}/cr`);
    expect(await requester(a, 200).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "timeout" });
  });

  it("unknown device -> unknown_device; no ConnectionRequestURL -> no_url", async () => {
    acs = await AcsUnderTest.start();
    expect(await requester(acs).wake("nope")).toMatchObject({ ok: false, reason: "unknown_device" });
    await registerDevice("");
    expect(await requester(acs).wake(DEVICE_ID)).toMatchObject({ ok: false, reason: "no_url" });
  });
});
