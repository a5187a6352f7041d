// This instance's disk cache of firmware images: <dir>/<sha256>, the files
// uploads leave (file-store.ts) and images fetched from the store, which
// every ACS instance on it shares. A missing image is fetched once: into
// <dir>/.fetching/, its SHA-256 and size checked against the file's record,
// then renamed into place, so nothing half-written or altered is ever served.
// Requests for an image being fetched wait for that one fetch.

import { randomBytes } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { emptyTempFolder, imagePath, writeHashed } from "./file-store.ts";
import type { FirmwareFile, FirmwareRepository } from "./firmware-repository.ts";

const FETCHING = ".fetching";

export class FirmwareImageError extends Error {
  override name = "FirmwareImageError";
}

export interface ImageCache {
  /** Path of the file's image on this instance's disk, fetched from the store if needed; null when the store has no bytes for it. */
  localPath(file: FirmwareFile): Promise<string | null>;
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** Creates the cache's folders, removing fetches a stopped process left half-written. */
export async function openImageCache(deps: { repo: FirmwareRepository; dir: string; logger: Logger }): Promise<ImageCache> {
  const { repo, dir, logger } = deps;
  await emptyTempFolder(join(dir, FETCHING));
  /** Fetches in progress, by digest: true when the image is now on disk, false when the store has none. */
  const fetches = new Map<string, Promise<boolean>>();

  async function fetchImage(file: FirmwareFile, path: string): Promise<boolean> {
    // Cached by an upload or a fetch that ended between the caller's look and this one.
    if (await exists(path)) return true;
    const source = await repo.openImage(file.name);
    if (!source) return false;
    const temp = join(dir, FETCHING, `${file.sha256}-${randomBytes(4).toString("hex")}.part`);
    try {
      const got = await writeHashed(source, temp, file.size, () => new FirmwareImageError(`the store holds more than the ${file.size} bytes recorded for ${file.name}`));
      if (got.sha256 !== file.sha256 || got.size !== file.size) {
        throw new FirmwareImageError(`the store's bytes of ${file.name} (${got.size} bytes, SHA-256 ${got.sha256}) are not the recorded image (${file.size} bytes, ${file.sha256})`);
      }
      await rename(temp, path);
      logger.info({ name: file.name, sha256: file.sha256, size: file.size }, "firmware image fetched from the store");
      return true;
    } finally {
      await rm(temp, { force: true });
    }
  }

  return {
    async localPath(file) {
      const path = imagePath(dir, file.sha256);
      if (await exists(path)) return path;
      let fetch = fetches.get(file.sha256);
      if (!fetch) {
        fetch = fetchImage(file, path).finally(() => fetches.delete(file.sha256));
        fetches.set(file.sha256, fetch);
      }
      return (await fetch) ? path : null;
    },
  };
}
