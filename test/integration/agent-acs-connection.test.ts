// The agent's HTTP client (AcsConnection over its own HTTP/1.1 connection)
// against raw TCP / TLS servers on 127.0.0.1 that write exactly the bytes a
// test wants: the session's requests on one connection, and clear errors for
// malformed, oversized, truncated or reset replies.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type ConnectionOptions as TlsOptions, type TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { AcsConnection } from "../../agent/cwmp-client/acs-connection.ts";
import { SocketPool } from "../../agent/cwmp-client/http1-connection.ts";
import { selfSigned } from "./helpers/self-signed.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What the server received on one connection, request by request. */
interface Conn {
  socket: Socket;
  requests: string[];
  closed: boolean;
}

type Respond = (request: string, socket: Socket, conn: Conn) => void;

/** Splits the byte stream into requests (head + Content-Length body) and lets `respond` answer each. */
function serve(server: Server, event: "connection" | "secureConnection", respond: Respond, conns: Conn[]): void {
  server.on(event, (socket: Socket) => {
    const conn: Conn = { socket, requests: [], closed: false };
    conns.push(conn);
    cleanups.push(() => socket.destroy());
    socket.on("close", () => (conn.closed = true));
    let buf = "";
    socket.on("error", () => undefined);
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.slice(0, end + 4 + length);
        buf = buf.slice(request.length);
        conn.requests.push(request);
        respond(request, socket, conn);
      }
    });
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

