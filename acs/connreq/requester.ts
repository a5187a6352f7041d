// Connection requests: "call me now" to a device, through a list of wake
// strategies tried in order until one succeeds: HTTP (TR-069 §3.2.2) by
// default; the agent channel (acs/channel/channel-wake.ts) and UDP (TR-111,
// udp-wake.ts) are further entries in the list, with their own `via`.

import type { Logger } from "pino";
import type { Device, DeviceCredentials, Store } from "../store/store.ts";
import { httpWakeStrategy } from "./http-wake.ts";

/** Channels a wake can go through; a new strategy adds its name here. */
export type WakeChannel = "http" | "channel" | "udp";

export type WakeFailure = "unknown_device" | "no_url" | "forbidden_host" | "offline" | "auth" | "bad_status" | "timeout" | "busy";

export type WakeResult =
  | { ok: true; via: WakeChannel; ms: number }
  | { ok: false; reason: WakeFailure; detail: string };

export interface WakeTarget {
  device: Device;
  credentials: DeviceCredentials | null;
}

export interface WakeStrategy {
  name: WakeChannel;
  /** Wakes the device, or fails; "no_url" means the strategy does not apply to this device. */
  wake(target: WakeTarget): Promise<WakeResult>;
}

export interface ConnectionRequester {
  wake(deviceId: string): Promise<WakeResult>;
}

export interface ConnectionRequesterDeps {
  store: Store;
  logger: Logger;
  /** Per wake attempt of a strategy (default 3 s). */
  timeoutMs?: number;
  /** Defaults to [HTTP]. */
  strategies?: WakeStrategy[];
}

export function createConnectionRequester(deps: ConnectionRequesterDeps): ConnectionRequester {
  const { store, logger } = deps;
  const strategies = deps.strategies ?? [httpWakeStrategy({ timeoutMs: deps.timeoutMs ?? 3_000 })];
  // Concurrent wakes of one device share one attempt: CPEs rate-limit connection requests.
  const inFlight = new Map<string, Promise<WakeResult>>();

  async function wakeOnce(deviceId: string): Promise<WakeResult> {
    const device = await store.getDevice(deviceId);
    if (!device) return { ok: false, reason: "unknown_device", detail: `no device ${deviceId}` };
    const target: WakeTarget = { device, credentials: await store.getCredentials(deviceId) };
    let failure: Extract<WakeResult, { ok: false }> | null = null;
    for (const strategy of strategies) {
      const r = await strategy.wake(target);
      if (r.ok) {
        logger.debug({ deviceId, via: r.via, ms: r.ms }, "connection request accepted");
        return r;
      }
      // "no_url" only says the strategy does not apply; any other failure tells more.
      if (!failure || (failure.reason === "no_url" && r.reason !== "no_url")) failure = r;
    }
    const result = failure ?? { ok: false as const, reason: "no_url" as const, detail: "no wake channel applies to this device" };
    const level = result.reason === "forbidden_host" ? "warn" : "info";
    logger[level]({ deviceId, reason: result.reason, detail: result.detail }, "connection request failed");
    return result;
  }

  return {
    wake(deviceId) {
      let p = inFlight.get(deviceId);
      if (!p) {
        p = wakeOnce(deviceId).finally(() => inFlight.delete(deviceId));
        inFlight.set(deviceId, p);
      }
      return p;
    },
  };
}
