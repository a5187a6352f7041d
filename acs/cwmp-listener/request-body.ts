// Raw CPE request bytes -> codec input: gzip/deflate bodies are inflated
// (bounded, against compression bombs) and non-UTF-8 charsets are decoded,
// since the codec reads bytes as UTF-8.

import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

export type DecodedBody = { ok: true; input: string | Buffer } | { ok: false; status: 413 | 415 | 400; reason: string };

const UTF8_LABELS = new Set(["utf-8", "utf8", "us-ascii", "ascii"]);

function inflate(raw: Buffer, encoding: string, maxBytes: number): Buffer | null {
  const opts = { maxOutputLength: maxBytes };
  if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(raw, opts);
  if (encoding === "deflate") {
    // "deflate" is zlib-wrapped per RFC 9110, but some clients send raw deflate.
    try {
      return inflateSync(raw, opts);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw err;
      return inflateRawSync(raw, opts);
    }
  }
  return null;
}

export function decodeBody(raw: Buffer, contentEncoding: string | undefined, contentType: string | undefined, maxBytes: number): DecodedBody {
  let bytes = raw;
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    try {
      const inflated = inflate(raw, encoding, maxBytes);
      if (!inflated) return { ok: false, status: 415, reason: `unsupported content encoding ${encoding}` };
      bytes = inflated;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return { ok: false, status: 413, reason: "body too large" };
      return { ok: false, status: 400, reason: `corrupt ${encoding} body` };
    }
  }
  const charset = contentType ? /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase() : undefined;
  if (charset === undefined || UTF8_LABELS.has(charset)) return { ok: true, input: bytes };
  try {
    return { ok: true, input: new TextDecoder(charset).decode(bytes) };
  } catch {
    // Unknown label: UTF-8 is what CWMP stacks send in practice.
    return { ok: true, input: bytes };
  }
}
