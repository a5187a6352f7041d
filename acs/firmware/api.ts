// /api/firmware (images: upload as a raw octet-stream body, list) and
// /api/campaigns (create, list, progress by state, per wave and per device;
// pause, resume, cancel). Reads need "read"; everything else
// "firmware.write" (admin). Mounted by registerFirmwareApi, which also runs
// the wave job (campaign-runner.ts) for as long as the API listener lives.

import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import { recordAudit } from "../api/audit.ts";
import { authPlugin, tokenOf } from "../api/auth.ts";
import { ApiError, badRequest, conflict, notFound } from "../api/errors.ts";
import type { ConnectionRequester } from "../connreq/requester.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { Store } from "../store/store.ts";
import {
  CAMPAIGN_DETAIL_SCHEMA, CAMPAIGN_SCHEMA, campaignView, DEVICES_QUERY, deviceView, FILE_SCHEMA, fileView,
  NEW_CAMPAIGN_BODY, RESUME_BODY, UPLOAD_QUERY, waveViews,
} from "./api-views.ts";
import { CampaignStateError, cancelCampaign, pauseCampaign, resumeCampaign } from "./campaign-control.ts";
import { CampaignInputError, createCampaign, type NewCampaign } from "./campaign-create.ts";
import { countsByWave, startWaveJob, type WaveJob } from "./campaign-runner.ts";
import type { Campaign, DeviceState } from "./campaign-types.ts";
import { FirmwareUploadError, prepareFirmwareDir, storeUpload } from "./file-store.ts";
import type { FirmwareRepository } from "./firmware-repository.ts";

export interface FirmwareApiDeps {
  store: Store;
  repo: FirmwareRepository;
  logger: Logger;
  /** Folder of the images (<data dir>/firmware) and the largest upload. */
  files: { dir: string; maxBytes: number };
  profiles?: ProfileRegistry;
  /** Wakes the devices a wave schedules. */
  requester?: ConnectionRequester;
  instanceId: string;
  /** The wave job; false: not started (tests drive it). */
  waveJob?: false | { intervalMs?: number; rewakeMs?: number };
}

const ID_PARAMS = { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["id"] } as const;

function translate(err: unknown): unknown {
  if (err instanceof FirmwareUploadError) return new ApiError(err.status, err.code, err.message);
  if (err instanceof CampaignInputError) return badRequest(err.message);
  if (err instanceof CampaignStateError) return conflict(err.message);
  return err;
}
async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translate(err);
  }
}