async function tcpAcs(respond: Respond): Promise<{ url: string; conns: Conn[]; server: Server }> {
  const server = createServer();
  const conns: Conn[] = [];
  serve(server, "connection", respond, conns);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/acs?x=1`, conns, server };
}

function connection(url: string, o: { pool?: SocketPool; tls?: TlsOptions; timeoutMs?: number; username?: string } = {}): AcsConnection {
  return new AcsConnection({ url, credentials: { username: o.username ?? "", password: "pw" }, pool: o.pool ?? new SocketPool(Infinity), tls: o.tls, memo: { nc: 0 }, timeoutMs: o.timeoutMs });
}

const INFORM_RESPONSE = "<soap-env:Envelope>InformResponse</soap-env:Envelope>";

/** A periodic session's two round trips: a chunked 200 with a cookie, then 204 and close. */
const session: Respond = (request, socket) => {
  if (/\r\ncontent-length: 0\r\n/i.test(request)) socket.end("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  else {
    const half = INFORM_RESPONSE.length >> 1;
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nSet-Cookie: sid=abc; HttpOnly\r\nTransfer-Encoding: chunked\r\n\r\n");
    socket.write(`${half.toString(16)}\r\n${INFORM_RESPONSE.slice(0, half)}\r\n`);
    socket.write(`${(INFORM_RESPONSE.length - half).toString(16)}\r\n${INFORM_RESPONSE.slice(half)}\r\n0\r\n\r\n`);
  }
};

describe("AcsConnection over its own HTTP/1.1 connection", () => {
  it("sends a session's POSTs on one connection: one write per request, cookie replayed, chunked reply read", async () => {
    const acs = await tcpAcs(session);
    const c = connection(acs.url);
    const inform = "<Inform>é</Inform>";
    expect(await c.post(inform, "Inform")).toMatchObject({ status: 200, body: INFORM_RESPONSE });
    expect(await c.post(null)).toMatchObject({ status: 204, body: "" });
    expect(acs.conns).toHaveLength(1);
    const [first, second] = acs.conns[0]!.requests;
    const port = new URL(acs.url).port;
    expect(first).toBe(
      `POST /acs?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${Buffer.byteLength(inform)}\r\n` +
        `Content-Type: text/xml; charset="utf-8"\r\nSOAPAction: "Inform"\r\n\r\n${Buffer.from(inform).toString("latin1")}`,
    );
    expect(second).toBe(`POST /acs?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nCookie: sid=abc\r\n\r\n`);
  });

  it("answers a Digest challenge on the same connection", async () => {
    const acs = await tcpAcs((request, socket) => {
      if (!/\r\nauthorization: digest /i.test(request)) {
        socket.write('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="r", nonce="n1", qop="auth"\r\nContent-Length: 0\r\n\r\n');
      } else socket.end("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    });
    const c = connection(acs.url, { username: "cpe" });
    expect(await c.post(null)).toMatchObject({ status: 204, body: "" });
    expect(acs.conns).toHaveLength(1);
    expect(acs.conns[0]!.requests[1]).toMatch(/\r\nAuthorization: Digest username="cpe", realm="r", nonce="n1", uri="\/acs\?x=1", /);
  });

  it.each([
    ["a malformed status line", "HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n", /malformed status line/],
    ["a header section over 16 KiB", `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(17 * 1024)}\r\nContent-Length: 0\r\n\r\n`, /header section too large/],
    ["a body over 8 MiB", "HTTP/1.1 200 OK\r\nContent-Length: 9000000\r\n\r\n", /reply too large/],
    ["a truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it", /closed the connection before its reply was complete/],
    ["a truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly", /closed the connection before its reply was complete/],
    ["no reply at all", "", /closed the connection without replying/],
  ])("rejects %s with a clear error", async (_what, reply, message) => {
    const acs = await tcpAcs((_request, socket) => socket.end(reply));
    await expect(connection(acs.url).post("<Inform/>", "Inform")).rejects.toThrow(message);
  });

  it("rejects a reset connection as node:http does", async () => {
    const acs = await tcpAcs((_request, socket) => socket.resetAndDestroy());
    await expect(connection(acs.url).post("<Inform/>", "Inform")).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("rejects a silent ACS after the timeout, and a refused connection", async () => {
    const acs = await tcpAcs(() => undefined);
    await expect(connection(acs.url, { timeoutMs: 100 }).post("<Inform/>", "Inform")).rejects.toThrow(/did not answer in time/);
    const closed = await tcpAcs(() => undefined);
    const url = closed.url;
    await new Promise((r) => closed.server.close(r));
    await expect(connection(url).post(null)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("abort() fails the request in flight and every later one; dropConnection() resets the connection", async () => {
    const acs = await tcpAcs(() => undefined);
    const c = connection(acs.url);
    const pending = c.post("<Inform/>", "Inform");
    await expect.poll(() => acs.conns[0]?.requests.length ?? 0).toBe(1);
    c.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await expect(c.post(null)).rejects.toMatchObject({ name: "AbortError" });

    const acs2 = await tcpAcs((request, socket) => {
      if (request.includes("Inform")) socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`);
    });
    const d = connection(acs2.url);
    await d.post("<Inform/>", "Inform");
    d.dropConnection();
    await expect.poll(() => acs2.conns[0]!.closed).toBe(true);
  });

  it("keeps to the fleet's socket bound: sessions beyond it wait for a connection", async () => {
    // Inform replies are held until the test releases them: only the sessions holding a socket can have sent theirs.
    const held: (() => void)[] = [];
    let holding = true;
    const acs = await tcpAcs((request, socket, conn) => {
      if (holding) held.push(() => session(request, socket, conn));
      else session(request, socket, conn);
    });
    const pool = new SocketPool(2);
    const all = Promise.all(
      Array.from({ length: 6 }, async () => {
        const c = connection(acs.url, { pool });
        await c.post("<Inform/>", "Inform");
        return (await c.post(null)).status;
      }),
    );
    await expect.poll(() => held.length).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(acs.conns).toHaveLength(2);
    holding = false;
    for (const release of held) release();
    expect(await all).toEqual([204, 204, 204, 204, 204, 204]);
    expect(acs.conns).toHaveLength(6);
  });

  it("speaks https with the CA it is given, resumes TLS sessions within a pool, and refuses an unknown certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { certFile, keyFile } = selfSigned(dir);
    const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
    const conns: Conn[] = [];
    serve(server, "secureConnection", session, conns);
    const port = await listen(server);
    const url = `https://127.0.0.1:${port}/acs`;

    const pool = new SocketPool(Infinity);
    const tls = { ca: readFileSync(certFile) };
    const c = connection(url, { pool, tls, username: "cpe" });
    expect(await c.post("<Inform/>", "Inform")).toMatchObject({ status: 200, body: INFORM_RESPONSE });
    expect(await c.post(null)).toMatchObject({ status: 204, body: "" });
    expect(conns).toHaveLength(1);
    // Basic is sent preemptively over https only.
    expect(conns[0]!.requests[0]).toContain(`\r\nAuthorization: Basic ${Buffer.from("cpe:pw").toString("base64")}\r\n`);
    expect((conns[0]!.socket as TLSSocket).isSessionReused()).toBe(false);

    // The next session resumes the TLS session, as https.Agent would.
    const next = connection(url, { pool, tls });
    await next.post("<Inform/>", "Inform");
    expect((await next.post(null)).status).toBe(204);
    expect(conns).toHaveLength(2);
    expect((conns[1]!.socket as TLSSocket).isSessionReused()).toBe(true);

    await expect(connection(url).post(null)).rejects.toThrow(/self-signed certificate/);
  });
});
