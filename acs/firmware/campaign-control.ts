// Admin actions on a campaign: pause, resume, cancel. Each is written over
// the revision read (retried when the wave job wrote meanwhile). Resuming
// after a threshold pause acknowledges the outcomes that caused it: the wave
// is judged again on the outcomes that come after.

import { countsByWave } from "./campaign-runner.ts";
import type { Campaign, CampaignStatus } from "./campaign-types.ts";
import type { FirmwareRepository } from "./firmware-repository.ts";

export class CampaignStateError extends Error {
  override name = "CampaignStateError";
}

type Change = (c: Campaign) => Promise<Campaign>;

async function change(repo: FirmwareRepository, id: string, allowed: readonly CampaignStatus[], verb: string, fn: Change): Promise<Campaign | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const c = await repo.getCampaign(id);
    if (!c) return null;
    if (!allowed.includes(c.status)) throw new CampaignStateError(`campaign ${id} is ${c.status}: only a ${allowed.join(" or ")} campaign can be ${verb}`);
    const next = await fn(c);
    if (await repo.replaceCampaign(next, c.rev)) return { ...next, rev: c.rev + 1 };
  }
  throw new CampaignStateError(`campaign ${id} keeps changing: try again`);
}

export function pauseCampaign(repo: FirmwareRepository, id: string, by: string, now: number): Promise<Campaign | null> {
  return change(repo, id, ["running"], "paused", async (c) => ({
    ...c, status: "paused", pause: { reason: "admin", at: now, by, wave: c.currentWave }, updatedAt: now,
  }));
}

export function resumeCampaign(repo: FirmwareRepository, id: string, now: number, failureThreshold?: number): Promise<Campaign | null> {
  return change(repo, id, ["paused"], "resumed", async (c) => {
    const waves = c.waves.map((w) => ({ ...w }));
    if (c.pause?.reason === "threshold") {
      const counts = (await countsByWave(repo, c))[c.currentWave]!;
      waves[c.currentWave]!.baseline = { finished: counts.succeeded + counts.failed, failed: counts.failed };
    }
    return { ...c, waves, status: "running", pause: null, failureThreshold: failureThreshold ?? c.failureThreshold, updatedAt: now };
  });
}

/** Devices never sent a Download are cancelled now; the others are followed to their outcome. */
export async function cancelCampaign(repo: FirmwareRepository, id: string, now: number): Promise<Campaign | null> {
  const c = await change(repo, id, ["running", "paused"], "cancelled", async (x) => ({ ...x, status: "cancelled", updatedAt: now }));
  if (c) await repo.moveUnsentDevices(id, ["pending", "scheduled"], "cancelled", now);
  return c;
}
