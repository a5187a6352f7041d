// The agent's HTTP/1.1 reply parser, fed byte slices as a socket would deliver them.

import { describe, expect, it } from "vitest";
import { HttpReplyError, ReplyParser, type HttpReply } from "../../agent/cwmp-client/http1-reply.ts";

const LIMITS = { maxHeaderBytes: 1024, maxBodyBytes: 64 };

/** Feeds `text` in slices of `step` bytes; returns the reply, or the parser's end() at the close. */
function parse(text: string, step = text.length, closeAfter = false): HttpReply | null {
  const p = new ReplyParser(LIMITS);
  const bytes = Buffer.from(text, "latin1");
  let reply: HttpReply | null = null;
  for (let i = 0; i < bytes.length; i += step) reply = p.push(bytes.subarray(i, i + step)) ?? reply;
  return closeAfter ? p.end() : reply;
}

describe("HTTP/1.1 reply parser", () => {
  it("reads a Content-Length body split at every byte, with repeated headers kept in order", () => {
    const r = parse("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 5\r\n\r\nhello", 1);
    expect(r).toMatchObject({ status: 200, close: false });
    expect(r!.body.toString()).toBe("hello");
    expect(r!.headers.filter(([n]) => n === "set-cookie").map(([, v]) => v)).toEqual(["a=1", "b=2"]);
  });

  it("reads a chunked body with extensions and trailers, whatever the slicing", () => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n";
    for (const step of [1, 2, 3, 7, text.length]) expect(parse(text, step)!.body.toString()).toBe("hello, world");
  });

  it("a 204 has no body; Connection: close and HTTP/1.0 say the connection ends", () => {
    expect(parse("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")).toMatchObject({ status: 204, close: true });
    expect(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).toMatchObject({ status: 200, close: true });
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).toMatchObject({ close: false });
  });

  it("skips an interim 100 Continue", () => {
    expect(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 4)!.body.toString()).toBe("ok");
  });

  it("without framing, the body ends with the connection", () => {
    const r = parse("HTTP/1.1 200 OK\r\n\r\nuntil close", 5, true);
    expect(r).toMatchObject({ status: 200, close: true });
    expect(r!.body.toString()).toBe("until close");
  });

  it.each([
    ["a malformed status line", "HTTP/1.1 2OO OK\r\n\r\n", /malformed status line/],
    ["not HTTP at all", "SSH-2.0-OpenSSH\r\n\r\n", /malformed status line/],
    ["a header line without a name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", /malformed header line/],
    ["a folded header line", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", /malformed header line/],
    ["a bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /bad Content-Length/],
    ["two different Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", /bad Content-Length/],
    ["both framings", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", /both Content-Length and Transfer-Encoding/],
    ["an unknown transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", /unsupported Transfer-Encoding/],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /malformed chunk size/],
    ["chunk data overrunning its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", /malformed chunked body/],
    ["a header section over the cap", `HTTP/1.1 200 OK\r\nX: ${"a".repeat(2000)}\r\n\r\n`, /header section too large/],
    ["a declared body over the cap", "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", /reply too large/],
    ["a chunked body over the cap", `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n`, /reply too large/],
    ["a close-delimited body over the cap", `HTTP/1.1 200 OK\r\n\r\n${"a".repeat(65)}`, /reply too large/],
    ["bytes after the reply", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", /bytes after its reply/],
  ])("refuses %s with a clear error", (_what, text, message) => {
    expect(() => parse(text)).toThrow(HttpReplyError);
    expect(() => parse(text, 3)).toThrow(message);
  });

  it("a header section over the cap is refused before its end arrives", () => {
    const p = new ReplyParser(LIMITS);
    expect(() => p.push(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(2000)}`))).toThrow(/header section too large/);
  });

  it("a close before the reply is complete is an error, not a short body", () => {
    expect(() => parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", 4, true)).toThrow(/before its reply was complete/);
    expect(() => parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 4, true)).toThrow(/before its reply was complete/);
    expect(() => parse("HTTP/1.1 200 OK\r\nContent-", 4, true)).toThrow(/before its reply was complete/);
    expect(() => new ReplyParser(LIMITS).end()).toThrow(/without replying/);
  });
});
