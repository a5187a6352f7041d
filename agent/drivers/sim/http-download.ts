// A simulated CPE's real file download (used for loopback URLs, e.g. the
// ACS's own firmware files): HTTP(S) GET, the body streamed through SHA-256
// and counted, then checked like a CPE checks an image before flashing it:
// the size against the Download's FileSize, the digest against the one the
// server declares (Repr-Digest, RFC 9530, or the older Digest, RFC 3230).
// Resolves with the TR-069 transfer fault code, 0 on success.

import { createHash } from "node:crypto";
import { get as httpGet, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import type { Download } from "../../../acs/cwmp/messages.ts";
import { basicAuthorization } from "../../../acs/cwmp/digest.ts";

const MAX_BYTES = 512 * 1024 * 1024;

/** The SHA-256 the server declares for the representation, if any. */
export function declaredSha256(headers: IncomingHttpHeaders): Buffer | null {
  const repr = headers["repr-digest"];
  const m = typeof repr === "string" ? /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/i.exec(repr) : null;
  if (m) return Buffer.from(m[1]!, "base64");
  const legacy = headers.digest;
  const n = typeof legacy === "string" ? /(?:^|,)\s*sha-256=([A-Za-z0-9+/=]+)/i.exec(legacy) : null;
  return n ? Buffer.from(n[1]!, "base64") : null;
}

export function fetchVerified(url: URL, req: Download, signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (req.username) headers.authorization = basicAuthorization(req.username, req.password);
    const get = url.protocol === "https:" ? httpsGet : httpGet;
    const r = get(url, { headers, signal, timeout: 30_000 }, (res: IncomingMessage) => {
      const hash = createHash("sha256");
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_BYTES) res.destroy();
        else hash.update(chunk);
      });
      res.on("end", () => {
        const s = res.statusCode ?? 0;
        if (s === 401 || s === 403) return resolve(9012);
        if (s >= 400) return resolve(9016);
        if (s !== 200) return resolve(9010);
        if (req.fileSize > 0 && bytes !== req.fileSize) return resolve(9018);
        const declared = declaredSha256(res.headers);
        resolve(declared && !declared.equals(hash.digest()) ? 9018 : 0);
      });
      res.on("error", () => resolve(9017));
    });
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.on("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED" ? 9015 : 9017));
  });
}
