// The agent channel as a wake strategy, and the ACS's strategy list in the
// order the issue sets: the channel when the agent is connected, else HTTP
// (TR-069 §3.2.2), else UDP (TR-111) where the device announced an address,
// else nothing: the device gets its work at its next contact.

import { httpWakeStrategy } from "../connreq/http-wake.ts";
import type { WakeStrategy } from "../connreq/requester.ts";
import { udpWakeStrategy } from "../connreq/udp-wake.ts";
import type { AgentChannel } from "./channel-server.ts";
import { observed, type WakeLog } from "./reachability.ts";

export function channelWakeStrategy(channel: AgentChannel, opts: { timeoutMs: number }): WakeStrategy {
  return { name: "channel", wake: (target) => channel.wake(target.device.id, opts.timeoutMs) };
}

/** Channel → HTTP → UDP, each outcome kept in `log` (what the reachability view reports). */
export function wakeStrategies(opts: { channel: AgentChannel; timeoutMs: number; log: WakeLog }): WakeStrategy[] {
  return [
    channelWakeStrategy(opts.channel, { timeoutMs: opts.timeoutMs }),
    httpWakeStrategy({ timeoutMs: opts.timeoutMs }),
    udpWakeStrategy(),
  ].map((s) => observed(s, opts.log));
}
