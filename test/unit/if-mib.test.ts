// Decoding of IF-MIB GET answers, with varbinds as snmp-native's parser yields
// them (the socket path is covered by test/integration/snmp-poller.test.ts).

import { describe, expect, it } from "vitest";
import type snmp from "snmp-native";
import { decodeInterfaceSample, IF_COLUMNS, SYS_UPTIME_0 } from "../../agent/drivers/snmp/if-mib.ts";
import { createSnmpPoller } from "../../agent/drivers/snmp/poller.ts";

const T = { Integer: 0x02, Counter32: 0x41, Gauge32: 0x42, TimeTicks: 0x43, Counter64: 0x46, NoSuchInstance: 0x81 };

/** BER content octets of an unsigned integer (leading 0x00 when the top bit is set). */
function raw(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return Buffer.from(hex, "hex");
}
const vb = (oid: readonly number[], type: number, value: bigint | null): snmp.VarBind => ({
  oid: [...oid],
  type,
  value: value === null ? "noSuchInstance" : Number(value),
  valueRaw: value === null ? Buffer.alloc(0) : raw(value),
});
const col = (name: keyof typeof IF_COLUMNS, ifIndex = 1) => [...IF_COLUMNS[name], ifIndex];

function answer(over: Partial<Record<keyof typeof IF_COLUMNS, [number, bigint | null]>> = {}): snmp.VarBind[] {
  const base: Record<keyof typeof IF_COLUMNS, [number, bigint | null]> = {
    ifSpeed: [T.Gauge32, 1_000_000_000n],
    ifOperStatus: [T.Integer, 1n],
    ifInOctets: [T.Counter32, 10n],
    ifOutOctets: [T.Counter32, 20n],
    ifHCInOctets: [T.Counter64, (1n << 64n) - 1n],
    ifHCOutOctets: [T.Counter64, 9_007_199_254_740_993n],
    ifHighSpeed: [T.Gauge32, 1000n],
    ...over,
  };
  return [
    vb(SYS_UPTIME_0, T.TimeTicks, 123_456n),
    ...Object.entries(base).map(([name, [type, v]]) => vb(col(name as keyof typeof IF_COLUMNS), v === null ? T.NoSuchInstance : type, v)),
  ];
}

describe("IF-MIB answer decoding", () => {
  it("reads Counter64 from the raw octets, exactly", () => {
    expect(decodeInterfaceSample(1, answer(), 5)).toEqual({
      ok: true,
      ifIndex: 1,
      atMs: 5,
      uptimeMs: 1_234_560,
      operStatus: "up",
      speedBps: 1_000_000_000,
      counterBits: 64,
      inOctets: 18_446_744_073_709_551_615n,
      outOctets: 9_007_199_254_740_993n,
    });
  });

  it("uses ifSpeed when ifHighSpeed is absent or 0, and no speed when ifSpeed is saturated", () => {
    expect(decodeInterfaceSample(1, answer({ ifHighSpeed: [T.Gauge32, null], ifSpeed: [T.Gauge32, 100_000_000n] }), 0)).toMatchObject({ speedBps: 100_000_000 });
    expect(decodeInterfaceSample(1, answer({ ifHighSpeed: [T.Gauge32, 0n], ifSpeed: [T.Gauge32, 0xffff_ffffn] }), 0)).toMatchObject({ speedBps: null });
  });

  it("falls back to 32-bit counters when HC are missing, or all zero while the 32-bit ones count", () => {
    expect(decodeInterfaceSample(1, answer({ ifHCInOctets: [T.Counter64, null], ifHCOutOctets: [T.Counter64, null] }), 0)).toMatchObject({ counterBits: 32, inOctets: 10n, outOctets: 20n });
    expect(decodeInterfaceSample(1, answer({ ifHCInOctets: [T.Counter64, 0n], ifHCOutOctets: [T.Counter64, 0n] }), 0)).toMatchObject({ counterBits: 32 });
    expect(decodeInterfaceSample(1, answer({ ifHCInOctets: [T.Counter64, 0n], ifHCOutOctets: [T.Counter64, 0n], ifInOctets: [T.Counter32, 0n], ifOutOctets: [T.Counter32, 0n] }), 0)).toMatchObject({ counterBits: 64, inOctets: 0n });
  });

  it("maps ifOperStatus codes", () => {
    expect(decodeInterfaceSample(1, answer({ ifOperStatus: [T.Integer, 2n] }), 0)).toMatchObject({ operStatus: "down" });
    expect(decodeInterfaceSample(1, answer({ ifOperStatus: [T.Integer, 7n] }), 0)).toMatchObject({ operStatus: "lowerLayerDown" });
  });

  it("an absent interface or absent counters is no_such_object", () => {
    const none = answer(Object.fromEntries(Object.keys(IF_COLUMNS).map((k) => [k, [0, null]])));
    expect(decodeInterfaceSample(1, none, 0)).toMatchObject({ ok: false, status: "no_such_object" });
    const noCounters = answer({ ifHCInOctets: [0, null], ifHCOutOctets: [0, null], ifInOctets: [0, null], ifOutOctets: [0, null] });
    expect(decodeInterfaceSample(1, noCounters, 0)).toMatchObject({ ok: false, status: "no_such_object", message: expect.stringContaining("ifHCInOctets") });
  });

  it("a wrong type, an oversized value or a foreign OID is bad_response, not a crash", () => {
    expect(decodeInterfaceSample(1, answer({ ifHCInOctets: [T.Gauge32, 5n] }), 0)).toMatchObject({ ok: false, status: "bad_response" });
    expect(decodeInterfaceSample(1, answer({ ifInOctets: [T.Counter32, 1n << 32n] }), 0)).toMatchObject({ ok: false, status: "bad_response" });
    const foreign = [...answer(), vb([1, 3, 6, 1, 4, 1, 9], T.Integer, 1n)];
    expect(decodeInterfaceSample(1, foreign, 0)).toMatchObject({ ok: false, status: "bad_response" });
  });
});

describe("poller configuration", () => {
  it("rejects unusable options at creation with a clear error", () => {
    expect(() => createSnmpPoller({ host: "127.0.0.1", port: 0, community: "public" })).toThrow(/port must be 1..65535/);
    expect(() => createSnmpPoller({ host: "127.0.0.1", community: "public", maxInFlight: 0 })).toThrow(/maxInFlight must be an integer ≥ 1/);
  });

  it("an invalid ifIndex is answered, not thrown", async () => {
    const p = createSnmpPoller({ host: "127.0.0.1", port: 9, community: "public" });
    try {
      expect(await p.poll(0)).toMatchObject({ ok: false, status: "no_such_object" });
    } finally {
      await p.close();
    }
  });
});
