// The ONT in front of the router, polled over SNMP (IF-MIB of one of its
// interfaces, agent/drivers/snmp/) every ontPollS, and shown to the ACS as
// the vendor object Device.X_FLEXACS_ONT.: link state and speed, octet
// counters, and the rates between the last two polls (interface-rates.ts).

import type { BbfObject } from "../../datamodel/schema.ts";
import type { DeviceModel } from "../../datamodel/device-model.ts";
import { isoSeconds, UNKNOWN_TIME } from "../../datamodel/values.ts";
import type { SnmpInterfaceSample } from "../snmp/if-mib.ts";
import { stepInterfaceRates, type InterfaceRateState } from "../snmp/interface-rates.ts";
import { createSnmpPoller, type SnmpPoller } from "../snmp/poller.ts";
import { NO_RATE } from "./rates.ts";

export const ONT_OBJECT = "Device.X_FLEXACS_ONT.";

/** Definitions of the vendor object (TR-106 vendor extension: X_<OUI or name>_). */
export const ONT_DEFINITION: BbfObject = {
  p: {
    Host: { t: "string" },
    IfIndex: { t: "unsignedInt" },
    Status: { t: "string", e: ["Up", "Down", "Unknown", "Error"] },
    CurrentBitRate: { t: "unsignedInt" },
    BytesReceived: { t: "unsignedLong" },
    BytesSent: { t: "unsignedLong" },
    ReceiveRate: { t: "long" },
    SendRate: { t: "long" },
    RateWindow: { t: "unsignedInt" },
    LastPollTime: { t: "dateTime" },
    LastPollError: { t: "string" },
  },
};

export interface OntOptions {
  host: string;
  port: number;
  community: string;
  ifIndex: number;
  timeoutMs: number;
}

export class OntMonitor {
  private readonly poller: SnmpPoller;
  private last?: SnmpInterfaceSample;
  private rates?: { state: InterfaceRateState; rx?: number; tx?: number; windowMs: number };
  private polledAt?: number;
  private error = "";

  constructor(private readonly o: OntOptions) {
    this.poller = createSnmpPoller({ host: o.host, port: o.port, community: o.community, timeoutMs: o.timeoutMs, retries: 1 });
  }

  /** One poll; never rejects (a failure shows in Status and LastPollError). */
  async poll(): Promise<void> {
    const s = await this.poller.poll(this.o.ifIndex);
    this.polledAt = Date.now();
    if (!s.ok) {
      this.error = `${s.status}: ${s.message}`;
      return;
    }
    this.error = "";
    this.last = s;
    const r = stepInterfaceRates(this.rates?.state, s);
    const bps = (o: typeof r.inbound): number | undefined => (o.kind === "rate" ? o.bps : undefined);
    this.rates = { state: r.state, rx: bps(r.inbound), tx: bps(r.outbound), windowMs: r.inbound.kind === "rate" ? r.inbound.intervalMs : 0 };
  }

  close(): Promise<void> {
    return this.poller.close();
  }

  /** Up / Down from the last answer; Error when the last poll failed; Unknown before any answer. */
  get status(): string {
    return this.error ? "Error" : !this.last ? "Unknown" : this.last.operStatus === "up" ? "Up" : "Down";
  }

  get lastError(): string {
    return this.error;
  }

  /** Dynamic values of the vendor object. */
  dynamic(): Record<string, (d: DeviceModel, path: string) => string> {
    const P = ONT_OBJECT;
    const rate = (v: number | undefined): string => (v === undefined ? NO_RATE : String(Math.round(v)));
    return {
      [`${P}Status`]: () => this.status,
      [`${P}CurrentBitRate`]: () => String(Math.round((this.last?.speedBps ?? 0) / 1e6)),
      [`${P}BytesReceived`]: () => String(this.last?.inOctets ?? 0n),
      [`${P}BytesSent`]: () => String(this.last?.outOctets ?? 0n),
      [`${P}ReceiveRate`]: () => rate(this.rates?.rx),
      [`${P}SendRate`]: () => rate(this.rates?.tx),
      [`${P}RateWindow`]: () => String(this.rates?.windowMs ?? 0),
      [`${P}LastPollTime`]: () => (this.polledAt ? isoSeconds(this.polledAt) : UNKNOWN_TIME),
      [`${P}LastPollError`]: () => this.lastError,
    };
  }

  values(): Record<string, string> {
    return { [`${ONT_OBJECT}Host`]: this.o.host, [`${ONT_OBJECT}IfIndex`]: String(this.o.ifIndex) };
  }
}
