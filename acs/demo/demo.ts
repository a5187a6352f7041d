// The demo (`npm start -- --demo-fleet N`): N simulated devices in this
// process and the data that makes every page show something real: a
// subscriber line per router (before the devices first call, so their first
// session provisions them), rented routers in their lifecycle with a few
// overdue and charged, link-rate history and first speed tests, and a
// firmware campaign in progress. Loaded by acs/app.ts only when N > 0, so a
// production ACS never loads it nor the agent's code.
//
// Deterministic (fixed fleet and line seeds) and idempotent: a restart on
// the same data directory finds everything in place and adds nothing. Each
// start records what it added as the audit event "demo.seed".

import { join } from "node:path";
import type { Logger } from "pino";
import type { ModelName } from "../../agent/drivers/sim/model-spec.ts";
import { startFleet } from "../../agent/fleet/fleet.ts";
import type { AcsConfig } from "../config.ts";
import type { ConnectionRequester } from "../connreq/requester.ts";
import type { LinkrateEvaluator } from "../linkrate/evaluator.ts";
import type { LinkrateLines } from "../linkrate/linkrate-lines.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import { deviceIdOf } from "../sessions/device-id.ts";
import type { Store } from "../store/store.ts";
import { seedCampaign } from "./demo-firmware.ts";
import { seedLines } from "./demo-lines.ts";
import { backfillHistory, startFirstSpeedTests } from "./demo-linkrate.ts";
import { DEMO_SEED, demoRoster, planDemo } from "./demo-plan.ts";
import { DEMO_ACTOR, seedRentals } from "./demo-rentals.ts";

export interface DemoDeps {
  store: Store;
  config: AcsConfig;
  logger: Logger;
  /** The CWMP listener's URL, as the simulated devices reach it. */
  cwmpUrl: string;
  profiles: ProfileRegistry;
  linkrate: { evaluator: LinkrateEvaluator; lines: LinkrateLines };
  requester: ConnectionRequester;
  /** The firmware file store's folder (<data dir>/firmware). */
  firmwareDir: string;
  periodicInformIntervalS: number;
}

/** Share of devices whose firmware downloads fail after the fetch (9010 / 9018): the campaign shows some failures. */
const FIRMWARE_FAILURE_RATE = 0.08;

/** A router flashing an image and restarting is away about a minute (the simulator's default is 100 ms): campaigns take visible time. */
const REBOOT_MS = 60_000;

/** Where a simulated router reports the MAC address printed on its label (its WAN port). */
const LABEL_MAC: Partial<Record<ModelName, string>> = {
  "router-tr181": "Device.Ethernet.Interface.1.MACAddress",
  "router-tr098": "InternetGatewayDevice.WANDevice.1.WANEthernetInterfaceConfig.MACAddress",
};

