// Creating a campaign: resolves its target (a profile's OUI, ProductClass and
// hardware versions, or those given), selects the devices in the version
// range that are not at the target version yet and not in another open
// campaign, shuffles them (a wave is then a fair sample of the fleet, not
// the oldest serials), splits them into waves and stores it all at once.

import { createHash, randomBytes } from "node:crypto";
import { compareFirmware, inFirmwareRange } from "../provisioning/firmware-version.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { Device, Store } from "../store/store.ts";
import { isTimeOfDay, planWaves, waveOf, type WaveSpec } from "./campaign-rules.ts";
import { NOT_TERMINAL, type Campaign, type CampaignDevice, type CampaignTarget, type TimeWindow } from "./campaign-types.ts";
import type { FirmwareRepository } from "./firmware-repository.ts";

export interface NewCampaign {
  name: string;
  /** Name of an uploaded firmware file. */
  firmware: string;
  target: {
    profile?: string;
    oui?: string;
    productClass?: string;
    hardwareVersions?: string[];
    versions?: { min?: string; max?: string };
  };
  waves: WaveSpec[];
  window?: TimeWindow | null;
  failureThreshold: number;
  minSample?: number;
  timeoutMinutes?: number;
}

export class CampaignInputError extends Error {
  override name = "CampaignInputError";
}

export interface CreateCampaignDeps {
  repo: FirmwareRepository;
  store: Pick<Store, "listDevices">;
  profiles?: ProfileRegistry;
  clock?: () => number;
}

const PAGE = 1000;

/** CWMP CommandKey (at most 32 characters) of a device's Download in a campaign. */
export function commandKeyOf(campaignId: string, deviceId: string): string {
  return `fw-${campaignId}-${createHash("sha256").update(deviceId).digest("hex").slice(0, 8)}`;
}

function checkInput(input: NewCampaign): void {
  const fail = (m: string): never => {
    throw new CampaignInputError(m);
  };
  if (!(input.failureThreshold >= 0 && input.failureThreshold <= 1)) fail("failureThreshold must be between 0 and 1");
  if (input.waves.length === 0) fail("waves must have at least one wave");
  input.waves.forEach((w, i) => {
    if (!Number.isSafeInteger(w.size) || w.size < 1) fail(`waves[${i}].size must be a whole number >= 1`);
    if (!Number.isSafeInteger(w.concurrency) || w.concurrency < 1) fail(`waves[${i}].concurrency must be a whole number >= 1`);
  });
  const win = input.window;
  if (win) {
    if (!isTimeOfDay(win.start) || !isTimeOfDay(win.end)) fail("window.start and window.end must be times of day, HH:MM (Europe/Paris)");
    if (win.start === win.end) fail("window.start and window.end must differ (leave the window out for no limit)");
  }
  if (!input.target.profile && !input.target.productClass) fail("target needs a profile or a productClass");
}

async function resolveTarget(input: NewCampaign, profiles: ProfileRegistry | undefined): Promise<CampaignTarget> {
  const t = input.target;
  const versions = { ...(t.versions?.min !== undefined && { min: t.versions.min }), ...(t.versions?.max !== undefined && { max: t.versions.max }) };
  if (!t.profile) {
    return { profile: null, oui: t.oui?.toUpperCase() ?? null, productClass: t.productClass!, hardwareVersions: t.hardwareVersions ?? null, versions };
  }
  const p = profiles?.profiles.find((x) => x.file === t.profile);
  if (!p) throw new CampaignInputError(`no firmware profile ${t.profile}`);
  if (t.productClass !== undefined && t.productClass !== p.match.productClass) throw new CampaignInputError(`profile ${p.file} is for ProductClass ${p.match.productClass}, not ${t.productClass}`);
  return {
    profile: p.file, oui: p.match.oui, productClass: p.match.productClass,
    hardwareVersions: t.hardwareVersions ?? [...p.match.hardwareVersions], versions,
  };
}

const matches = (d: Device, t: CampaignTarget, targetVersion: string): boolean =>
  (t.oui === null || d.oui.toUpperCase() === t.oui) &&
  (t.hardwareVersions === null || t.hardwareVersions.includes(d.hardwareVersion)) &&
  inFirmwareRange(d.softwareVersion, t.versions) &&
  compareFirmware(d.softwareVersion, targetVersion) !== 0;

export async function createCampaign(deps: CreateCampaignDeps, input: NewCampaign, createdBy: string): Promise<Campaign> {
  checkInput(input);
  const file = await deps.repo.getFile(input.firmware);
  if (!file) throw new CampaignInputError(`no firmware file named ${input.firmware}: upload it first (POST /api/firmware)`);
  const target = await resolveTarget(input, deps.profiles);
  const busy = await deps.repo.devicesIn(NOT_TERMINAL);

  const selected: Device[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await deps.store.listDevices({ productClass: target.productClass, sort: "id", order: "asc", offset, limit: PAGE });
    for (const d of items) if (!busy.has(d.id) && matches(d, target, file.version)) selected.push(d);
    if (items.length < PAGE) break;
  }
  if (selected.length === 0) throw new CampaignInputError(`no device of ${target.productClass} in the version range needs ${file.version} (devices in another open campaign are left out)`);

  const now = (deps.clock ?? Date.now)();
  const id = randomBytes(6).toString("hex");
  const order = (d: Device): string => createHash("sha256").update(`${id}\n${d.id}`).digest("hex");
  const ranked = selected.map((d) => ({ d, k: order(d) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const waves = planWaves(ranked.length, input.waves, now);
  const devices: CampaignDevice[] = ranked.map(({ d }, seq) => ({
    campaignId: id, deviceId: d.id, wave: waveOf(seq, waves), seq, state: "pending", stateAt: now,
    commandKey: commandKeyOf(id, d.id), fromVersion: d.softwareVersion, version: null, attempts: 0, fault: null,
    history: [{ state: "pending", at: now }],
  }));
  const campaign: Campaign = {
    id, name: input.name, firmware: { name: file.name, version: file.version, size: file.size, sha256: file.sha256 },
    target, waves, currentWave: 0, window: input.window ?? null, failureThreshold: input.failureThreshold,
    minSample: input.minSample ?? 10, timeoutMs: (input.timeoutMinutes ?? 60) * 60_000,
    status: "running", pause: null, createdAt: now, createdBy, updatedAt: now, endedAt: null, rev: 1,
  };
  await deps.repo.createCampaign(campaign, devices);
  return campaign;
}
