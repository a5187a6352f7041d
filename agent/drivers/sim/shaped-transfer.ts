// Real HTTP transfers for TR-143 tests, shaped to a line rate: a download
// consumes the response no faster than the rate (TCP flow control slows the
// server), an upload writes no faster than it. Pacing is a token bucket whose
// tokens accrue from BOM: a download's byte k passes at BOM + 8k / rate; an
// upload's last byte leaves at BOM + 8 × bytes / rate (the server answers on
// receiving it). So 8 × bytes / (EOM − BOM) is the shaped rate, give or take
// a timer tick at the end.
// Times come from `now` (the device clock, injectable) advanced by the
// monotonic clock, so they carry microseconds as TR-143 asks.

import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";

export interface TransferTimes {
  tcpOpenRequestMs: number;
  tcpOpenResponseMs: number;
  romMs: number;
  bomMs: number;
  eomMs: number;
  /** Payload bytes moved between BOM and EOM. */
  bytes: number;
}

export type TransferOutcome = { ok: true; times: TransferTimes } | { ok: false; state: string };

const CHUNK = Buffer.alloc(1 << 20, 0x5a);
/** Upload writes carry about 4 ms of the rate (16 KiB at least): one timer per write would cap the rate near 1 write/ms. */
const chunkFor = (bps: number): number => Math.min(CHUNK.length, Math.max(16 * 1024, Math.round(bps / 8 / 250)));
/** A test that has not finished after this long fails with Error_Timeout. */
const TIMEOUT_MS = 120_000;

/** The device clock in ms with sub-ms precision, anchored once per transfer. */
function stamper(now: () => number): () => number {
  const clock0 = now();
  const perf0 = performance.now();
  return () => clock0 + (performance.now() - perf0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Until the monotonic clock reaches `perfMs`: timers may fire early (libuv's cached loop time), so check again. */
async function sleepUntil(perfMs: number): Promise<void> {
  for (let wait = perfMs - performance.now(); wait > 0; wait = perfMs - performance.now()) await sleep(Math.max(1, wait));
}

function track(req: ClientRequest, stamp: () => number): { opened: Promise<{ req: number; res: number }> } {
  return {
    opened: new Promise((resolve, reject) => {
      req.on("socket", (socket) => {
        const at = stamp();
        if (!socket.connecting) resolve({ req: at, res: at });
        else socket.once("connect", () => resolve({ req: at, res: stamp() }));
      });
      req.on("error", reject);
    }),
  };
}

interface Settle {
  /** Gives the outcome; only the first call counts. */
  done(o: TransferOutcome): void;
  readonly settled: boolean;
}

/** Runs the transfer `start` begins; its outcome is given once, and after TIMEOUT_MS its request is destroyed and it ends with `timeoutState`. */
function transfer(timeoutState: string, start: (s: Settle) => ClientRequest): Promise<TransferOutcome> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const s = {
      settled: false,
      done(o: TransferOutcome): void {
        if (s.settled) return;
        s.settled = true;
        clearTimeout(timer);
        resolve(o);
      },
    };
    const req = start(s);
    timer = setTimeout(() => {
      req.destroy();
      s.done({ ok: false, state: timeoutState });
    }, TIMEOUT_MS);
  });
}

/** GET `url` and read it at `bps` at most. */
export function shapedDownload(url: URL, bps: number, now: () => number, signal: AbortSignal): Promise<TransferOutcome> {
  const stamp = stamper(now);
  return transfer("Error_Timeout", ({ done }) => {
    const req = httpRequest(url, { method: "GET", agent: false, signal });
    const { opened } = track(req, stamp);
    let rom = 0;
    opened.then((t) => (rom = t.res), () => undefined);
    req.on("error", () => done({ ok: false, state: rom ? "Error_TransferFailed" : "Error_InitConnectionFailed" }));
    req.on("response", (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        done({ ok: false, state: "Error_TransferFailed" });
        return;
      }
      let bom = -1;
      let bomPerf = 0;
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        if (bom < 0) {
          bom = stamp();
          bomPerf = performance.now();
        }
        bytes += chunk.length;
        const wait = bomPerf + (bytes * 8000) / bps - performance.now();
        if (wait > 1) {
          res.pause();
          setTimeout(() => res.resume(), wait);
        }
      });
      res.on("end", async () => {
        if (bom < 0) return done({ ok: false, state: "Error_TransferFailed" });
        await sleepUntil(bomPerf + (bytes * 8000) / bps);
        const tcp = await opened;
        done({ ok: true, times: { tcpOpenRequestMs: tcp.req, tcpOpenResponseMs: tcp.res, romMs: rom || tcp.res, bomMs: bom, eomMs: stamp(), bytes } });
      });
      res.on("error", () => done({ ok: false, state: "Error_TransferFailed" }));
    });
    req.end();
    return req;
  });
}

/** PUT `bytes` bytes to `url` at `bps` at most; EOM is the server's success response. */
export function shapedUpload(url: URL, bytes: number, bps: number, now: () => number, signal: AbortSignal): Promise<TransferOutcome> {
  const stamp = stamper(now);
  return transfer("Error_NoResponse", (s) => {
    const { done } = s;
    const req = httpRequest(url, {
      method: "PUT", agent: false, signal,
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes) },
    });
    const { opened } = track(req, stamp);
    let bom = -1;
    req.on("error", () => done({ ok: false, state: bom < 0 ? "Error_InitConnectionFailed" : "Error_NoTransferComplete" }));
    req.on("response", (res: IncomingMessage) => {
      res.resume();
      res.on("end", async () => {
        if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) return done({ ok: false, state: "Error_NoTransferComplete" });
        const tcp = await opened;
        done({ ok: true, times: { tcpOpenRequestMs: tcp.req, tcpOpenResponseMs: tcp.res, romMs: tcp.res, bomMs: bom, eomMs: stamp(), bytes } });
      });
    });
    opened.then(async () => {
      bom = stamp();
      const bomPerf = performance.now();
      const chunk = Math.min(chunkFor(bps), bytes);
      // The server sees the end of the body with its last byte, so the last write goes
      // out at BOM + 8 × bytes / rate; writes in between are spread evenly from the first.
      const spanMs = (bytes * 8000) / bps;
      const dueAfter = (sent: number): number => bomPerf + (bytes === chunk ? spanMs : ((sent - chunk) / (bytes - chunk)) * spanMs);
      let sent = 0;
      while (sent < bytes && !s.settled) {
        const n = Math.min(chunk, bytes - sent);
        if (sent + n === bytes) await sleepUntil(dueAfter(bytes));
        else if (dueAfter(sent + n) - performance.now() >= 1) await sleep(dueAfter(sent + n) - performance.now());
        if (s.settled) break;
        req.write(CHUNK.subarray(0, n));
        sent += n;
        if (req.writableNeedDrain && !s.settled) await new Promise((r) => req.once("drain", r));
      }
      req.end();
    }, () => undefined);
    return req;
  });
}
