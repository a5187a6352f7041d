// Simulated file transfers (Download RPC). A URL on the loopback interface is
// really fetched (the ACS's own file server is then exercised); any other URL
// is simulated, never contacted, with a configurable failure rate.

import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import type { Download, FaultStruct } from "../../../acs/cwmp/messages.ts";
import { basicAuthorization } from "../../../acs/cwmp/digest.ts";
import { CPE_FAULTS } from "../../../acs/cwmp/faults.ts";

export interface TransferOptions {
  /** Wall-clock time a simulated download takes. */
  delayMs: number;
  /** 0..1: share of simulated downloads that fail (alternately 9010 / 9018). */
  failureRate: number;
  random: () => number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const MAX_BYTES = 512 * 1024 * 1024;

const fault = (code: number): FaultStruct => ({ faultCode: code, faultString: code ? (CPE_FAULTS[code] ?? "") : "" });

/** Waits `ms`, or less if the device loses power meanwhile. */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/** GET on loopback: 0 on success, else the TR-069 transfer fault code. */
function fetchLoopback(url: URL, req: Download, signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (req.username) headers.authorization = basicAuthorization(req.username, req.password);
    const get = url.protocol === "https:" ? httpsGet : httpGet;
    const r = get(url, { headers, signal, timeout: 30_000 }, (res: IncomingMessage) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_BYTES) res.destroy();
      });
      res.on("end", () => {
        const s = res.statusCode ?? 0;
        if (s === 401 || s === 403) resolve(9012);
        else if (s >= 400) resolve(9016);
        else if (s !== 200) resolve(9010);
        else resolve(req.fileSize > 0 && bytes !== req.fileSize ? 9018 : 0);
      });
      res.on("error", () => resolve(9017));
    });
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.on("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED" ? 9015 : 9017));
  });
}

/** Performs the transfer; resolves with the TransferComplete fault (0 = success). */
export async function transfer(req: Download, opts: TransferOptions, signal: AbortSignal): Promise<FaultStruct> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return fault(9016);
  }
  if (req.delaySeconds > 0) await sleep(req.delaySeconds * 1000, signal);
  if (LOOPBACK.has(url.hostname) && url.protocol !== "ftp:") return fault(await fetchLoopback(url, req, signal));
  await sleep(opts.delayMs, signal);
  if (opts.random() < opts.failureRate) return fault(opts.random() < 0.5 ? 9010 : 9018);
  return fault(0);
}

/** The version a firmware image carries in its name (…/hgw-3.2.15.bin), else the current one bumped. */
export function firmwareVersionOf(req: Download, current: string): string {
  const m = /(\d+(?:\.\d+){1,3})(?=[^/]*$)/.exec(req.targetFileName || new URL(req.url, "http://x/").pathname);
  if (m) return m[1]!;
  const parts = current.split(".");
  const last = Number(parts.at(-1));
  return Number.isInteger(last) ? [...parts.slice(0, -1), String(last + 1)].join(".") : `${current}.1`;
}
