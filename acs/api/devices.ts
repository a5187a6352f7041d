// /api/devices: list with filters and paging, one device with its parameters
// (secrets masked), delete.

import type { FastifyPluginAsync } from "fastify";
import type { DeviceQuery, Store } from "../store/store.ts";
import { recordAudit } from "./audit.ts";
import { notFound } from "./errors.ts";
import { parseTime, TIME_QUERY_SCHEMA } from "./query-time.ts";
import { DEVICE_DETAIL_SCHEMA, DEVICE_SUMMARY_SCHEMA, deviceSummary, parameterView } from "./views.ts";
import { PAGE_QUERY, queryOnly } from "./list-query.ts";

export interface DevicesRoutesOptions {
  store: Store;
  onlineWindowMs: number;
}

const DEVICE_ID_PARAMS = { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 256 } }, required: ["id"] } as const;

const text = { type: "string", maxLength: 256 } as const;

interface ListQuery {
  id?: string;
  search?: string;
  productClass?: string;
  softwareVersion?: string;
  online?: boolean;
  lastInformAfter?: string;
  tag?: string;
  sort?: NonNullable<DeviceQuery["sort"]>;
  order?: "asc" | "desc";
  offset: number;
  limit: number;
}

export const devicesRoutes: FastifyPluginAsync<DevicesRoutesOptions> = async (app, { store, onlineWindowMs }) => {
  app.get<{ Querystring: ListQuery }>("/devices", {
    config: { right: "read" },
    schema: {
      querystring: queryOnly({
        id: text, search: text, productClass: text, softwareVersion: text, tag: text,
        online: { type: "boolean" },
        lastInformAfter: TIME_QUERY_SCHEMA,
        sort: { type: "string", enum: ["id", "lastInformAt", "productClass", "softwareVersion"] },
        order: { type: "string", enum: ["asc", "desc"] },
        ...PAGE_QUERY,
      }),
      response: { 200: { type: "object", properties: { total: { type: "integer" }, items: { type: "array", items: DEVICE_SUMMARY_SCHEMA } } } },
    },
  }, async (request) => {
    const q = request.query;
    const now = Date.now();
    const query: DeviceQuery = {
      id: q.id, search: q.search, productClass: q.productClass, softwareVersion: q.softwareVersion, tag: q.tag,
      sort: q.sort, order: q.order, offset: q.offset, limit: q.limit,
    };
    query.lastInformAfter = parseTime("lastInformAfter", q.lastInformAfter);
    // online ⇔ lastInformAt ≥ now − window: the same rule as the `online` field of each item.
    if (q.online === true) query.lastInformAfter = Math.max(query.lastInformAfter ?? -Infinity, now - onlineWindowMs);
    if (q.online === false) query.lastInformBefore = now - onlineWindowMs;
    const { total, items } = await store.listDevices(query);
    return { total, items: items.map((d) => deviceSummary(d, onlineWindowMs, now)) };
  });

  app.get<{ Params: { id: string }; Querystring: { parameters?: string } }>("/devices/:id", {
    config: { right: "read" },
    schema: {
      params: DEVICE_ID_PARAMS,
      querystring: queryOnly({ parameters: { type: "string", maxLength: 4096 } }),
      response: { 200: DEVICE_DETAIL_SCHEMA },
    },
  }, async (request) => {
    const device = await store.getDevice(request.params.id);
    if (!device) throw notFound(`device ${request.params.id} not found`);
    const prefixes = request.query.parameters?.split(",").map((s) => s.trim()).filter(Boolean);
    const params = await store.getParameters(device.id, prefixes?.length ? prefixes : undefined);
    return { ...deviceSummary(device, onlineWindowMs), parameters: parameterView(params) };
  });

  app.delete<{ Params: { id: string } }>("/devices/:id", {
    config: { right: "device.delete" },
    schema: { params: DEVICE_ID_PARAMS },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!(await store.deleteDevice(id))) throw notFound(`device ${id} not found`);
    await recordAudit(store, request, "device.delete", id);
    return reply.code(204).send();
  });
};
