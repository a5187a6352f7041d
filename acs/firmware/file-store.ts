// Firmware uploads: the body streams into <data dir>/firmware/.incoming/
// while its SHA-256 and size are computed, and only an image whose digest
// equals the declared one (and the profile's target image, when a profile is
// named) is recorded, with its bytes, in the store (shared by every ACS
// instance), then renamed into this instance's disk cache <dir>/<sha256>
// (image-cache.ts fills it on the other instances). Cached files are named
// by digest, so two uploads racing for one name never mix their bytes, and
// nothing half-written is ever served.

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

/** Creates a folder of temp files, removing those a stopped process left half-written. */
export async function emptyTempFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  for (const f of await readdir(path)) await rm(join(path, f), { force: true });
}

/** Creates the folders and removes uploads a stopped process left half-written. */
export async function prepareFirmwareDir(dir: string): Promise<void> {
  await emptyTempFolder(join(dir, INCOMING));
}

/**
 * Streams `body` into the new file `temp`, synced to disk; resolves with the
 * bytes' SHA-256 and size. Rejects with tooLarge() past maxBytes.
 */
export async function writeHashed(body: Readable, temp: string, maxBytes: number, tooLarge: () => Error): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge();
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
    const got = await writeHashed(u.body, temp, s.maxBytes, () => new FirmwareUploadError(413, "FLX_ERR_BODY_TOO_LARGE", `firmware images are limited to ${s.maxBytes} bytes`));
    if (got.size === 0) throw new FirmwareUploadError(400, "FLX_ERR_VALIDATION", "the upload is empty");
    if (got.sha256 !== declared) {
      throw new FirmwareUploadError(400, "FLX_ERR_CHECKSUM", `SHA-256 of the upload is ${got.sha256}, not the declared ${declared}: nothing was kept`);
    }
    const file: FirmwareFile = { name: u.name, version: expected.version, size: got.size, sha256: got.sha256, profile: expected.profile, uploadedAt: now, uploadedBy: u.by };
    try {
      await s.repo.addFile(file, temp);
    } catch (err) {
      // Another upload took the name meanwhile.
      if (err instanceof FirmwareConflictError) throw new FirmwareUploadError(409, "FLX_ERR_CONFLICT", err.message);
      throw err;
    }
    // Cached here now rather than fetched back from the store at the first download.
    await rename(temp, imagePath(s.dir, got.sha256));
    return file;
  } finally {
    await rm(temp, { force: true });
  }
}
