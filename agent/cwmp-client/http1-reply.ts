// Strict incremental parser of one HTTP/1.1 reply (RFC 9112): status line,
// header section (size-capped), then a body framed by Content-Length, by
// chunked transfer coding, or by the connection closing. Pure: fed with the
// bytes a socket delivers, it says when the reply is complete. Used by
// http1-connection.ts; see there for why the agent does not use node:http.

export class HttpReplyError extends Error {
  override name = "HttpReplyError";
}

export interface HttpReply {
  status: number;
  /** Header lines in order, names lower-cased. */
  headers: [string, string][];
  body: Buffer;
  /** The server closes the connection after this reply (or must, by RFC 9112 §9.6). */
  close: boolean;
}

export interface ReplyLimits {
  /** Bytes of status line + header section (node:http's default is 16 KiB). */
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEX = /^[0-9A-Fa-f]{1,8}$/;
/** A chunk-size line, extensions included, longer than this is refused. */
const MAX_CHUNK_LINE = 256;

type Framing = { kind: "length"; left: number } | { kind: "chunked" } | { kind: "close" } | { kind: "none" };

export class ReplyParser {
  private pending: Buffer | null = null;
  private head?: { status: number; headers: [string, string][]; close: boolean };
  private framing?: Framing;
  private chunks: Buffer[] = [];
  private size = 0;
  /** Chunked: bytes left in the current chunk (-1: a size line is next; -2: the trailer section is next). */
  private chunkLeft = -1;
  /** Chunked: the CRLF after a chunk's data is still to come. */
  private chunkCrlf = false;
  private done: HttpReply | null = null;

  constructor(private readonly limits: ReplyLimits) {}

