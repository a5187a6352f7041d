// How the ACS can reach a device right now: by its agent channel, by HTTP
// connection request, by UDP connection request, or not at all (it gets its
// work at its next contact). Pure view over the device record, its stored
// credentials, the channel's presence and the last outcome of each wake
// strategy (WakeLog, filled by wrapping the strategies with observed()).
// An HTTP or UDP wake that failed after the device's last Inform counts as
// unusable until the device informs again (its address or port may change).

import { checkTarget } from "../connreq/http-wake.ts";
import type { WakeChannel, WakeFailure, WakeStrategy } from "../connreq/requester.ts";
import { checkUdpTarget } from "../connreq/udp-wake.ts";
import type { Device, DeviceCredentials } from "../store/store.ts";

export interface LastWake {
  ok: boolean;
  reason?: WakeFailure;
  detail?: string;
  at: number;
}

export type Reach = "channel" | "http" | "udp" | "none";

export interface Reachability {
  via: Reach;
  channel: { connected: boolean; since: number | null };
  http: { url: string | null; usable: boolean; why: string | null; last: LastWake | null };
  udp: { address: string | null; usable: boolean; why: string | null; last: LastWake | null };
}

/** Last wake outcome per device and strategy, bounded (oldest devices forgotten first). */
export class WakeLog {
  private readonly last = new Map<string, Partial<Record<WakeChannel, LastWake>>>();
  constructor(private readonly maxDevices = 100_000) {}

  record(deviceId: string, via: WakeChannel, entry: LastWake): void {
    const current = this.last.get(deviceId) ?? {};
    this.last.delete(deviceId);
    this.last.set(deviceId, { ...current, [via]: entry });
    if (this.last.size > this.maxDevices) this.last.delete(this.last.keys().next().value!);
  }

  get(deviceId: string, via: WakeChannel): LastWake | null {
    return this.last.get(deviceId)?.[via] ?? null;
  }
}

/** `strategy`, with every outcome that says something about the device ("no_url" does not) kept in `log`. */
export function observed(strategy: WakeStrategy, log: WakeLog): WakeStrategy {
  return {
    name: strategy.name,
    async wake(target) {
      const r = await strategy.wake(target);
      if (r.ok) log.record(target.device.id, strategy.name, { ok: true, at: Date.now() });
      else if (r.reason !== "no_url") log.record(target.device.id, strategy.name, { ok: false, reason: r.reason, detail: r.detail, at: Date.now() });
      return r;
    },
  };
}

const failedSinceInform = (last: LastWake | null, device: Device): boolean =>
  last !== null && !last.ok && last.reason !== "busy" && last.at >= (device.lastInformAt ?? 0);

export function reachabilityOf(device: Device, credentials: DeviceCredentials | null, channelSince: number | null, log: WakeLog): Reachability {
  const hasCr = !!credentials?.connectionRequestUsername && credentials.connectionRequestPassword != null;
  const httpLast = log.get(device.id, "http");
  const httpTarget = checkTarget(device.connectionRequestUrl, device.lastRemoteAddress);
  const httpWhy = !httpTarget.ok ? httpTarget.detail
    : !hasCr ? "no connection request credentials are stored"
    : failedSinceInform(httpLast, device) ? `the last attempt failed: ${httpLast!.detail ?? httpLast!.reason}` : null;
  const udpLast = log.get(device.id, "udp");
  const udpTarget = checkUdpTarget(device.udpConnectionRequestAddress, device.lastRemoteAddress);
  const udpWhy = !udpTarget.ok ? udpTarget.detail : !hasCr ? "no connection request credentials are stored" : null;
  const channel = { connected: channelSince !== null, since: channelSince };
  const http = { url: device.connectionRequestUrl, usable: httpWhy === null, why: httpWhy, last: httpLast };
  const udp = { address: device.udpConnectionRequestAddress, usable: udpWhy === null, why: udpWhy, last: udpLast };
  const via: Reach = channel.connected ? "channel" : http.usable ? "http" : udp.usable ? "udp" : "none";
  return { via, channel, http, udp };
}
