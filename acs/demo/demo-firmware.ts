// The demo's firmware campaign: an image for one simulated model's target
// version, stored through the firmware file store (digest checked as for an
// upload), and a campaign in small waves over that model's devices still on
// the simulator's factory version. The image is generated, not the vendor's:
// its SHA-256 cannot be the one the profile records for the vendor image, so
// it is stored as a plain versioned upload, not checked against the profile.
// The simulated devices fetch it from the ACS and verify size and digest.

import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { ModelName } from "../../agent/drivers/sim/model-spec.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";
import { seededRandom } from "../../agent/fleet/fleet.ts";
import { fnv1a } from "../../agent/datamodel/fnv1a.ts";
import { CampaignInputError, createCampaign } from "../firmware/campaign-create.ts";
import type { Campaign } from "../firmware/campaign-types.ts";
import { storeUpload } from "../firmware/file-store.ts";
import type { FirmwareRepository } from "../firmware/firmware-repository.ts";
import type { Profile } from "../provisioning/profile.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { Store } from "../store/store.ts";
import { DEMO_SEED } from "./demo-plan.ts";
import { DEMO_ACTOR } from "./demo-rentals.ts";

/** The model the demo upgrades: the main fibre router. */
const DEMO_CAMPAIGN_MODEL: ModelName = "router-tr181";
const IMAGE_BYTES = 256 * 1024;

/** A deterministic image that says what it is in its first bytes. */
function demoImage(profile: Profile): Buffer {
  const header = Buffer.from(`FLEXACS DEMO IMAGE\n${profile.match.productClass} ${profile.targetFirmware.version}\nGenerated for the simulator; not a vendor image.\n`);
  const rng = seededRandom(fnv1a(profile.targetFirmware.fileName, DEMO_SEED));
  const body = Buffer.alloc(IMAGE_BYTES - header.length);
  for (let i = 0; i < body.length; i++) body[i] = Math.floor(rng() * 256);
  return Buffer.concat([header, body]);
}

export interface FirmwareDeps {
  repo: FirmwareRepository;
  store: Pick<Store, "listDevices">;
  profiles: ProfileRegistry;
  /** The firmware file store's folder and size limit (as the API's upload uses). */
  dir: string;
  maxBytes: number;
}

export type CampaignSeeded =
  | { status: "created" | "present"; campaign: Pick<Campaign, "id" | "name"> }
  | { status: "skipped"; reason: string };

export async function seedCampaign(deps: FirmwareDeps): Promise<CampaignSeeded> {
  const sim = MODELS[DEMO_CAMPAIGN_MODEL];
  const profile = deps.profiles.profiles.find((p) => p.match.oui === sim.oui && p.match.productClass === sim.productClass);
  if (!profile) return { status: "skipped", reason: `no firmware profile for ${sim.productClass}` };
  const name = profile.targetFirmware.fileName;
  const existing = (await deps.repo.listCampaigns()).find((c) => c.firmware.name === name);
  if (existing) return { status: "present", campaign: existing };

  if (!(await deps.repo.getFile(name))) {
    const image = demoImage(profile);
    await storeUpload(
      { repo: deps.repo, dir: deps.dir, maxBytes: deps.maxBytes },
      { name, version: profile.targetFirmware.version, sha256: createHash("sha256").update(image).digest("hex"), by: DEMO_ACTOR, body: Readable.from([image]) },
    );
  }
  try {
    const campaign = await createCampaign({ repo: deps.repo, store: deps.store, profiles: deps.profiles }, {
      name: `${sim.productClass} ${profile.targetFirmware.version} rollout (demo)`,
      firmware: name,
      // Devices still on the simulator's factory version.
      target: { profile: profile.file, versions: { max: sim.softwareVersion } },
      // A canary pair, then waves of four, two at a time.
      waves: [{ size: 2, concurrency: 1 }, { size: 4, concurrency: 2 }],
      failureThreshold: 0.5,
      minSample: 4,
      timeoutMinutes: 30,
    }, DEMO_ACTOR);
    return { status: "created", campaign };
  } catch (err) {
    if (err instanceof CampaignInputError) return { status: "skipped", reason: err.message };
    throw err;
  }
}