  /** Feeds bytes; returns the reply once complete (bytes after it are a protocol error: we do not pipeline). */
  push(data: Buffer): HttpReply | null {
    if (this.done) throw new HttpReplyError("ACS sent bytes after its reply");
    let buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = null;
    if (!this.head) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > this.limits.maxHeaderBytes) throw new HttpReplyError("ACS reply header section too large");
        this.pending = buf;
        return null;
      }
      if (end + 4 > this.limits.maxHeaderBytes) throw new HttpReplyError("ACS reply header section too large");
      this.parseHead(buf.toString("latin1", 0, end));
      buf = buf.subarray(end + 4);
      // An interim 1xx reply precedes the real one (RFC 9110 §15.2).
      if (this.head!.status < 200) {
        this.head = undefined;
        return buf.length ? this.push(buf) : null;
      }
      if (this.framing!.kind === "none") return this.finish(buf);
    }
    this.body(buf);
    return this.done;
  }

  /** The connection closed: the reply if the close is its end, else an error. */
  end(): HttpReply {
    if (this.done) return this.done;
    if (!this.head && !this.pending) throw new HttpReplyError("ACS closed the connection without replying");
    if (this.framing?.kind === "close") return this.complete();
    throw new HttpReplyError("ACS closed the connection before its reply was complete");
  }

  private parseHead(text: string): void {
    const lines = text.split("\r\n");
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) throw new HttpReplyError(`malformed status line from ACS: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const status = Number(m[2]);
    const headers: [string, string][] = [];
    let length: string | undefined;
    let chunked = false;
    let close = m[1] === "0";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      const name = colon > 0 ? line.slice(0, colon) : "";
      // Obsolete line folding (leading whitespace) is refused too (RFC 9112 §5.2).
      if (!TOKEN.test(name)) throw new HttpReplyError(`malformed header line from ACS: ${JSON.stringify(line.slice(0, 80))}`);
      const lower = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.push([lower, value]);
      if (lower === "content-length") {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== value)) throw new HttpReplyError(`bad Content-Length from ACS: ${JSON.stringify(value)}`);
        length = value;
      } else if (lower === "transfer-encoding") {
        if (value.toLowerCase() !== "chunked" || chunked) throw new HttpReplyError(`unsupported Transfer-Encoding from ACS: ${JSON.stringify(value)}`);
        chunked = true;
      } else if (lower === "connection") {
        const opts = value.toLowerCase();
        if (opts.includes("close")) close = true;
        else if (m[1] === "0" && opts.includes("keep-alive")) close = false;
      }
    }
    // Both framings at once is a request-smuggling pattern: refused (RFC 9112 §6.1).
    if (chunked && length !== undefined) throw new HttpReplyError("ACS reply has both Content-Length and Transfer-Encoding");
    if (status < 200 || status === 204 || status === 304) this.framing = { kind: "none" };
    else if (chunked) this.framing = { kind: "chunked" };
    else if (length !== undefined) {
      const n = Number(length);
      if (n > this.limits.maxBodyBytes) throw new HttpReplyError("ACS reply too large");
      this.framing = n === 0 ? { kind: "none" } : { kind: "length", left: n };
    } else {
      this.framing = { kind: "close" };
      close = true;
    }
    this.head = { status, headers, close };
  }

  private body(buf: Buffer): void {
    const f = this.framing!;
    if (f.kind === "length") {
      if (buf.length > f.left) throw new HttpReplyError("ACS sent bytes after its reply");
      this.take(buf);
      f.left -= buf.length;
      if (f.left === 0) this.complete();
    } else if (f.kind === "close") this.take(buf);
    else if (f.kind === "chunked") this.chunked(buf);
    else if (buf.length) throw new HttpReplyError("ACS sent bytes after its reply");
  }

  private chunked(buf: Buffer): void {
    let at = 0;
    while (at < buf.length) {
      if (this.chunkCrlf) {
        if (buf.length - at < 2) return this.keep(buf, at);
        if (buf[at] !== 13 || buf[at + 1] !== 10) throw new HttpReplyError("malformed chunked body from ACS");
        at += 2;
        this.chunkCrlf = false;
      } else if (this.chunkLeft > 0) {
        const n = Math.min(this.chunkLeft, buf.length - at);
        this.take(buf.subarray(at, at + n));
        at += n;
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) {
          this.chunkLeft = -1;
          this.chunkCrlf = true;
        }
      } else {
        const eol = buf.indexOf("\r\n", at, "latin1");
        if (eol < 0) {
          if (buf.length - at > MAX_CHUNK_LINE) throw new HttpReplyError("malformed chunked body from ACS");
          return this.keep(buf, at);
        }
        const line = buf.toString("latin1", at, eol);
        at = eol + 2;
        if (this.chunkLeft === -2) {
          // Trailer section: fields are ignored, an empty line ends the reply.
          if (line === "") {
            if (at < buf.length) throw new HttpReplyError("ACS sent bytes after its reply");
            this.complete();
            return;
          }
          if (line.length > MAX_CHUNK_LINE) throw new HttpReplyError("malformed chunked body from ACS");
          continue;
        }
        const semi = line.indexOf(";");
        const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
        if (!HEX.test(hex)) throw new HttpReplyError(`malformed chunk size from ACS: ${JSON.stringify(line.slice(0, 40))}`);
        const n = parseInt(hex, 16);
        if (n === 0) this.chunkLeft = -2;
        else {
          if (this.size + n > this.limits.maxBodyBytes) throw new HttpReplyError("ACS reply too large");
          this.chunkLeft = n;
        }
      }
    }
  }

  private keep(buf: Buffer, at: number): void {
    this.pending = buf.subarray(at);
  }

  private take(b: Buffer): void {
    if (!b.length) return;
    this.size += b.length;
    if (this.size > this.limits.maxBodyBytes) throw new HttpReplyError("ACS reply too large");
    this.chunks.push(b);
  }

  private finish(rest: Buffer): HttpReply {
    if (rest.length) throw new HttpReplyError("ACS sent bytes after its reply");
    return this.complete();
  }

  private complete(): HttpReply {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.done = { ...this.head!, body };
    return this.done;
  }
}
