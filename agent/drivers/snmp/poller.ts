// Polls one ONT's IF-MIB for link state, speed and octet counters.
//
//   const poller = createSnmpPoller({ host: "192.0.2.10", community: "public" });
//   const s = await poller.poll(1); // SnmpInterfaceSample | SnmpError, never throws
//   await poller.close();
//
// One GET PDU per poll carries sysUpTime and every column, so the counters and
// the uptime used for reboot detection come from the same instant.

import { decodeInterfaceSample, requestOids, type SnmpError, type SnmpInterfaceSample } from "./if-mib.ts";
import { SnmpGetTransport } from "./transport.ts";

export interface SnmpPollerOptions {
  host: string;
  /** Default 161. */
  port?: number;
  /** SNMPv2c community. A wrong one gets no answer at all: it ends as "timeout". */
  community: string;
  /** Per attempt. Default 2000 ms. */
  timeoutMs?: number;
  /** Retransmissions after the first attempt. Default 1. */
  retries?: number;
  /**
   * Requests on the wire at once toward this agent; more queue. Default 4:
   * bursts overflow an agent's UDP buffer and are dropped silently (snmp-test-peer.md §2).
   */
  maxInFlight?: number;
}

export interface SnmpPoller {
  poll(ifIndex: number): Promise<SnmpInterfaceSample | SnmpError>;
  close(): Promise<void>;
}

/** Throws a RangeError for an unusable configuration; polls themselves never throw. */
export function createSnmpPoller(options: SnmpPollerOptions): SnmpPoller {
  const port = options.port ?? 161;
  if (!options.host) throw new RangeError("SNMP poller: host is required");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`SNMP poller: port must be 1..65535, got ${port}`);
  for (const key of ["timeoutMs", "retries", "maxInFlight"] as const) {
    const v = options[key];
    const min = key === "retries" ? 0 : 1;
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new RangeError(`SNMP poller: ${key} must be an integer ≥ ${min}, got ${v}`);
  }
  const transport = new SnmpGetTransport({
    host: options.host,
    port,
    community: options.community,
    timeoutMs: options.timeoutMs ?? 2000,
    retries: options.retries ?? 1,
    maxInFlight: options.maxInFlight ?? 4,
  });
  return {
    async poll(ifIndex) {
      if (!Number.isInteger(ifIndex) || ifIndex < 1 || ifIndex > 0x7fffffff) {
        return { ok: false, ifIndex, status: "no_such_object", message: `ifIndex must be an integer in 1..2147483647, got ${ifIndex}` };
      }
      const answer = await transport.get(requestOids(ifIndex));
      if (!answer.ok) {
        // SNMPv1-style agents answer a missing object with noSuchName.
        const status = answer.errorName === "NoSuchName" ? "no_such_object" : answer.status;
        return { ok: false, ifIndex, status, message: answer.message };
      }
      return decodeInterfaceSample(ifIndex, answer.varbinds, answer.atMs);
    },
    close: () => transport.close(),
  };
}
