// Firmware images on disk under <data dir>/firmware: an upload streams into
// .incoming/ while its SHA-256 and size are computed, and only an image whose
// digest equals the declared one (and the profile's target image, when a
// profile is named) is renamed into place and recorded. Files are stored by
// digest (<dir>/<sha256>), so two uploads racing for one name never mix
// their bytes, and nothing half-written is ever served.

import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import { FirmwareConflictError, type FirmwareFile, type FirmwareRepository } from "./firmware-repository.ts";

export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const INCOMING = ".incoming";

export class FirmwareUploadError extends Error {
  override name = "FirmwareUploadError";
  constructor(readonly status: 400 | 404 | 409 | 413, readonly code: string, message: string) {
    super(message);
  }
}

export interface FirmwareStorage {
  repo: FirmwareRepository;
  /** Folder of the images, e.g. <data dir>/firmware. */
  dir: string;
  /** Largest image accepted. */
  maxBytes: number;
  profiles?: ProfileRegistry;
}

export interface Upload {
  name: string;
  version?: string;
  sha256: string;
  /** Profile file whose targetFirmware the image must be. */
  profile?: string;
  by: string;
  body: Readable;
}

export const imagePath = (dir: string, sha256: string): string => join(dir, sha256);

/** Creates the folders and removes uploads a stopped process left half-written. */
export async function prepareFirmwareDir(dir: string): Promise<void> {
  await mkdir(join(dir, INCOMING), { recursive: true });
  for (const f of await readdir(join(dir, INCOMING))) await rm(join(dir, INCOMING, f), { force: true });
}

/** The upload's bytes into a temp file; resolves with their digest and size. Rejects (413) past maxBytes. */
async function receive(body: Readable, temp: string, maxBytes: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw new FirmwareUploadError(413, "FLX_ERR_BODY_TOO_LARGE", `firmware images are limited to ${maxBytes} bytes`);
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(temp, { flags: "wx" }),
  );
  // On disk before it becomes visible: a crash after the rename never leaves a truncated image.
  const fh = await open(temp, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest("hex"), size };
}

function expectedImage(s: FirmwareStorage, u: Upload): { version: string; sha256?: string; profile: string | null } {
  if (u.profile === undefined) {
    if (u.version === undefined) throw new FirmwareUploadError(400, "FLX_ERR_VALIDATION", "version is required (or a profile, whose target version is taken)");
    return { version: u.version, profile: null };
  }
  const p = s.profiles?.profiles.find((x) => x.file === u.profile);
  if (!p) throw new FirmwareUploadError(404, "FLX_ERR_NOT_FOUND", `no firmware profile ${u.profile}`);
  const t = p.targetFirmware;
  if (u.version !== undefined && u.version !== t.version) throw new FirmwareUploadError(400, "FLX_ERR_VALIDATION", `version ${u.version} is not the target version of ${p.file} (${t.version})`);
  if (u.sha256.toLowerCase() !== t.sha256) throw new FirmwareUploadError(400, "FLX_ERR_CHECKSUM", `the declared SHA-256 is not the one of ${p.file}'s target image ${t.fileName} (${t.sha256})`);
  return { version: t.version, sha256: t.sha256, profile: p.file };
}

/**
 * Stores an uploaded image. Refuses, keeping nothing: a bad name or digest,
 * a taken name, more than maxBytes, or bytes whose SHA-256 is not the declared one.
 */
export async function storeUpload(s: FirmwareStorage, u: Upload, now: number = Date.now()): Promise<FirmwareFile> {
  if (!FILE_NAME.test(u.name)) throw new FirmwareUploadError(400, "FLX_ERR_VALIDATION", "name must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
  if (!SHA256_HEX.test(u.sha256)) throw new FirmwareUploadError(400, "FLX_ERR_VALIDATION", "sha256 must be 64 hexadecimal digits");
  const declared = u.sha256.toLowerCase();
  const expected = expectedImage(s, u);
  if (await s.repo.getFile(u.name)) throw new FirmwareUploadError(409, "FLX_ERR_CONFLICT", `a firmware file named ${u.name} exists already`);

  const temp = join(s.dir, INCOMING, `${randomBytes(8).toString("hex")}.part`);
  try {
    const got = await receive(u.body, temp, s.maxBytes);
    if (got.size === 0) throw new FirmwareUploadError(400, "FLX_ERR_VALIDATION", "the upload is empty");
    if (got.sha256 !== declared) {
      throw new FirmwareUploadError(400, "FLX_ERR_CHECKSUM", `SHA-256 of the upload is ${got.sha256}, not the declared ${declared}: nothing was kept`);
    }
    const file: FirmwareFile = { name: u.name, version: expected.version, size: got.size, sha256: got.sha256, profile: expected.profile, uploadedAt: now, uploadedBy: u.by };
    const final = imagePath(s.dir, got.sha256);
    await rename(temp, final);
    try {
      await s.repo.addFile(file);
    } catch (err) {
      // Another upload took the name meanwhile: drop these bytes unless a file record uses them.
      if (!(await s.repo.listFiles()).some((f) => f.sha256 === got.sha256)) await rm(final, { force: true });
      if (err instanceof FirmwareConflictError) throw new FirmwareUploadError(409, "FLX_ERR_CONFLICT", err.message);
      throw err;
    }
    return file;
  } finally {
    await rm(temp, { force: true });
  }
}
