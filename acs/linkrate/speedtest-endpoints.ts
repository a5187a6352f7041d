// The TR-143 test server, on the CPE-facing listener (the CPEs reach it
// already): GET /speedtest/download serves N bytes, PUT (or POST)
// /speedtest/upload is a sink that counts them. TR-143 HTTP tests carry no
// HTTP authentication (tr069.md §5.2), so each URL is signed instead (HMAC
// over kind, size and expiry): the ACS's bandwidth serves only the tests it
// asked for. Bodies are streamed, never buffered, and capped in size.

import { createHmac, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface SpeedTestEndpointsDeps {
  /** HMAC key of the signed URLs (e.g. the ACS's nonce secret). */
  secret: string;
  /** Largest test, bytes (default 1 GiB: 8 s at 1 Gb/s). */
  maxBytes?: number;
  now?: () => number;
}

export const SPEED_TEST_PREFIX = "/speedtest/";
export const DEFAULT_MAX_TEST_BYTES = 1 << 30;
const CHUNK = Buffer.alloc(64 * 1024, 0xa5);

type Kind = "download" | "upload";

const signature = (secret: string, kind: Kind, bytes: number, exp: number): string =>
  createHmac("sha256", secret).update(`${kind}\n${bytes}\n${exp}`).digest("base64url").slice(0, 32);

/**
 * The signed test URL under `base` (the CWMP listener's URL as CPEs reach it),
 * valid for `ttlMs`. TR-143 URLs are at most 256 characters.
 */
export function speedTestUrl(base: string, secret: string, kind: Kind, bytes: number, nowMs: number, ttlMs: number): string {
  const exp = Math.ceil((nowMs + ttlMs) / 1000);
  const url = new URL(`${SPEED_TEST_PREFIX}${kind}`, base);
  url.search = `bytes=${bytes}&exp=${exp}&sig=${signature(secret, kind, bytes, exp)}`;
  return url.href;
}

/** The test server's URL as evidence: scheme, host and path, without the signature. */
export const testServerOf = (url: string): string => {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

interface TestQuery {
  bytes?: string;
  exp?: string;
  sig?: string;
}

function verify(deps: SpeedTestEndpointsDeps, kind: Kind, q: TestQuery): { bytes: number } | { status: number; message: string } {
  const bytes = Number(q.bytes);
  const exp = Number(q.exp);
  const max = deps.maxBytes ?? DEFAULT_MAX_TEST_BYTES;
  if (!Number.isSafeInteger(bytes) || bytes < 1 || !Number.isSafeInteger(exp) || typeof q.sig !== "string") return { status: 400, message: "bytes, exp and sig are required" };
  if (bytes > max) return { status: 413, message: `at most ${max} bytes per test` };
  const expected = Buffer.from(signature(deps.secret, kind, bytes, exp));
  const given = Buffer.from(q.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 403, message: "bad signature" };
  if (exp * 1000 < (deps.now ?? Date.now)()) return { status: 403, message: "test URL expired" };
  return { bytes };
}

function refuse(reply: FastifyReply, r: { status: number; message: string }): FastifyReply {
  return reply.code(r.status).header("content-type", "text/plain; charset=utf-8").header("connection", "close").send(`${r.message}\n`);
}

function zeros(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      this.push(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
      if (left === 0) this.push(null);
    },
  });
}

/** Counts the request body; resolves with the byte count, or null once it passed `limit` (the socket is then dropped). */
function sink(request: FastifyRequest, limit: number): Promise<number | null> {
  return new Promise((resolve) => {
    let received = 0;
    const raw = request.raw;
    raw.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        raw.destroy();
        resolve(null);
      }
    });
    raw.on("end", () => resolve(received));
    raw.on("error", () => resolve(null));
    raw.on("aborted", () => resolve(null));
  });
}

/** Adds the test server's routes to the (not yet listening) CWMP listener. */
export async function registerSpeedTestEndpoints(cwmpServer: FastifyInstance, deps: SpeedTestEndpointsDeps): Promise<void> {
  await cwmpServer.register(async (app) => {
    // Uploads are streamed to the sink: no body parser (the listener's own buffers whole SOAP bodies).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null));

    app.get<{ Querystring: TestQuery }>(`${SPEED_TEST_PREFIX}download`, async (request, reply) => {
      const v = verify(deps, "download", request.query);
      if ("status" in v) return refuse(reply, v);
      return reply.code(200).header("content-type", "application/octet-stream").header("content-length", String(v.bytes))
        .header("cache-control", "no-store").send(zeros(v.bytes));
    });

    app.route<{ Querystring: TestQuery }>({
      method: ["PUT", "POST"],
      url: `${SPEED_TEST_PREFIX}upload`,
      handler: async (request, reply) => {
        const v = verify(deps, "upload", request.query);
        if ("status" in v) {
          request.raw.resume();
          return refuse(reply, v);
        }
        // A little slack for CPEs that count the test length loosely; far more is abuse.
        const received = await sink(request, v.bytes + 64 * 1024);
        if (received === null) return refuse(reply, { status: 413, message: "more bytes than the test asked for" });
        return reply.code(200).header("content-type", "text/plain; charset=utf-8").send(`received ${received}\n`);
      },
    });
  });
}
