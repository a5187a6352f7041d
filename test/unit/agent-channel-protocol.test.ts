// The agent channel's pure parts: the URL a device derives from its ACS URL,
// message parsing (anything unexpected is refused, never thrown), the
// upgrade target check, the reconnect back-off, and MAC spellings for the
// support search.

import { describe, expect, it } from "vitest";
import { upgradeTarget } from "../../acs/channel/channel-auth.ts";
import { channelUrl, parseAcsMessage, parseAgentMessage } from "../../acs/channel/protocol.ts";
import { normalizeMac } from "../../acs/wifi/line-search.ts";
import { reconnectDelayMs } from "../../agent/channel/channel-client.ts";

describe("channelUrl", () => {
  it("keeps host and port, switches http to ws and https to wss, and names the device", () => {
    expect(channelUrl("http://acs.example:7547/cwmp", "A4B1C2-HW-AX3000-HWA1")).toBe("ws://acs.example:7547/agent-channel?device=A4B1C2-HW-AX3000-HWA1");
    expect(channelUrl("https://acs.example/cwmp?x=1#f", "0019C6-ZXHN%20H298A-Z1")).toBe("wss://acs.example/agent-channel?device=0019C6-ZXHN%2520H298A-Z1");
    expect(() => channelUrl("ftp://acs.example/", "d")).toThrow("is not http(s)");
  });

  it("round-trips the device id through the upgrade target", () => {
    const url = new URL(channelUrl("http://127.0.0.1:1/", "0019C6-ZXHN%20H298A-Z1"));
    expect(upgradeTarget(url.pathname + url.search)).toEqual({ ok: true, deviceId: "0019C6-ZXHN%20H298A-Z1" });
    expect(upgradeTarget("/cwmp")).toMatchObject({ ok: false, status: 404 });
    expect(upgradeTarget("/agent-channel?device=")).toMatchObject({ ok: false, status: 400 });
  });
});

describe("messages", () => {
  it("parses the few messages there are and refuses everything else", () => {
    expect(parseAcsMessage('{"type":"wake","id":"abc"}')).toEqual({ type: "wake", id: "abc" });
    expect(parseAcsMessage('{"type":"hello","heartbeatMs":30000}')).toEqual({ type: "hello", heartbeatMs: 30000 });
    expect(parseAgentMessage('{"type":"ack","id":"abc","ok":false}')).toEqual({ type: "ack", id: "abc", ok: false });
    for (const bad of ["", "null", "[]", "{", '{"type":"wake"}', '{"type":"ack","id":"a"}', '{"type":"hello","heartbeatMs":-1}', `{"type":"wake","id":"${"x".repeat(65)}"}`]) {
      expect(parseAcsMessage(bad)).toBeNull();
      expect(parseAgentMessage(bad)).toBeNull();
    }
  });
});

describe("reconnectDelayMs", () => {
  it("doubles from the minimum up to the cap, half of it random", () => {
    expect([0, 1, 2, 3].map((n) => reconnectDelayMs(n, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((n) => reconnectDelayMs(n, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(reconnectDelayMs(40, 1000, 60_000, () => 0.5)).toBe(45_000);
  });
});

describe("normalizeMac", () => {
  it("reads the common spellings and nothing else", () => {
    for (const s of ["A4:B1:C2:00:12:34", "a4-b1-c2-00-12-34", "a4b1.c200.1234", "A4B1C2001234"]) expect(normalizeMac(s)).toBe("a4:b1:c2:00:12:34");
    for (const s of ["L-1", "a4:b1:c2:00:12", "g4:b1:c2:00:12:34"]) expect(normalizeMac(s)).toBeNull();
  });
});
