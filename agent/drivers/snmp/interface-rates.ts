// Feeds successive SNMP interface samples to counter-rate: one baseline per
// direction, the line speed of the current sample as the plausibility ceiling.

import { counterRate, type CounterSample, type RateOutcome } from "../../measurements/counter-rate.ts";
import type { SnmpInterfaceSample } from "./if-mib.ts";

export interface InterfaceRateState {
  counterBits: 64 | 32;
  inbound: CounterSample | undefined;
  outbound: CounterSample | undefined;
}

export interface InterfaceRates {
  state: InterfaceRateState;
  /** ifIn*Octets: traffic the ONT received on this interface, bit/s. */
  inbound: RateOutcome;
  outbound: RateOutcome;
}

export function stepInterfaceRates(state: InterfaceRateState | undefined, sample: SnmpInterfaceSample): InterfaceRates {
  // Switching between HC and 32-bit counters changes the counter itself: start over.
  const prev = state && state.counterBits === sample.counterBits ? state : undefined;
  const policy = {
    bits: sample.counterBits,
    lineSpeedBps: sample.speedBps ?? undefined,
    allOnesIsNoData: false, // SNMP counters have no "no data" value: all ones is a real count
  };
  const at = { atMs: sample.atMs, uptimeMs: sample.uptimeMs };
  const inbound = counterRate(prev?.inbound, { ...at, value: sample.inOctets }, policy);
  const outbound = counterRate(prev?.outbound, { ...at, value: sample.outOctets }, policy);
  return {
    state: { counterBits: sample.counterBits, inbound: inbound.baseline, outbound: outbound.baseline },
    inbound: inbound.outcome,
    outbound: outbound.outcome,
  };
}
