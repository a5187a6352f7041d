// HTTP connection request (TR-069 §3.2.2): GET the device's
// ConnectionRequestURL, answer the Digest challenge with the device's
// connection-request credentials; 200 or 204 means the device will call.
//
// SSRF guard: the ACS only ever sends this GET to the address the device last
// connected from. A ConnectionRequestURL naming another host (a forged Inform
// pointing the ACS at an internal service) or a host name (DNS can point
// anywhere) is refused before anything is sent. Only http: URLs are used, as
// the standard requires. Basic is never answered: it would send the password
// in clear over plain HTTP.

import { Agent, request } from "node:http";
import { isIP } from "node:net";
import { buildDigestAuthorization, parseChallenge } from "../cwmp/digest.ts";
import { normalizeAddress } from "../sessions/inform-record.ts";
import type { WakeResult, WakeStrategy, WakeTarget } from "./requester.ts";

interface Answer {
  status: number;
  headers: Record<string, string[] | undefined>;
}

type Failure = Extract<WakeResult, { ok: false }>;

const fail = (reason: Failure["reason"], detail: string): Failure => ({ ok: false, reason, detail });

/** Where a connection request may go: the URL, if it names the device's own last address. */
export function checkTarget(url: string | null, lastRemoteAddress: string | null): { ok: true; url: URL } | Failure {
  if (!url) return fail("no_url", "the device reported no ConnectionRequestURL");
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail("no_url", "the ConnectionRequestURL is not a URL");
  }
  if (u.protocol !== "http:") return fail("no_url", `only http: connection request URLs are used (got ${u.protocol})`);
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  if (isIP(host) === 0) return fail("forbidden_host", `the URL names host ${host}; only the device's own address is contacted`);
  if (!lastRemoteAddress) return fail("forbidden_host", "the device has no known source address yet");
  if (normalizeAddress(host).toLowerCase() !== normalizeAddress(lastRemoteAddress).toLowerCase()) {
    return fail("forbidden_host", `the URL names ${host}, the device connects from ${lastRemoteAddress}`);
  }
  return { ok: true, url: u };
}

function get(u: URL, headers: Record<string, string>, agent: Agent | false, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port || 80, path: u.pathname + u.search, method: "GET", headers, agent, signal },
      (res) => {
        res.resume(); // the body has no use; draining frees the socket for the authenticated retry
        res.on("error", () => {});
        resolve({ status: res.statusCode ?? 0, headers: res.headersDistinct });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const isTimeout = (err: unknown): boolean => (err as Error).name === "AbortError" || (err as Error).name === "TimeoutError";
const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
/** The device closed the connection under us: some CPEs drop the socket after a 401. */
const isDropped = (err: unknown): boolean => ["ECONNRESET", "EPIPE"].includes(errorCode(err));

function byStatus(a: Answer, started: number): WakeResult {
  if (a.status === 200 || a.status === 204) return { ok: true, via: "http", ms: Date.now() - started };
  if (a.status === 503) return fail("busy", "the device answered 503 (in session or rate-limited)");
  return fail("bad_status", `the device answered HTTP ${a.status}`);
}

function digestChallenge(headers: Record<string, string[] | undefined>): ReturnType<typeof parseChallenge> {
  for (const v of headers["www-authenticate"] ?? []) {
    const ch = parseChallenge(v);
    if (ch) return ch;
  }
  return null;
}

async function wakeHttp(target: WakeTarget, timeoutMs: number): Promise<WakeResult> {
  const checked = checkTarget(target.device.connectionRequestUrl, target.device.lastRemoteAddress);
  if (!checked.ok) return checked;
  const u = checked.url;
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get(u, {}, agent, signal);
    if (first.status !== 401) return byStatus(first, started);
    const username = target.credentials?.connectionRequestUsername;
    const password = target.credentials?.connectionRequestPassword;
    if (!username || password == null) return fail("auth", "the device asks for credentials and none are stored");
    const ch = digestChallenge(first.headers);
    if (!ch) return fail("auth", "the device offers no Digest challenge (Basic is not used over plain HTTP)");
    const authorization = buildDigestAuthorization(ch, username, password, "GET", u.pathname + u.search, 1);
    let second: Answer;
    try {
      second = await get(u, { authorization }, agent, signal);
    } catch (err) {
      if (!isDropped(err)) throw err;
      second = await get(u, { authorization }, false, signal);
    }
    if (second.status === 401) return fail("auth", "the device refused the connection request credentials");
    return byStatus(second, started);
  } catch (err) {
    if (isTimeout(err) || signal.aborted) return fail("timeout", `no answer within ${timeoutMs} ms`);
    return fail("offline", `cannot reach ${u.host}: ${errorCode(err)}`);
  } finally {
    agent.destroy();
  }
}

export function httpWakeStrategy(opts: { timeoutMs: number }): WakeStrategy {
  return { name: "http", wake: (target) => wakeHttp(target, opts.timeoutMs) };
}