const firmwareRoutes: FastifyPluginAsync<FirmwareApiDeps & { job: WaveJob | null }> = async (app, deps) => {
  const { store, repo, job } = deps;
  await app.register(authPlugin, { store });
  // Images stream to disk: the body is handed over unread, whatever the listener's body limit.
  app.addContentTypeParser("application/octet-stream", (_req, payload, done) => done(null, payload));

  const found = (c: Campaign | null, id: string): Campaign => {
    if (!c) throw notFound(`campaign ${id} not found`);
    return c;
  };
  const summary = async (c: Campaign) => campaignView(c, await countsByWave(repo, c));
  /** A change is for the wave job to act on now, not at its next run. */
  const nudge = (): void => void job?.runNow();

  app.post<{ Querystring: { name: string; version?: string; sha256: string; profile?: string } }>("/firmware", {
    config: { right: "firmware.write" },
    schema: { querystring: UPLOAD_QUERY, response: { 201: FILE_SCHEMA } },
  }, async (request, reply) => {
    const body = request.body as Readable | undefined;
    if (!body || typeof body.pipe !== "function") throw new ApiError(415, "FLX_ERR_MEDIA_TYPE", "send the image as the request body with Content-Type: application/octet-stream");
    const q = request.query;
    const file = await translated(() => storeUpload(
      { repo, dir: deps.files.dir, maxBytes: deps.files.maxBytes, profiles: deps.profiles },
      { name: q.name, version: q.version, sha256: q.sha256, profile: q.profile, by: tokenOf(request).name, body },
    )).catch((err: unknown) => {
      // Refused before the end of the body: the rest is not read, so this connection cannot carry another request.
      if (!request.raw.complete) void reply.header("connection", "close");
      throw err;
    });
    await recordAudit(store, request, "firmware.upload", null, { name: file.name, version: file.version, size: file.size, sha256: file.sha256 });
    return reply.code(201).send(fileView(file));
  });

  app.get("/firmware", {
    config: { right: "read" },
    schema: { response: { 200: { type: "object", properties: { items: { type: "array", items: FILE_SCHEMA } } } } },
  }, async () => ({ items: (await repo.listFiles()).map(fileView) }));

  app.post<{ Body: NewCampaign }>("/campaigns", {
    config: { right: "firmware.write" },
    schema: { body: NEW_CAMPAIGN_BODY, response: { 201: CAMPAIGN_SCHEMA } },
  }, async (request, reply) => {
    const c = await translated(() => createCampaign({ repo, store, profiles: deps.profiles }, request.body, tokenOf(request).name));
    await recordAudit(store, request, "firmware.campaign.create", null, { campaignId: c.id, name: c.name, firmware: c.firmware.name, waves: c.waves.length });
    nudge();
    return reply.code(201).send(await summary(c));
  });

  app.get("/campaigns", {
    config: { right: "read" },
    schema: { response: { 200: { type: "object", properties: { items: { type: "array", items: CAMPAIGN_SCHEMA } } } } },
  }, async () => ({ items: await Promise.all((await repo.listCampaigns()).map(summary)) }));

  app.get<{ Params: { id: string }; Querystring: { state?: DeviceState; wave?: number; offset: number; limit: number } }>("/campaigns/:id", {
    config: { right: "read" },
    schema: { params: ID_PARAMS, querystring: DEVICES_QUERY, response: { 200: CAMPAIGN_DETAIL_SCHEMA } },
  }, async (request) => {
    const c = found(await repo.getCampaign(request.params.id), request.params.id);
    const byWave = await countsByWave(repo, c);
    const q = request.query;
    const devices = await repo.listDevices(c.id, { states: q.state ? [q.state] : undefined, wave: q.wave, offset: q.offset, limit: q.limit });
    return { ...campaignView(c, byWave), waves: waveViews(c, byWave), devices: { total: devices.total, items: devices.items.map(deviceView) } };
  });

  app.post<{ Params: { id: string } }>("/campaigns/:id/pause", {
    config: { right: "firmware.write" },
    schema: { params: ID_PARAMS, response: { 200: CAMPAIGN_SCHEMA } },
  }, async (request) => {
    const { id } = request.params;
    const c = found(await translated(() => pauseCampaign(repo, id, tokenOf(request).name, Date.now())), id);
    await recordAudit(store, request, "firmware.campaign.pause", null, { campaignId: id });
    nudge();
    return summary(c);
  });

  app.post<{ Params: { id: string }; Body: { failureThreshold?: number } | null }>("/campaigns/:id/resume", {
    config: { right: "firmware.write" },
    schema: { params: ID_PARAMS, body: RESUME_BODY, response: { 200: CAMPAIGN_SCHEMA } },
  }, async (request) => {
    const { id } = request.params;
    const threshold = request.body?.failureThreshold;
    const c = found(await translated(() => resumeCampaign(repo, id, Date.now(), threshold)), id);
    await recordAudit(store, request, "firmware.campaign.resume", null, { campaignId: id, ...(threshold !== undefined && { failureThreshold: threshold }) });
    nudge();
    return summary(c);
  });

  app.post<{ Params: { id: string } }>("/campaigns/:id/cancel", {
    config: { right: "firmware.write" },
    schema: { params: ID_PARAMS, response: { 200: CAMPAIGN_SCHEMA } },
  }, async (request) => {
    const { id } = request.params;
    const c = found(await translated(() => cancelCampaign(repo, id, Date.now())), id);
    await recordAudit(store, request, "firmware.campaign.cancel", null, { campaignId: id });
    nudge();
    return summary(c);
  });
};

/** Mounts /api/firmware and /api/campaigns on the (not yet listening) API listener and starts the wave job. */
export async function registerFirmwareApi(api: FastifyInstance, deps: FirmwareApiDeps): Promise<WaveJob | null> {
  await prepareFirmwareDir(deps.files.dir);
  const log = deps.logger.child({ component: "firmware" });
  const job = deps.waveJob === false ? null : startWaveJob({
    repo: deps.repo, store: deps.store, logger: log, requester: deps.requester, instanceId: deps.instanceId,
    intervalMs: deps.waveJob?.intervalMs, rewakeMs: deps.waveJob?.rewakeMs,
  });
  if (job) api.addHook("onClose", () => job.stop());
  await api.register(firmwareRoutes, { ...deps, job, prefix: "/api" });
  return job;
}
