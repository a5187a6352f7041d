// The ONT SNMP poller against a real Debian snmpd on 127.0.0.1 whose IF-MIB
// values the test sets (test/helpers/snmpd.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SnmpError, SnmpInterfaceSample } from "../../agent/drivers/snmp/if-mib.ts";
import { stepInterfaceRates } from "../../agent/drivers/snmp/interface-rates.ts";
import { createSnmpPoller, type SnmpPoller } from "../../agent/drivers/snmp/poller.ts";
import { freeUdpPort, startSnmpd, type SimInterface, type SnmpdPeer } from "../helpers/snmpd.ts";

const TWO_64 = 1n << 64n;
const wan = (over: Partial<SimInterface> = {}): SimInterface => ({
  index: 1, descr: "eth0 WAN", operStatus: 1, highSpeed: 1000, inOctets: 1_000_000_000n, outOctets: 5_000n, ...over,
});
const pon32 = (over: Partial<SimInterface> = {}): SimInterface => ({
  index: 2, descr: "pon0 GPON", operStatus: 1, highSpeed: 2500, inOctets: 3n * (1n << 32n) + 77n, outOctets: 1234n, hc: false, ...over,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sample(r: SnmpInterfaceSample | SnmpError): SnmpInterfaceSample {
  if (!r.ok) throw new Error(`expected a sample, got ${r.status}: ${r.message}`);
  return r;
}

let peer: SnmpdPeer;
let poller: SnmpPoller;

beforeAll(async () => {
  peer = await startSnmpd([wan(), pon32()]);
  poller = createSnmpPoller({ host: "127.0.0.1", port: peer.port, community: "public", timeoutMs: 1000, retries: 1, maxInFlight: 4 });
});

afterAll(async () => {
  await poller?.close();
  await peer?.stop();
});

describe("SNMP poller against a real snmpd", () => {
  it("reads link state, speed and HC counters, and gives exact rates from the counters the test sets", async () => {
    await peer.setInterfaces([wan({ inOctets: 1_000_000_000n, outOctets: 5_000n }), pon32()]);
    const s1 = sample(await poller.poll(1));
    expect(s1).toMatchObject({ ifIndex: 1, operStatus: "up", speedBps: 1_000_000_000, counterBits: 64, inOctets: 1_000_000_000n, outOctets: 5_000n });
    expect(s1.uptimeMs).toBeGreaterThanOrEqual(0);

    await peer.setInterfaces([wan({ inOctets: 1_001_250_000n, outOctets: 130_000n }), pon32()]);
    await sleep(200); // keeps the delta far below line speed whatever the scheduling
    const s2 = sample(await poller.poll(1));
    const r1 = stepInterfaceRates(undefined, s1);
    expect(r1.inbound).toEqual({ kind: "baseline" });
    const r2 = stepInterfaceRates(r1.state, s2);
    const intervalMs = s2.atMs - s1.atMs;
    expect(r2.inbound).toEqual({ kind: "rate", deltaBytes: 1_250_000n, bps: (1_250_000 * 8000) / intervalMs, intervalMs, wrapped: false });
    expect(r2.outbound).toMatchObject({ kind: "rate", deltaBytes: 125_000n, bps: (125_000 * 8000) / intervalMs });
  });

  it("reads Counter64 values above 2^53 exactly (raw bytes, not snmp-native's rounded number)", async () => {
    const big = (1n << 53n) + 1n; // 9007199254740993: snmp-native's number would say …992
    await peer.setInterfaces([wan({ inOctets: big, outOctets: TWO_64 - 2n }), pon32()]);
    const s1 = sample(await poller.poll(1));
    expect(s1.inOctets).toBe(9_007_199_254_740_993n);
    expect(s1.outOctets).toBe(18_446_744_073_709_551_614n);

    await peer.setInterfaces([wan({ inOctets: big + 3n, outOctets: TWO_64 - 1n }), pon32()]);
    await sleep(50);
    const s2 = sample(await poller.poll(1));
    const rates = stepInterfaceRates(stepInterfaceRates(undefined, s1).state, s2);
    expect(rates.inbound).toMatchObject({ kind: "rate", deltaBytes: 3n });
    expect(rates.outbound).toMatchObject({ kind: "rate", deltaBytes: 1n }); // 2^64−1 is a real SNMP count
  });

  it("handles a Counter64 wrap past 2^64", async () => {
    await peer.setInterfaces([wan({ inOctets: TWO_64 - 500_000n }), pon32()]);
    const s1 = sample(await poller.poll(1));
    await peer.setInterfaces([wan({ inOctets: 700_000n }), pon32()]);
    await sleep(200);
    const s2 = sample(await poller.poll(1));
    const rates = stepInterfaceRates(stepInterfaceRates(undefined, s1).state, s2);
    expect(rates.inbound).toMatchObject({ kind: "rate", deltaBytes: 1_200_000n, wrapped: true });
  });

  it("reports ifOperStatus down and a renegotiated 100 Mb/s port", async () => {
    await peer.setInterfaces([wan({ operStatus: 2, highSpeed: 100 }), pon32()]);
    expect(sample(await poller.poll(1))).toMatchObject({ operStatus: "down", speedBps: 100_000_000 });
  });

  it("falls back to the 32-bit counters when the agent has no HC counters", async () => {
    await peer.setInterfaces([wan(), pon32()]);
    expect(sample(await poller.poll(2))).toMatchObject({ counterBits: 32, inOctets: 77n, outOctets: 1234n, speedBps: 2_500_000_000 });
  });

  it("an absent interface is no_such_object", async () => {
    const r = await poller.poll(99);
    expect(r).toMatchObject({ ok: false, ifIndex: 99, status: "no_such_object" });
  });

  it("many polls at once all succeed through the in-flight cap", async () => {
    await peer.setInterfaces([wan(), pon32()]);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => poller.poll(1 + (i % 2))));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it("a port where nothing listens is 'unreachable', quickly and without throwing", async () => {
    const p = createSnmpPoller({ host: "127.0.0.1", port: await freeUdpPort(), community: "public", timeoutMs: 5000, retries: 3 });
    try {
      const r = await p.poll(1);
      expect(r).toMatchObject({ ok: false, status: "unreachable" });
      expect((r as SnmpError).message).toMatch(/ECONNREFUSED/);
    } finally {
      await p.close();
    }
  });

  it("a wrong community gets no answer: 'timeout' that names the likely causes", async () => {
    const p = createSnmpPoller({ host: "127.0.0.1", port: peer.port, community: "wrong", timeoutMs: 300, retries: 1 });
    try {
      const r = await p.poll(1);
      expect(r).toMatchObject({ ok: false, status: "timeout" });
      expect((r as SnmpError).message).toMatch(/after 2 attempt\(s\) of 300 ms.*community/);
    } finally {
      await p.close();
    }
  });

  it("closing with polls queued and in flight answers them all 'closed'", async () => {
    const p = createSnmpPoller({ host: "127.0.0.1", port: peer.port, community: "wrong", timeoutMs: 5000, maxInFlight: 2 });
    const pending = Array.from({ length: 5 }, () => p.poll(1));
    await p.close();
    const results = await Promise.all(pending);
    expect(results.map((r) => !r.ok && r.status)).toEqual(["closed", "closed", "closed", "closed", "closed"]);
    expect(await p.poll(1)).toMatchObject({ ok: false, status: "closed" });
  });

  it("an agent restart (sysUpTime back to ~0) gives no rate for that interval, even with counters still growing", async () => {
    await peer.setInterfaces([wan({ inOctets: 5_000_000n }), pon32()]);
    let s1 = sample(await poller.poll(1));
    if (s1.uptimeMs! < 4000) {
      await sleep(4000 - s1.uptimeMs!); // uptime must exceed the 2 s slack for a drop to show
      s1 = sample(await poller.poll(1));
    }
    await peer.restart();
    await peer.setInterfaces([wan({ inOctets: 5_100_000n }), pon32()]);
    const s2 = sample(await poller.poll(1));
    expect(s2.uptimeMs!).toBeLessThan(s1.uptimeMs!);
    const rates = stepInterfaceRates(stepInterfaceRates(undefined, s1).state, s2);
    expect(rates.inbound).toEqual({ kind: "reset", reason: "uptime" });
    expect(rates.outbound).toEqual({ kind: "reset", reason: "uptime" });
  });
});