/** Seeds the lines, starts the fleet and the rest of the seeding in the background; resolves with the stop function. */
export async function startDemo(deps: DemoDeps): Promise<() => Promise<void>> {
  const { store, config } = deps;
  const log = deps.logger.child({ component: "demo" });
  const roster = demoRoster(config.demoFleet);
  const plan = planDemo(roster);

  const lines = await seedLines(store.lines, deps.profiles, plan.lines, Date.now());
  log.info({ added: lines.added, present: lines.present, refused: lines.refused.length }, "demo subscriber lines");
  for (const e of lines.refused.slice(0, 20)) log.warn({ lineId: e.lineId, field: e.field }, `demo line not stored: ${e.message}`);

  const fleetLog = deps.logger.child({ component: "demo-fleet" });
  const fleet = await startFleet({
    acsUrl: deps.cwmpUrl,
    count: config.demoFleet,
    model: "mix",
    seed: DEMO_SEED,
    periodicInterval: deps.periodicInformIntervalS,
    // As real routers behind NAT would: reachable through the agent channel.
    channel: true,
    stateDir: join(config.dataDir, "demo-fleet"),
    username: config.cwmp.bootstrapCredential?.username,
    password: config.cwmp.bootstrapCredential?.password,
    lineBehaviour: (serial) => plan.behaviours.get(serial),
    fetchedDownloadFailureRate: FIRMWARE_FAILURE_RATE,
    rebootDelayMs: REBOOT_MS,
    log: (event, fields) => fleetLog.debug(fields, event),
  });
  const stray = roster.find((r) => fleet.devices[r.index]?.serial !== r.serial || fleet.devices[r.index]?.model !== r.model);
  if (stray) {
    await fleet.stop();
    throw new Error(`demo: the fleet's device ${stray.index} is not ${stray.serial} (${stray.model}): demoRoster no longer matches startFleet's "mix"`);
  }
  const device = new Map(fleet.devices.map((d) => [d.serial, d]));

  const abort = new AbortController();
  const { signal } = abort;
  let firstTests: { stop(): Promise<void> } | null = null;

  async function seed(): Promise<void> {
    const now = Date.now();
    // Booting thousands of devices takes a while; the ACS is usable meanwhile.
    const booting = fleet.bootAll().then(
      (results) => fleetLog.info({ devices: results.length, failed: results.filter((r) => !r.ok).length }, "demo fleet booted"),
      (err: unknown) => fleetLog.error({ err }, "demo fleet boot failed"),
    );
    const rentals = await seedRentals({
      repo: store.rentals, store, instanceId: config.instanceId, deadlineDays: config.rentalReturnDays, signal,
      macOf: (serial) => {
        const d = device.get(serial);
        const path = d && LABEL_MAC[d.model as ModelName];
        return (path && d.getValue(path)) ?? null;
      },
    }, plan.lines, now);
    const flagged = rentals.flagging?.ran ? rentals.flagging.run.result : null;
    log.info({ routersAdded: rentals.routersAdded, eventsApplied: rentals.eventsApplied, refused: rentals.refused.length, flagged }, "demo rented routers");
    for (const r of rentals.refused.slice(0, 20)) log.warn(`demo rental move refused: ${r}`);

    const history = await backfillHistory({
      repo: store.linkrate, evaluator: deps.linkrate.evaluator, signal,
      deviceIdOf: (serial) => deviceIdOf(device.get(serial)!.drv.deviceId)!,
    }, plan.lines, now);
    log.info(history, "demo link-rate history");

    await booting;
    if (signal.aborted) return;
    firstTests = startFirstSpeedTests({
      repo: store.linkrate, lines: deps.linkrate.lines, store, requester: deps.requester, instanceId: config.instanceId, logger: log,
    }, Date.now());
    const campaign = await seedCampaign({ repo: store.firmware, store, profiles: deps.profiles, dir: deps.firmwareDir, maxBytes: config.firmwareMaxBytes });
    if (campaign.status === "skipped") log.warn({ reason: campaign.reason }, "demo firmware campaign not created");
    else log.info({ campaignId: campaign.campaign.id, status: campaign.status }, "demo firmware campaign");

    await store.addAudit({
      timestamp: Date.now(), actor: DEMO_ACTOR, action: "demo.seed", deviceId: null,
      detail: {
        devices: config.demoFleet,
        lines: { added: lines.added, present: lines.present, refused: lines.refused.length },
        rentals: { routersAdded: rentals.routersAdded, eventsApplied: rentals.eventsApplied, refused: rentals.refused.length, flagged: flagged?.flagged ?? 0 },
        history,
        campaign: campaign.status === "skipped" ? { status: "skipped", reason: campaign.reason } : { status: campaign.status, id: campaign.campaign.id },
      },
    });
  }

  const seeding = seed().catch((err: unknown) => log.error({ err }, "demo seeding failed"));
  return async () => {
    abort.abort();
    // Stopping the devices ends their sessions, so a boot in progress returns.
    await fleet.stop();
    await seeding;
    await firstTests?.stop();
  };
}
