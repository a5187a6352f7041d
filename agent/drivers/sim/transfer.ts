// Simulated file transfers (Download RPC). A URL on the loopback interface is
// really fetched and checked (http-download.ts: the ACS's own file server is
// then exercised); any other URL is simulated, never contacted. Both kinds
// can fail at a configurable rate.

import type { Download, FaultStruct } from "../../../acs/cwmp/messages.ts";
import { CPE_FAULTS } from "../../../acs/cwmp/faults.ts";
import { fnv1a } from "../../datamodel/fnv1a.ts";
import { fetchVerified } from "./http-download.ts";

export interface TransferOptions {
  /** Wall-clock time a simulated download takes. */
  delayMs: number;
  /** 0..1: share of simulated downloads that fail (alternately 9010 / 9018). */
  failureRate: number;
  random: () => number;
  /**
   * 0..1: share of devices whose real (loopback) downloads fail after the
   * fetch (alternately 9010 / 9018). Decided per device and file path from
   * the device's seed, so a fleet seed gives the same failing devices every run.
   */
  fetchedFailureRate?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

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

/** The simulated failure (or 0) of a fetched download, from the device's seed and the file path. */
function fetchedFailure(rate: number | undefined, deviceSeed: number, path: string): number {
  const h = fnv1a(path, deviceSeed);
  return rate && h / 2 ** 32 < rate ? (h & 1 ? 9010 : 9018) : 0;
}

/** Performs the transfer; resolves with the TransferComplete fault (0 = success). */
export async function transfer(req: Download, opts: TransferOptions, signal: AbortSignal, deviceSeed = 0): Promise<FaultStruct> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return fault(9016);
  }
  if (req.delaySeconds > 0) await sleep(req.delaySeconds * 1000, signal);
  if (LOOPBACK.has(url.hostname) && url.protocol !== "ftp:") {
    const code = await fetchVerified(url, req, signal);
    return fault(code || fetchedFailure(opts.fetchedFailureRate, deviceSeed, url.pathname));
  }
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
