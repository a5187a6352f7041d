// SNMPv2c GET over UDP to one agent, with a cap on requests in flight.
//
// The BER codec is snmp-native's (encode/parse, exact raw value octets). Its
// Session is not used, for three missing features:
// - it sends from an unconnected socket, so an ICMP "port unreachable" never
//   surfaces and a closed port looks like a 20 s timeout; a connected socket
//   gets ECONNREFUSED at once, which tells "nothing listens" from "no answer";
// - it does not bound requests in flight: a burst overflows the agent's UDP
//   receive buffer and most requests are silently dropped (snmp-test-peer.md §2,
//   1100 GETs at once → 256 answers), and real ONTs are weaker;
// - it throws synchronously past 1024 requests in one millisecond.
// Every outcome is a value; nothing here throws or rejects.

import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import snmp from "snmp-native";

export type TransportErrorStatus =
  /** No answer after every retry: agent down, filtered, or wrong community (v2c agents drop those silently). */
  | "timeout"
  /** ICMP unreachable / no route / unresolvable host: nothing listens there. */
  | "unreachable"
  /** The agent answered with an error-status (v2c genErr, tooBig, v1 noSuchName …). */
  | "snmp_error"
  /** Any other local socket failure. */
  | "socket_error"
  | "closed";

export type GetResult =
  | { ok: true; varbinds: snmp.VarBind[]; atMs: number }
  | { ok: false; status: TransportErrorStatus; message: string; errorName?: string };

export interface TransportOptions {
  host: string;
  port: number;
  community: string;
  /** Wait for an answer per attempt. */
  timeoutMs: number;
  /** Retransmissions after the first attempt. */
  retries: number;
  /** Requests on the wire at once; the rest queue. */
  maxInFlight: number;
}

interface Pending {
  oids: number[][];
  resolve: (r: GetResult) => void;
  reqid?: number;
  timer?: NodeJS.Timeout;
  attempts?: number;
  buf?: Buffer;
}

const GET_RESPONSE = snmp.PduTypes.GetResponsePDU;
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EADDRNOTAVAIL"]);
const ERROR_NAMES = new Map(Object.entries(snmp.Errors).map(([name, code]) => [code, name]));

export class SnmpGetTransport {
  private readonly socket: dgram.Socket;
  /** Resolves once connect settles: undefined when connected, else why not. */
  private readonly connectFailure: Promise<string | undefined>;
  private readonly inFlight = new Map<number, Pending>();
  private readonly queue: Pending[] = [];
  private nextReqid = 1 + Math.floor(Math.random() * 0x3fffffff);
  private closed = false;
  private unparsable = 0;

  constructor(private readonly opts: TransportOptions) {
    const where = `${opts.host}:${opts.port}`;
    const describe = (err: NodeJS.ErrnoException) => `${where}: ${err.code ?? err.message}`;
    this.socket = dgram.createSocket(isIPv6(opts.host) ? "udp6" : "udp4");
    this.socket.on("message", (msg) => this.onMessage(msg));
    // On a connected socket, ICMP errors for datagrams to the agent arrive here.
    this.socket.on("error", (err: NodeJS.ErrnoException) =>
      this.failAll(UNREACHABLE_CODES.has(err.code ?? "") ? "unreachable" : "socket_error", describe(err)),
    );
    // With a callback, a failed connect (DNS lookup, bad address) is reported
    // to the callback, not as an "error" event.
    this.connectFailure = new Promise((resolve) =>
      this.socket.connect(opts.port, opts.host, (err?: Error) => resolve(err ? describe(err) : undefined)),
    );
  }

  get(oids: number[][]): Promise<GetResult> {
    if (this.closed) return Promise.resolve({ ok: false, status: "closed", message: "transport closed" });
    return new Promise((resolve) => {
      this.queue.push({ oids, resolve });
      this.pump();
    });
  }

  /** Cancels queued and in-flight requests ("closed") and releases the socket. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.failAll("closed", "transport closed");
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.opts.maxInFlight && this.queue.length > 0) {
      const p = this.queue.shift()!;
      p.reqid = this.takeReqid();
      this.inFlight.set(p.reqid, p);
      void this.start(p);
    }
  }

  private takeReqid(): number {
    const id = this.nextReqid;
    this.nextReqid = id >= 0x7ffffffe ? 1 : id + 1; // stays a positive signed 32-bit INTEGER
    return id;
  }

  private async start(p: Pending): Promise<void> {
    const failure = await this.connectFailure;
    if (failure !== undefined) {
      this.finish(p, { ok: false, status: "unreachable", message: failure });
      return;
    }
    if (!this.inFlight.has(p.reqid!)) return; // answered meanwhile (closed, ICMP error)
    const pkt = new snmp.Packet();
    pkt.community = this.opts.community;
    pkt.version = snmp.Versions.SNMPv2c;
    pkt.pdu.reqid = p.reqid!;
    pkt.pdu.varbinds = p.oids.map((oid) => ({ oid, type: snmp.DataTypes.Null!, value: null }));
    try {
      p.buf = snmp.encode(pkt);
    } catch (err) {
      this.finish(p, { ok: false, status: "snmp_error", message: `cannot encode request: ${(err as Error).message}` });
      return;
    }
    p.attempts = 0;
    this.transmit(p);
  }

  private transmit(p: Pending): void {
    if (p.attempts! > this.opts.retries) {
      const garbage = this.unparsable > 0 ? `; ${this.unparsable} unparsable datagram(s) received` : "";
      const message = `no response from ${this.opts.host}:${this.opts.port} after ${p.attempts} attempt(s) of ${this.opts.timeoutMs} ms (agent down, filtered, or community rejected: SNMPv2c agents drop those silently)${garbage}`;
      this.finish(p, { ok: false, status: "timeout", message });
      return;
    }
    p.attempts! += 1;
    p.timer = setTimeout(() => this.transmit(p), this.opts.timeoutMs);
    const failed = (err: Error) =>
      this.finish(p, { ok: false, status: "socket_error", message: `send to ${this.opts.host}:${this.opts.port} failed: ${err.message}` });
    try {
      this.socket.send(p.buf!, (err) => err && failed(err));
    } catch (err) {
      failed(err as Error);
    }
  }

  private onMessage(msg: Buffer): void {
    let pkt: snmp.ParsedPacket;
    try {
      pkt = snmp.parse(msg);
    } catch {
      this.unparsable += 1; // garbage is not an answer: the request keeps waiting
      return;
    }
    const p = this.inFlight.get(pkt.pdu.reqid);
    if (!p || pkt.pdu.type !== GET_RESPONSE) return;
    if (pkt.pdu.error !== 0) {
      const errorName = ERROR_NAMES.get(pkt.pdu.error) ?? `error ${pkt.pdu.error}`;
      this.finish(p, { ok: false, status: "snmp_error", errorName, message: `agent answered ${errorName} (index ${pkt.pdu.errorIndex})` });
      return;
    }
    this.finish(p, { ok: true, varbinds: pkt.pdu.varbinds, atMs: Date.now() });
  }

  /** Answers p once: later calls (a late reply, a timer, failAll) are no-ops. */
  private finish(p: Pending, result: GetResult): void {
    if (p.reqid === undefined || !this.inFlight.delete(p.reqid)) return;
    clearTimeout(p.timer);
    p.resolve(result);
    this.pump();
  }

  private failAll(status: TransportErrorStatus, message: string): void {
    for (const p of [...this.inFlight.values()]) this.finish(p, { ok: false, status, message });
    if (status === "closed") for (const p of this.queue.splice(0)) p.resolve({ ok: false, status, message });
  }
}
