// The agent channel: one outbound WebSocket per device from the agent to the
// ACS's CPE-facing listener, over which the ACS says "call me now" without
// reaching into the device's network (NAT, closed connection-request port).
// Shared by the ACS (acs/channel/channel-server.ts) and the agent
// (agent/channel/channel-client.ts). Messages are small JSON texts:
//   ACS → agent  { type: "hello", heartbeatMs }  after the upgrade; the ACS
//                pings every heartbeatMs, so a silent link is dead after ~2.5×.
//                { type: "wake", id }            open a session now (6 CONNECTION REQUEST)
//   agent → ACS  { type: "ack", id, ok }         ok false: refused (rate limit), as a 503 would be
// Authentication is on the upgrade request: see channel-auth.ts.

/** Path of the channel on the CWMP listener; the device is named by the `device` query parameter. */
export const CHANNEL_PATH = "/agent-channel";
/** Channel messages are tiny; anything larger is a broken or hostile peer. */
export const CHANNEL_MAX_PAYLOAD = 4096;

export type AcsMessage = { type: "hello"; heartbeatMs: number } | { type: "wake"; id: string };
export type AgentMessage = { type: "ack"; id: string; ok: boolean };

/** The channel URL for a device, derived from its ACS URL (http → ws, https → wss, same host and port). */
export function channelUrl(acsUrl: string, deviceId: string): string {
  const u = new URL(acsUrl);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`the ACS URL ${acsUrl} is not http(s)`);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.pathname = CHANNEL_PATH;
  u.search = `?device=${encodeURIComponent(deviceId)}`;
  u.hash = "";
  return u.toString();
}

function parse(text: string): Record<string, unknown> | null {
  if (text.length > CHANNEL_MAX_PAYLOAD) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isId = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 64;

export function parseAcsMessage(text: string): AcsMessage | null {
  const m = parse(text);
  if (m?.type === "hello" && typeof m.heartbeatMs === "number" && m.heartbeatMs > 0) return { type: "hello", heartbeatMs: m.heartbeatMs };
  if (m?.type === "wake" && isId(m.id)) return { type: "wake", id: m.id };
  return null;
}

export function parseAgentMessage(text: string): AgentMessage | null {
  const m = parse(text);
  if (m?.type === "ack" && isId(m.id) && typeof m.ok === "boolean") return { type: "ack", id: m.id, ok: m.ok };
  return null;
}
