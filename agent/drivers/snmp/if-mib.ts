// IF-MIB (RFC 2863) objects the link-rate poller reads, and the decoding of a
// GET answer into one interface sample. Pure: no sockets here.

import type snmp from "snmp-native";

const IF_ENTRY = [1, 3, 6, 1, 2, 1, 2, 2, 1];
const IF_X_ENTRY = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
export const SYS_UPTIME_0 = [1, 3, 6, 1, 2, 1, 1, 3, 0];

/** Columns read for one ifIndex, in request order. */
export const IF_COLUMNS = {
  ifSpeed: [...IF_ENTRY, 5],
  ifOperStatus: [...IF_ENTRY, 8],
  ifInOctets: [...IF_ENTRY, 10],
  ifOutOctets: [...IF_ENTRY, 16],
  ifHCInOctets: [...IF_X_ENTRY, 6],
  ifHCOutOctets: [...IF_X_ENTRY, 10],
  ifHighSpeed: [...IF_X_ENTRY, 15],
} as const;
type Column = keyof typeof IF_COLUMNS;
const COLUMN_NAMES = Object.keys(IF_COLUMNS) as Column[];

export const OPER_STATUS = ["up", "down", "testing", "unknown", "dormant", "notPresent", "lowerLayerDown"] as const;
export type OperStatus = (typeof OPER_STATUS)[number];

export interface SnmpInterfaceSample {
  ok: true;
  ifIndex: number;
  /** When the answer arrived (epoch ms). */
  atMs: number;
  /** sysUpTime in ms, for reboot detection; undefined if the agent did not give it. */
  uptimeMs: number | undefined;
  operStatus: OperStatus;
  /** ifHighSpeed × 10^6, else ifSpeed; null when the agent reports 0 (unknown). */
  speedBps: number | null;
  /** 64 when the ifHC* counters were used, 32 for the ifIn/OutOctets fallback. */
  counterBits: 64 | 32;
  inOctets: bigint;
  outOctets: bigint;
}

export type SnmpErrorStatus =
  | "timeout"
  | "unreachable"
  | "no_such_object"
  | "snmp_error"
  | "bad_response"
  | "socket_error"
  | "closed";

export interface SnmpError {
  ok: false;
  ifIndex: number;
  status: SnmpErrorStatus;
  message: string;
}

export function requestOids(ifIndex: number): number[][] {
  return [SYS_UPTIME_0, ...COLUMN_NAMES.map((c) => [...IF_COLUMNS[c], ifIndex])];
}

const T = { Integer: 0x02, Counter32: 0x41, Gauge32: 0x42, TimeTicks: 0x43, Counter64: 0x46 } as const;
const UINT32_MAX = 0xffff_ffffn;
const UINT64_MAX = (1n << 64n) - 1n;

/** Unsigned value of an integer-typed varbind from its raw BER octets: exact at any size. */
function unsignedValue(vb: snmp.VarBind, max: bigint): bigint | null {
  const raw = vb.valueRaw;
  if (!raw || raw.length === 0 || raw.length > 9) return null;
  const v = BigInt(`0x${raw.toString("hex")}`);
  return v <= max ? v : null;
}

const sameOid = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Decode the GET answer for requestOids(ifIndex). */
export function decodeInterfaceSample(ifIndex: number, varbinds: readonly snmp.VarBind[], atMs: number): SnmpInterfaceSample | SnmpError {
  const bad = (message: string): SnmpError => ({ ok: false, ifIndex, status: "bad_response", message });
  const found = new Map<Column, bigint>();
  const missing: Column[] = [];
  let uptimeMs: number | undefined;

  for (const vb of varbinds) {
    if (sameOid(vb.oid, SYS_UPTIME_0)) {
      const ticks = vb.type === T.TimeTicks ? unsignedValue(vb, UINT32_MAX) : null;
      if (ticks !== null) uptimeMs = Number(ticks) * 10; // TimeTicks are 1/100 s
      continue;
    }
    const column = COLUMN_NAMES.find((c) => sameOid(vb.oid, [...IF_COLUMNS[c], ifIndex]));
    if (!column) return bad(`unexpected OID .${vb.oid.join(".")} in answer`);
    if (vb.type >= 0x80) {
      missing.push(column); // noSuchObject / noSuchInstance / endOfMibView
      continue;
    }
    const expected = column === "ifHCInOctets" || column === "ifHCOutOctets" ? T.Counter64
      : column === "ifInOctets" || column === "ifOutOctets" ? T.Counter32
      : column === "ifOperStatus" ? T.Integer : T.Gauge32;
    const value = vb.type === expected ? unsignedValue(vb, expected === T.Counter64 ? UINT64_MAX : UINT32_MAX) : null;
    if (value === null) return bad(`${column}.${ifIndex}: unexpected type 0x${vb.type.toString(16)} or value`);
    found.set(column, value);
  }

  const status = found.get("ifOperStatus");
  if (status === undefined) {
    return { ok: false, ifIndex, status: "no_such_object", message: `ifIndex ${ifIndex}: no ifOperStatus (interface absent); missing ${missing.join(", ") || "ifOperStatus"}` };
  }

  // LibreNMS rule (market-anchors.md §5.1): HC counters replace the 32-bit ones
  // when present and non-zero; some agents answer 0 for HC they do not keep.
  const hcIn = found.get("ifHCInOctets");
  const hcOut = found.get("ifHCOutOctets");
  const in32 = found.get("ifInOctets");
  const out32 = found.get("ifOutOctets");
  const hcZeroWhileLegacyCounts = hcIn === 0n && hcOut === 0n && ((in32 ?? 0n) > 0n || (out32 ?? 0n) > 0n);
  let counters: { bits: 64 | 32; inOctets: bigint; outOctets: bigint };
  if (hcIn !== undefined && hcOut !== undefined && !hcZeroWhileLegacyCounts) counters = { bits: 64, inOctets: hcIn, outOctets: hcOut };
  else if (in32 !== undefined && out32 !== undefined) counters = { bits: 32, inOctets: in32, outOctets: out32 };
  else return { ok: false, ifIndex, status: "no_such_object", message: `ifIndex ${ifIndex}: no octet counters; missing ${missing.join(", ")}` };

  // ifHighSpeed is in Mbit/s; ifSpeed (bit/s) saturates at 2^32−1 above 4.29 Gbit/s.
  const highSpeed = found.get("ifHighSpeed");
  const speed = found.get("ifSpeed");
  const speedBps = highSpeed !== undefined && highSpeed > 0n ? Number(highSpeed) * 1e6
    : speed !== undefined && speed > 0n && speed < UINT32_MAX ? Number(speed) : null;

  return {
    ok: true,
    ifIndex,
    atMs,
    uptimeMs,
    operStatus: OPER_STATUS[Number(status) - 1] ?? "unknown",
    speedBps,
    counterBits: counters.bits,
    inOctets: counters.inOctets,
    outOctets: counters.outOctets,
  };
}
