// What firmware campaigns add to the dashboards: the overview block
// "firmware.campaigns" (campaigns running or paused, with their devices per
// state). Reads only the open campaigns and their per-state counts (grouped,
// indexed by campaign), so it stays cheap however many devices they hold.

import type { OverviewSection } from "../dashboards/overview.ts";
import { totals } from "./api-views.ts";
import { countsByWave } from "./campaign-runner.ts";
import type { FirmwareRepository } from "./firmware-repository.ts";

export const FIRMWARE_OVERVIEW_ID = "firmware.campaigns";

export function firmwareOverviewSection(repo: FirmwareRepository): OverviewSection {
  return {
    id: FIRMWARE_OVERVIEW_ID,
    async compute() {
      const open = (await repo.listCampaigns({ ended: false })).filter((c) => c.status === "running" || c.status === "paused");
      const campaigns = await Promise.all(open.map(async (c) => ({ id: c.id, name: c.name, status: c.status, counts: totals(await countsByWave(repo, c)) })));
      return {
        running: campaigns.filter((c) => c.status === "running").length,
        paused: campaigns.filter((c) => c.status === "paused").length,
        campaigns,
      };
    },
  };
}
