// The agent channel for the devices of a fleet: one ChannelClient (one
// WebSocket) per device, each authenticated with that device's own
// credentials. Measured with 5,000 routers (bench/wifi.bench.ts): 16 KB of
// heap per booted device with its channel open, 10 KB without, so about 7 KB
// per channel, inside the agent's 50 KB/device budget. So the fleet does not
// multiplex devices over shared sockets (which would need a per-device proof
// inside the shared stream to keep authentication honest).
//
// A channel opens after the device's first successful session (before it the
// device holds only the shared bootstrap credential, which never opens a
// channel) and is kicked again after each session if it is not open (the
// credentials may be new). Powering a device off closes its channel: a dead
// router has no connection.

import { allowRequest } from "../connection-request/rate-limit.ts";
import { deviceIdOf } from "../../acs/sessions/device-id.ts";
import type { Device, SessionResult } from "../device/device.ts";
import { ChannelClient, type ChannelClientOptions, type ChannelPeer, type ChannelState } from "./channel-client.ts";

export type ChannelFleetOptions = Omit<ChannelClientOptions, "onState">;

function peerOf(d: Device): ChannelPeer {
  const ms = (name: string): string => d.getValue(`${d.drv.model.root}ManagementServer.${name}`) ?? "";
  return {
    deviceId: deviceIdOf(d.drv.deviceId) ?? d.serial,
    acsUrl: () => ms("URL"),
    credentials: () => ({ username: ms("Username"), password: ms("Password") }),
    wake() {
      // The same rules as an HTTP connection request: nothing while off, and the same rate limit.
      if (!d.online || !allowRequest((d.crWindow ??= { start: 0, count: 0 }), Date.now())) return false;
      d.connectionRequest();
      return true;
    },
  };
}

export class ChannelFleet {
  private readonly clients = new Map<Device, ChannelClient>();
  private readonly waiting = new Map<Device, Set<() => void>>();

  constructor(private readonly o: ChannelFleetOptions = {}) {}

  /** Channels open now. */
  get openCount(): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.state === "open") n++;
    return n;
  }

  state(d: Device): ChannelState {
    return this.clients.get(d)?.state ?? "idle";
  }

  /** Resolves once the device's channel is open. */
  whenOpen(d: Device): Promise<void> {
    if (this.state(d) === "open") return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiting.get(d) ?? new Set();
      set.add(resolve);
      this.waiting.set(d, set);
    });
  }

  sessionEnded(d: Device, result: SessionResult): void {
    if (!result.ok || !d.online) return;
    let c = this.clients.get(d);
    if (!c) {
      c = new ChannelClient(peerOf(d), { ...this.o, onState: (s) => this.onState(d, s) });
      this.clients.set(d, c);
    }
    c.kick();
  }

  powered(d: Device, on: boolean): void {
    if (!on) this.clients.get(d)?.pause();
  }

  stop(): void {
    for (const c of this.clients.values()) c.stop();
    this.clients.clear();
  }

  private onState(d: Device, s: ChannelState): void {
    if (s !== "open") return;
    const set = this.waiting.get(d);
    this.waiting.delete(d);
    for (const resolve of set ?? []) resolve();
  }
}
