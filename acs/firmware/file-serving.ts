// Firmware downloads on the CPE-facing listener: GET and HEAD
// /firmware/<name>, streamed from this instance's disk cache (image-cache.ts
// fetches an image uploaded through another instance from the store first),
// one byte range per request (206, or
// 416 when unsatisfiable; several ranges get the whole file), a strong ETag
// that is the image's SHA-256 (so If-Range and If-None-Match work across ACS
// instances and restarts) and Repr-Digest (RFC 9530) for the CPE to check
// the bytes. Hand-written over @fastify/send because send only makes weak
// size-mtime ETags, with which an If-Range resume never matches (RFC 9110
// §13.1.5); the Range header is parsed by range-parser.
//
// Images are not secret and carry no subscriber data: downloads need no
// credentials (the Download RPC sends empty Username/Password).

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import parseRange from "range-parser";
import type { FirmwareRepository } from "./firmware-repository.ts";
import { FIRMWARE_PATH } from "./firmware-source.ts";
import { openImageCache } from "./image-cache.ts";

export interface FirmwareFilesDeps {
  repo: FirmwareRepository;
  /** Folder of the images (the one uploads go to), this instance's cache. */
  dir: string;
  logger: Logger;
}

/** "W/"-less entity tags of an If-None-Match / If-Range header. */
const tagsOf = (header: string): string[] => header.split(",").map((t) => t.trim().replace(/^W\//, ""));

function text(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header("content-type", "text/plain; charset=utf-8").send(`${message}\n`);
}

export async function registerFirmwareFiles(app: FastifyInstance, deps: FirmwareFilesDeps): Promise<void> {
  const { repo, dir, logger } = deps;
  const cache = await openImageCache({ repo, dir, logger });

  async function serve(req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply): Promise<FastifyReply> {
    const file = await repo.getFile(req.params.name);
    if (!file) return text(reply, 404, "no such firmware file");
    let path: string | null;
    try {
      path = await cache.localPath(file);
    } catch (err) {
      // The store unreachable or its bytes not the recorded image: the CPE's Download fails and is retried.
      logger.error({ err, name: file.name }, "firmware image could not be fetched from the store");
      return text(reply, 503, "firmware file not available on this ACS instance now");
    }
    if (path === null) {
      logger.error({ name: file.name }, "firmware file recorded without bytes in the store and missing on disk");
      return text(reply, 404, "firmware file missing on this ACS instance");
    }
    const size = (await stat(path)).size;
    const etag = `"${file.sha256}"`;
    void reply
      .header("accept-ranges", "bytes")
      .header("etag", etag)
      .header("last-modified", new Date(file.uploadedAt).toUTCString())
      .header("repr-digest", `sha-256=:${Buffer.from(file.sha256, "hex").toString("base64")}:`);

    const ifNoneMatch = req.headers["if-none-match"];
    if (ifNoneMatch !== undefined && (ifNoneMatch.trim() === "*" || tagsOf(ifNoneMatch).includes(etag))) return reply.code(304).send();

    let start = 0;
    let end = size - 1;
    let status = 200;
    const ifRange = [req.headers["if-range"]].flat()[0];
    // If-Range: the range only applies to the representation the client already has part of.
    if (req.headers.range !== undefined && (ifRange === undefined || ifRange.trim() === etag)) {
      const ranges = parseRange(size, req.headers.range, { combine: true });
      if (ranges === -1) return reply.code(416).header("content-range", `bytes */${size}`).send();
      // Malformed (-2), another unit, or several ranges: the whole file (RFC 9110 §14.2 allows ignoring Range).
      if (ranges !== -2 && ranges.type === "bytes" && ranges.length === 1) {
        status = 206;
        start = ranges[0]!.start;
        end = ranges[0]!.end;
        void reply.header("content-range", `bytes ${start}-${end}/${size}`);
      }
    }
    void reply.code(status).header("content-type", "application/octet-stream").header("content-length", String(end - start + 1));
    if (req.method === "HEAD") return reply.send();
    return reply.send(createReadStream(path, { start, end }));
  }

  app.route<{ Params: { name: string } }>({
    method: ["GET", "HEAD"],
    url: `${FIRMWARE_PATH}:name`,
    schema: { params: { type: "object", properties: { name: { type: "string", maxLength: 128 } }, required: ["name"] } },
    handler: serve,
  });
}
