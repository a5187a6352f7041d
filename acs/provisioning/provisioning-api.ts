// Provisioning as the API shows it (right "read"):
//   GET /api/devices/:id/provisioning  state, drift, fault, and the settings
//                                      the device holds, read back from its
//                                      parameter tree (secrets never shown)
//   GET /api/quarantine                devices given management settings only
//                                      (unknown, no line, returned, charged),
//                                      with when and where they last connected
//                                      from (their device records)
//   GET /api/provisioning/summary      devices per status and standing
import type { FastifyPluginAsync } from "fastify";
import { notFound } from "../api/errors.ts";
import type { LineRepository } from "../lines/line-repository.ts";
import { redactSecrets } from "../secrets.ts";
import type { Device, Store } from "../store/store.ts";
import type { ProfileRegistry } from "./profile-registry.ts";
import { STANDINGS, type ProvisioningState, type Standing } from "./provisioning-state.ts";
import { decodeActual } from "./reconcile.ts";
import { unflattenSettings } from "./settings-entries.ts";
import { profileReadPaths } from "./settings-mapping.ts";
import { PAGE_QUERY, queryOnly } from "../api/list-query.ts";

export interface ProvisioningRoutesOptions {
  store: Store;
  lines: LineRepository;
  profiles: ProfileRegistry;
}

const str = { type: "string" } as const;
const nullableStr = { type: ["string", "null"] } as const;
const anyObject = { type: "object", additionalProperties: true } as const;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const QUARANTINE_ITEM = {
  type: "object",
  properties: {
    deviceId: str, serial: str, productClass: str, standing: str, status: str,
    firstSeenAt: str, lastSeenAt: str, lastRemoteAddress: nullableStr,
  },
} as const;

const STATE_SCHEMA = {
  type: "object",
  properties: {
    ...QUARANTINE_ITEM.properties,
    lineId: nullableStr, role: nullableStr, profile: nullableStr,
    desiredKey: nullableStr, appliedKey: nullableStr, appliedAt: nullableStr, verifiedAt: nullableStr, lastCheckAt: nullableStr,
    drift: { type: "array", items: anyObject },
    problems: { type: "array", items: { type: "object", properties: { field: str, message: str } } },
    unsupported: { type: "array", items: str },
    warnings: { type: "array", items: { type: "object", properties: { field: str, message: str } } },
    fault: { type: ["object", "null"], additionalProperties: true },
    credentials: { type: ["object", "null"], properties: { generation: { type: "integer" }, confirmed: { type: "boolean" }, cpeUsername: str, connectionRequestUsername: str } },
    settings: anyObject,
  },
} as const;

const quarantineItem = (s: ProvisioningState, device: Device | null) => ({
  deviceId: s.deviceId, serial: s.serial, productClass: s.productClass, standing: s.standing, status: s.status,
  firstSeenAt: iso(s.firstSeenAt), lastSeenAt: iso(device?.lastInformAt ?? s.firstSeenAt), lastRemoteAddress: device?.lastRemoteAddress ?? null,
});

export const registerProvisioningRoutes: FastifyPluginAsync<ProvisioningRoutesOptions> = async (app, { store, lines, profiles }) => {
  app.get<{ Params: { id: string } }>("/devices/:id/provisioning", {
    config: { right: "read" },
    schema: {
      params: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 256 } }, required: ["id"] },
      response: { 200: STATE_SCHEMA },
    },
  }, async (request) => {
    const s = await lines.getState(request.params.id);
    if (!s) throw notFound(`device ${request.params.id} has no provisioning state (it never contacted the ACS)`);
    const device = await store.getDevice(s.deviceId);
    const profile = s.profile === null ? undefined : profiles.profiles.find((p) => p.file === s.profile);
    let settings = {};
    if (profile) {
      const params = await store.getParameters(s.deviceId, profileReadPaths(profile));
      settings = unflattenSettings(decodeActual(profile, new Map([...params].map(([path, p]) => [path, p.value]))));
    }
    const c = s.credentials;
    // Secrets read back empty and drift is never about them; masked anyway, as every API read is.
    return {
      ...quarantineItem(s, device),
      lineId: s.lineId, role: s.role, profile: s.profile,
      desiredKey: s.desiredKey, appliedKey: s.appliedKey, appliedAt: iso(s.appliedAt), verifiedAt: iso(s.verifiedAt), lastCheckAt: iso(s.lastCheckAt),
      drift: redactSecrets(s.drift.map((d) => ({ ...d, detectedAt: iso(d.detectedAt) }))),
      problems: s.problems, unsupported: s.unsupported, warnings: s.warnings,
      fault: s.fault && { ...s.fault, at: iso(s.fault.at), notBefore: iso(s.fault.notBefore) },
      credentials: c && { generation: c.generation, confirmed: c.confirmed, cpeUsername: c.cpeUsername, connectionRequestUsername: c.connectionRequestUsername },
      settings: redactSecrets(settings),
    };
  });

  app.get<{ Querystring: { standing?: Exclude<Standing, "line">; offset: number; limit: number } }>("/quarantine", {
    config: { right: "read" },
    schema: {
      querystring: queryOnly({
        standing: { type: "string", enum: STANDINGS.filter((s) => s !== "line") },
        ...PAGE_QUERY,
      }),
      response: { 200: { type: "object", properties: { total: { type: "integer" }, items: { type: "array", items: QUARANTINE_ITEM } } } },
    },
  }, async (request) => {
    const { standing, offset, limit } = request.query;
    const { total, items } = await lines.listStates({ standing: standing ?? STANDINGS.filter((s) => s !== "line"), offset, limit });
    const devices = await Promise.all(items.map((s) => store.getDevice(s.deviceId)));
    return { total, items: items.map((s, i) => quarantineItem(s, devices[i] ?? null)) };
  });

  app.get("/provisioning/summary", {
    config: { right: "read" },
    schema: { response: { 200: { type: "object", properties: { status: anyObject, standing: anyObject } } } },
  }, async () => lines.countStates());
};
