// The firmware RPC source: sends the Download of a scheduled campaign device
// in its session, follows the answer (Status 1: downloading), the
// TransferComplete (by CommandKey; a duplicate is acknowledged by the session
// and changes nothing) and the Informs after the reboot, where the reported
// SoftwareVersion decides success. Every change goes through the per-device
// state machine (device-state.ts) and is stored only from the state read, so
// two reports of one transfer count once.

import type { AutonomousTransferComplete, CpeResponse, Download, TransferComplete } from "../cwmp/messages.ts";
import { compareFirmware } from "../provisioning/firmware-version.ts";
import type { PlannedRpc, RpcSource, SessionContext } from "../sessions/rpc-source.ts";
import { applyThresholdPause } from "./campaign-runner.ts";
import { windowOpen } from "./campaign-rules.ts";
import type { Campaign, CampaignDevice } from "./campaign-types.ts";
import { stepDevice, type DeviceEvent } from "./device-state.ts";
import type { FirmwareRepository } from "./firmware-repository.ts";

export const FIRMWARE_PATH = "/firmware/";
export const FIRMWARE_FILE_TYPE = "1 Firmware Upgrade Image";

export interface FirmwareSourceDeps {
  repo: FirmwareRepository;
  /**
   * Public base URL of the CWMP listener as CPEs reach it (e.g.
   * "https://acs.example.net:7547"); its origin prefixes /firmware/<name>.
   * Without it, the scheme and Host the device itself used in its session.
   */
  publicUrl?: string | null;
  /** Download RPCs sent without an answer before the device fails (default 3). */
  maxAttempts?: number;
}

interface DownloadMeta {
  campaignId: string;
  commandKey: string;
}

/** Records a session acts on (one list, not one per session). */
const OPEN_STATES: readonly CampaignDevice["state"][] = ["scheduled", "rebooting", "verifying"];

const hasEvent = (ctx: SessionContext, code: string): boolean => ctx.inform.events.some((e) => e.eventCode === code);

export function createFirmwareSource(deps: FirmwareSourceDeps): RpcSource {
  const { repo } = deps;
  const maxAttempts = deps.maxAttempts ?? 3;
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : null;
  /** Sessions already handled: at most one Download per session. */
  const handled = new WeakSet<SessionContext>();

  function downloadUrl(ctx: SessionContext, name: string): string | null {
    const origin = publicOrigin ?? ctx.acsOrigin;
    return origin ? `${origin}${FIRMWARE_PATH}${encodeURIComponent(name)}` : null;
  }

  /** Applies `event` from the state read (read again after a concurrent change); false when it changes nothing, e.g. a duplicate. */
  async function apply(ctx: SessionContext, c: Campaign, read: CampaignDevice, event: DeviceEvent): Promise<boolean> {
    let r: CampaignDevice | null = read;
    for (let attempt = 0; r && attempt < 3; attempt++) {
      const step = stepDevice(r.state, event, c.firmware.version);
      if (!step) return false;
      const change = { path: step.path, at: Date.now(), ...(step.fault && { fault: step.fault }), ...(step.version !== undefined && { version: step.version }) };
      if (await repo.transitionDevice(c.id, r.deviceId, r.state, change)) {
        ctx.logger.debug({ deviceId: r.deviceId, campaignId: c.id, from: r.state, path: step.path, fault: step.fault }, "firmware campaign device");
        if (step.path.at(-1) === "failed") await applyThresholdPause({ repo, logger: ctx.logger }, c.id);
        return true;
      }
      r = await repo.findByCommandKey(r.deviceId, r.commandKey);
    }
    return false;
  }

  return {
    name: "firmware",

    async next(ctx) {
      if (handled.has(ctx)) return null;
      handled.add(ctx);
      const records = await repo.recordsOf(ctx.deviceId, OPEN_STATES);
      if (records.length === 0) return null;
      const version = ctx.device.softwareVersion;
      const booted = hasEvent(ctx, "1 BOOT");
      let scheduled: CampaignDevice | undefined;
      for (const r of records) {
        if (r.state === "scheduled") scheduled ??= r;
        // A transfer reported in this very session waits for a later Inform.
        else if (r.stateAt < ctx.startedAt) {
          const c = await repo.getCampaign(r.campaignId);
          if (c) await apply(ctx, c, r, { kind: "informed", booted, version });
        }
      }
      if (!scheduled) return null;
      const c = await repo.getCampaign(scheduled.campaignId);
      if (!c || c.status !== "running" || !windowOpen(c.window, Date.now())) return null;
      if (compareFirmware(version, c.firmware.version) === 0) {
        await apply(ctx, c, scheduled, { kind: "alreadyAtTarget", version });
        return null;
      }
      if (scheduled.attempts >= maxAttempts) {
        await apply(ctx, c, scheduled, { kind: "undelivered", attempts: scheduled.attempts });
        return null;
      }
      const url = downloadUrl(ctx, c.firmware.name);
      if (!url) {
        ctx.logger.warn({ deviceId: ctx.deviceId, campaignId: c.id }, "no firmware download URL: configure the ACS's public CWMP URL");
        return null;
      }
      // Counted before sending: a Download never answered still uses up an attempt.
      if (!(await repo.transitionDevice(c.id, ctx.deviceId, "scheduled", { path: [], at: Date.now(), attempts: scheduled.attempts + 1 }))) return null;
      const rpc: Download = {
        kind: "Download", commandKey: scheduled.commandKey, fileType: FIRMWARE_FILE_TYPE, url, username: "", password: "",
        fileSize: c.firmware.size, targetFileName: "", delaySeconds: 0, successURL: "", failureURL: "",
      };
      const meta: DownloadMeta = { campaignId: c.id, commandKey: scheduled.commandKey };
      return { rpc, meta };
    },

    async onResponse(ctx, planned: PlannedRpc, response: CpeResponse) {
      const meta = planned.meta as DownloadMeta;
      const r = await repo.findByCommandKey(ctx.deviceId, meta.commandKey);
      const c = r && (await repo.getCampaign(r.campaignId));
      if (!r || !c) return;
      if (response.kind === "DownloadResponse") await apply(ctx, c, r, { kind: "downloadAnswered", status: response.status });
      else if (response.kind === "Fault") await apply(ctx, c, r, { kind: "downloadRefused", code: response.code, message: response.message });
      else ctx.logger.warn({ deviceId: ctx.deviceId, kind: response.kind }, "unexpected answer to a firmware Download");
    },

    async onCpeRequest(ctx, request: TransferComplete | AutonomousTransferComplete) {
      if (request.kind !== "TransferComplete") return;
      const r = await repo.findByCommandKey(ctx.deviceId, request.commandKey);
      const c = r && (await repo.getCampaign(r.campaignId));
      if (!r || !c) return;
      const event: DeviceEvent = {
        kind: "transferComplete", faultCode: request.fault.faultCode, faultString: request.fault.faultString,
        booted: hasEvent(ctx, "1 BOOT"), version: ctx.device.softwareVersion,
      };
      if (!(await apply(ctx, c, r, event))) {
        ctx.logger.debug({ deviceId: ctx.deviceId, commandKey: request.commandKey, state: r.state }, "duplicate TransferComplete acknowledged");
      }
    },
  };
}
