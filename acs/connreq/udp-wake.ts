// UDP connection request (TR-111 Part 2 = TR-069 Annex G), for devices that
// reported ManagementServer.UDPConnectionRequestAddress: one datagram holding
// an HTTP/1.1 GET whose query is signed with the connection-request password
//   sig = hex(HMAC-SHA1(password, ts ‖ id ‖ un ‖ cn))
// sent 3 times with the same id, because UDP is unreliable (GenieACS does the
// same). The device answers nothing: "ok" only means the datagrams left.
//
// SSRF guard, as for HTTP (http-wake.ts): the datagrams only ever go to the
// address the device last connected from. Behind NAT the STUN-mapped
// UDPConnectionRequestAddress is the device's public address, which is also
// where its sessions come from.

import { createHmac, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { isIP } from "node:net";
import { normalizeAddress } from "../sessions/inform-record.ts";
import type { WakeResult, WakeStrategy, WakeTarget } from "./requester.ts";

export interface UdpRequestFields {
  /** Unix time in seconds. */
  ts: number;
  /** Message id, the same for the retransmissions of one request. */
  id: number;
  username: string;
  cnonce: string;
}

type Failure = Extract<WakeResult, { ok: false }>;
const fail = (reason: Failure["reason"], detail: string): Failure => ({ ok: false, reason, detail });

export const udpSignature = (password: string, f: UdpRequestFields): string =>
  createHmac("sha1", password).update(`${f.ts}${f.id}${f.username}${f.cnonce}`).digest("hex");

/** The datagram: an absolute-URI GET on the device's address with an empty path (tr069.md §3.2). */
export function udpConnectionRequestMessage(authority: string, password: string, f: UdpRequestFields): string {
  const query = `ts=${f.ts}&id=${f.id}&un=${encodeURIComponent(f.username)}&cn=${encodeURIComponent(f.cnonce)}&sig=${udpSignature(password, f)}`;
  return `GET http://${authority}?${query} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;
}

/** host:port (IPv6 in brackets) of a UDPConnectionRequestAddress, if it names the device's own last address. */
export function checkUdpTarget(address: string | null, lastRemoteAddress: string | null): { ok: true; host: string; port: number; authority: string } | Failure {
  if (!address) return fail("no_url", "the device reported no UDPConnectionRequestAddress");
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !(port >= 1 && port <= 65535)) return fail("no_url", `UDPConnectionRequestAddress ${address} is not host:port`);
  if (isIP(host) === 0) return fail("forbidden_host", `the address names host ${host}; only the device's own address is contacted`);
  if (!lastRemoteAddress) return fail("forbidden_host", "the device has no known source address yet");
  if (normalizeAddress(host).toLowerCase() !== normalizeAddress(lastRemoteAddress).toLowerCase()) {
    return fail("forbidden_host", `the address names ${host}, the device connects from ${lastRemoteAddress}`);
  }
  return { ok: true, host, port, authority: address.trim() };
}

async function wakeUdp(target: WakeTarget, repeats: number): Promise<WakeResult> {
  const checked = checkUdpTarget(target.device.udpConnectionRequestAddress, target.device.lastRemoteAddress);
  if (!checked.ok) return checked;
  const username = target.credentials?.connectionRequestUsername;
  const password = target.credentials?.connectionRequestPassword;
  if (!username || password == null) return fail("auth", "no connection request credentials are stored for the device");
  const started = Date.now();
  const fields: UdpRequestFields = { ts: Math.floor(started / 1000), id: randomBytes(4).readUInt32BE(0), username, cnonce: randomBytes(8).toString("hex") };
  const message = Buffer.from(udpConnectionRequestMessage(checked.authority, password, fields), "utf8");
  const socket = createSocket(isIP(checked.host) === 6 ? "udp6" : "udp4");
  try {
    for (let i = 0; i < repeats; i++) {
      await new Promise<void>((resolve, reject) => socket.send(message, checked.port, checked.host, (err) => (err ? reject(err) : resolve())));
    }
    return { ok: true, via: "udp", ms: Date.now() - started };
  } catch (err) {
    return fail("offline", `cannot send to ${checked.authority}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    socket.close();
  }
}

export function udpWakeStrategy(opts: { repeats?: number } = {}): WakeStrategy {
  return { name: "udp", wake: (target) => wakeUdp(target, opts.repeats ?? 3) };
}
