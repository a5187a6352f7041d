// One HTTP/1.1 connection to the ACS for one CWMP session (TR-069 §3.4.1: the
// session's requests go over one TCP connection, kept alive until the ACS
// closes it). One request at a time: head and body leave in a single write,
// the reply is read by http1-reply.ts.
//
// Hand-written, not node:http or undici, for CPU: client CPU per periodic
// session (Inform + empty POST, 204 + close) against the bare responder, 64
// sessions in flight, 2-core machine, medians of 3 alternated rounds:
//   node:http + shared keep-alive Agent (before)   0.25-0.28 ms
//   node:http, agent: false                         0.27 ms
//   undici 7 Pool (shared) / Client per session     0.38 / 0.30 ms
//   this                                            0.11-0.14 ms
// Whole 10,000-device fleet against the ACS (.prof/prof.ts, 3 alternated runs
// of 3 rounds, medians): fleet CPU 0.60 -> 0.43 ms per session.

import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from "node:tls";
import { ReplyParser, type HttpReply, type ReplyLimits } from "./http1-reply.ts";

/** Where to connect, and the sockets allowed at once (a fleet shares one pool). */
export interface Http1Target {
  host: string;
  port: number;
  tls?: TlsOptions;
  pool: SocketPool;
}

/**
 * Bounds the connections open at once (like http.Agent's maxSockets): a
 * session waits for a slot before it connects. TLS sessions are resumed
 * across connections, as http.Agent does: a pool serves one TLS configuration.
 */
export class SocketPool {
  private open = 0;
  private readonly waiting: (() => void)[] = [];
  /** The last TLS session per host:port, offered for resumption. */
  readonly tlsSessions = new Map<string, Buffer>();

  constructor(readonly maxSockets: number) {}

  acquire(): Promise<void> | null {
    if (this.open < this.maxSockets) {
      this.open++;
      return null;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.open--;
  }
}

export class Http1Connection {
  private socket?: Socket;
  private reusable = false;
  private inFlight?: { parser: ReplyParser; resolve: (r: HttpReply) => void; reject: (e: Error) => void };
  /** Set once destroyed with an error: every later request fails with it. */
  private failed?: Error;

  constructor(
    private readonly target: Http1Target,
    private readonly limits: ReplyLimits,
    private readonly timeoutMs: number,
  ) {}

  /** Sends one request (`head` ends with the blank line) and resolves with the reply. */
  async request(head: string, body: string | null): Promise<HttpReply> {
    if (this.failed) throw this.failed;
    if (this.inFlight) throw new Error("a request is already in flight on this connection");
    if (!this.socket || !this.reusable) await this.connect();
    const socket = this.socket!;
    return new Promise<HttpReply>((resolve, reject) => {
      this.inFlight = { parser: new ReplyParser(this.limits), resolve, reject };
      this.reusable = false;
      socket.setTimeout(this.timeoutMs);
      socket.write(body === null ? head : head + body, "utf8");
    });
  }

  /** Closes the connection; a request in flight fails as if the ACS had hung up. */
  close(): void {
    this.failInFlight();
    this.socket?.destroy();
  }

  /** Closes the connection for good: the request in flight and every later one fail with `err`. */
  abort(err: Error): void {
    this.failed = err;
    this.fail(err);
    this.socket?.destroy();
  }

  private async connect(): Promise<void> {
    this.socket?.destroy();
    const t = this.target;
    const wait = t.pool.acquire();
    if (wait) await wait;
    if (this.failed) {
      t.pool.release();
      throw this.failed;
    }
    const key = `${t.host}:${t.port}`;
    let socket: Socket;
    try {
      socket = t.tls
        ? tlsConnect({ ...t.tls, host: t.host, port: t.port, servername: t.tls.servername ?? (isIP(t.host) ? undefined : t.host), session: t.pool.tlsSessions.get(key) })
        : netConnect({ host: t.host, port: t.port });
    } catch (err) {
      t.pool.release();
      throw err;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    if (t.tls) socket.on("session", (s: Buffer) => t.pool.tlsSessions.set(key, s));
    socket.on("data", (d: Buffer) => this.data(socket, d));
    socket.on("end", () => this.ended(socket));
    socket.on("error", (e) => this.socket === socket && this.fail(e));
    socket.on("timeout", () => {
      if (this.socket !== socket) return;
      this.fail(new Error("ACS did not answer in time"));
      socket.destroy();
    });
    socket.once("close", () => {
      t.pool.release();
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failInFlight();
    });
  }

  private data(socket: Socket, d: Buffer): void {
    const f = this.inFlight;
    if (this.socket !== socket) return;
    if (!f) {
      // Bytes while no request is in flight: the connection cannot be trusted any more.
      socket.destroy();
      return;
    }
    let reply: HttpReply | null;
    try {
      reply = f.parser.push(d);
    } catch (err) {
      this.fail(err as Error);
      socket.destroy();
      return;
    }
    if (reply) this.settle(socket, reply);
  }

  private ended(socket: Socket): void {
    const f = this.inFlight;
    if (this.socket !== socket) return;
    this.reusable = false;
    if (f) {
      try {
        this.settle(socket, f.parser.end());
      } catch (err) {
        this.fail(err as Error);
      }
    }
    socket.destroy();
  }

  private settle(socket: Socket, reply: HttpReply): void {
    const f = this.inFlight!;
    this.inFlight = undefined;
    socket.setTimeout(0);
    if (reply.close) socket.destroy();
    else this.reusable = true;
    f.resolve(reply);
  }

  /**
   * The connection went away: a request in flight fails as if the ACS had hung up. The error (and its stack
   * trace) is built only when a request is in flight: building it at every session's close was 4% of fleet CPU.
   */
  private failInFlight(): void {
    if (this.inFlight) this.fail(hangUp());
    else this.reusable = false;
  }

  private fail(err: Error): void {
    const f = this.inFlight;
    this.inFlight = undefined;
    this.reusable = false;
    f?.reject(err);
  }
}

/** What node:http rejects with when the server closes the connection before replying. */
function hangUp(): Error {
  return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
}
