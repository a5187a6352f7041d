// Loads every firmware profile (firmware-profiles/<vendor>/<model>.ts), checks
// each one and the set as a whole, and finds the profile for a device by OUI,
// ProductClass and hardware version (then firmware range). A bad profile
// rejects with a ProfileError, which stops start-up.
import { readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readDataModels, type DataModels } from "./bbf/data-model.ts";
import { compareFirmware, inFirmwareRange } from "./firmware-version.ts";
import { ProfileError, type Profile } from "./profile.ts";
import { checkProfile } from "./profile-validation.ts";

export const DEFAULT_PROFILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../firmware-profiles");

/** Shared helpers live in lib/; everything else one level down is a profile. */
function profileFiles(dir: string): string[] {
  const files: string[] = [];
  for (const vendor of readdirSync(dir, { withFileTypes: true })) {
    if (!vendor.isDirectory() || vendor.name === "lib" || vendor.name.startsWith(".")) continue;
    for (const f of readdirSync(join(dir, vendor.name), { withFileTypes: true }))
      if (f.isFile() && f.name.endsWith(".ts") && !f.name.endsWith(".d.ts")) files.push(join(dir, vendor.name, f.name));
  }
  return files.sort();
}

type Range = { min?: string; max?: string } | undefined;
const overlaps = (a: Range, b: Range): boolean =>
  !(
    (a?.max !== undefined && b?.min !== undefined && compareFirmware(a.max, b.min) < 0) ||
    (b?.max !== undefined && a?.min !== undefined && compareFirmware(b.max, a.min) < 0)
  );

/** Identities whose profile lookup is kept (see find). */
const FOUND_ENTRIES = 10_000;

const matchKey = (oui: string, productClass: string, hardwareVersion: string) => `${oui}\u0000${productClass}\u0000${hardwareVersion}`;

/** Two profiles may share OUI + ProductClass + hardware version only for disjoint firmware ranges. */
function checkUnique(profiles: readonly Profile[]): void {
  const seen = new Map<string, Profile[]>();
  for (const p of profiles) {
    for (const hw of p.match.hardwareVersions) {
      const key = matchKey(p.match.oui, p.match.productClass, hw);
      const clash = seen.get(key)?.find((q) => overlaps(q.match.firmware, p.match.firmware));
      if (clash)
        throw new ProfileError(
          p.file,
          "match",
          `${p.match.oui}/${p.match.productClass}/${hw} is already matched by ${clash.file} (make the firmware ranges disjoint)`,
        );
      seen.set(key, [...(seen.get(key) ?? []), p]);
    }
  }
}

/**
 * Imports and validates every profile under `dir`. Rejects with a
 * ProfileError (file, field, reason) on the first bad one.
 */
export async function loadProfiles(dir: string = DEFAULT_PROFILE_DIR, models: DataModels = readDataModels()): Promise<Profile[]> {
  const profiles: Profile[] = [];
  for (const path of profileFiles(dir)) {
    const file = relative(dirname(dir), path) || basename(path);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (err) {
      throw new ProfileError(file, "(module)", `cannot be loaded: ${(err as Error).message}`);
    }
    const exported = Object.keys(mod).filter((k) => k !== "__esModule");
    if (exported.length !== 1 || exported[0] !== "default")
      throw new ProfileError(file, "(module)", `must have exactly one export, \`export default defineProfile({...})\` (found: ${exported.join(", ") || "none"})`);
    profiles.push(checkProfile(mod.default, file, models));
  }
  checkUnique(profiles);
  return profiles;
}

/** What a device says about itself in its Inform (DeviceId and DeviceInfo). */
export interface DeviceIdentity {
  oui: string;
  productClass: string;
  hardwareVersion: string;
  softwareVersion?: string;
}

export interface ProfileRegistry {
  readonly profiles: readonly Profile[];
  /** The profile for this device, or undefined when no profile covers it. */
  find(device: DeviceIdentity): Profile | undefined;
}

export function createProfileRegistry(profiles: readonly Profile[]): ProfileRegistry {
  const index = new Map<string, Profile[]>();
  for (const p of profiles)
    for (const hw of p.match.hardwareVersions) {
      const key = matchKey(p.match.oui, p.match.productClass, hw);
      index.set(key, [...(index.get(key) ?? []), p]);
    }
  // Asked in every session (provisioning, link rate): the answer per identity, kept, as the profiles never change.
  // Measured: the firmware-range comparison tokenises both versions with regular expressions each time.
  const found = new Map<string, Profile | null>();
  return {
    profiles,
    find(device) {
      const match = matchKey(device.oui.toUpperCase(), device.productClass, device.hardwareVersion);
      const key = device.softwareVersion === undefined ? match : `${match}\u0000=${device.softwareVersion}`;
      let profile = found.get(key);
      if (profile === undefined) {
        const candidates = index.get(match) ?? [];
        profile = candidates.find(
          (p) => !p.match.firmware || (device.softwareVersion !== undefined && inFirmwareRange(device.softwareVersion, p.match.firmware)),
        ) ?? null;
        // Identities are a few per model and firmware; a flood of made-up ones is bounded.
        if (found.size >= FOUND_ENTRIES) found.clear();
        found.set(key, profile);
      }
      return profile ?? undefined;
    },
  };
}
