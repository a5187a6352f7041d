// UDP connection requests (TR-111 / TR-069 Annex G) over a real UDP socket:
// the signature of the reference example, three datagrams with one id that
// a CPE verifies with its own password, and the SSRF guard (only the
// device's own address).

import { createHmac } from "node:crypto";
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { udpConnectionRequestMessage, udpSignature, udpWakeStrategy } from "../../acs/connreq/udp-wake.ts";
import type { Device } from "../../acs/store/store.ts";

const device = (udp: string | null, last: string | null): Device => ({
  id: "D-1", manufacturer: "m", oui: "A4B1C2", productClass: "HW-AX3000", serialNumber: "S1", softwareVersion: "1", hardwareVersion: "1",
  dataModel: "tr181", registeredAt: 0, lastInformAt: 0, lastBootAt: null, lastRemoteAddress: last, connectionRequestUrl: null,
  udpConnectionRequestAddress: udp, lastEvents: [], periodicInformInterval: null, tags: [],
});
const credentials = { cpeUsername: null, cpeHa1: null, connectionRequestUsername: "acs-cr-user", connectionRequestPassword: "s3cr3t" };

describe("UDP connection request", () => {
  it("signs as the reference example (tr069.md §3.2)", () => {
    const f = { ts: 1746094530, id: 1234567, username: "acs-cr-user", cnonce: "9f2c4e7a1b3d5f60" };
    expect(udpSignature("s3cr3t", f)).toBe("689f4cbf4468d7bc8e4e106107d3d0254bb24b85");
    expect(udpConnectionRequestMessage("198.51.100.7:51234", "s3cr3t", f)).toBe(
      "GET http://198.51.100.7:51234?ts=1746094530&id=1234567&un=acs-cr-user&cn=9f2c4e7a1b3d5f60&sig=689f4cbf4468d7bc8e4e106107d3d0254bb24b85 HTTP/1.1\r\nHost: 198.51.100.7:51234\r\n\r\n",
    );
  });

  it("sends three datagrams with one id, each verifiable with the device's password", async () => {
    const cpe = createSocket("udp4");
    await new Promise<void>((resolve) => cpe.bind(0, "127.0.0.1", resolve));
    const received: string[] = [];
    const three = new Promise<void>((resolve) => cpe.on("message", (m) => {
      received.push(m.toString());
      if (received.length === 3) resolve();
    }));
    try {
      const port = (cpe.address() as AddressInfo).port;
      const r = await udpWakeStrategy().wake({ device: device(`127.0.0.1:${port}`, "127.0.0.1"), credentials });
      expect(r).toMatchObject({ ok: true, via: "udp" });
      await three;
      expect(new Set(received).size).toBe(1);
      const [line, host] = received[0]!.split("\r\n");
      expect(host).toBe(`Host: 127.0.0.1:${port}`);
      const q = new URL(line!.split(" ")[1]!).searchParams;
      // What a CPE does: recompute HMAC-SHA1(password, ts ‖ id ‖ un ‖ cn) and compare.
      const sig = createHmac("sha1", "s3cr3t").update(`${q.get("ts")}${q.get("id")}${q.get("un")}${q.get("cn")}`).digest("hex");
      expect(q.get("sig")).toBe(sig);
      expect(q.get("un")).toBe("acs-cr-user");
      expect(q.get("ts")).toMatch(/^\d{10}$/);
    } finally {
      cpe.close();
    }
  });

  it("sends nothing to an address other than the device's own, nor without an address", async () => {
    expect(await udpWakeStrategy().wake({ device: device("127.0.0.2:7547", "127.0.0.1"), credentials })).toMatchObject({ ok: false, reason: "forbidden_host" });
    expect(await udpWakeStrategy().wake({ device: device("cpe.example:7547", "127.0.0.1"), credentials })).toMatchObject({ ok: false, reason: "forbidden_host" });
    expect(await udpWakeStrategy().wake({ device: device(null, "127.0.0.1"), credentials })).toMatchObject({ ok: false, reason: "no_url" });
    expect(await udpWakeStrategy().wake({ device: device("127.0.0.1:7547", "127.0.0.1"), credentials: null })).toMatchObject({ ok: false, reason: "auth" });
  });
});
