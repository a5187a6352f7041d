// GET /ui/export/devices.csv?<the device list's filters>: every matching
// device as CSV, streamed page by page through the API's own /api/devices (so
// the filters, their validation and the role check are the list's). Pages
// are offset-based like the list: a device registered during an export may be
// missed or appear twice, as in any paged read of a live table.
// Cells starting with = + - @ are neutralised (csv-stringify escape_formulas):
// serial numbers come from devices and must not run as spreadsheet formulas.

import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { stringify } from "csv-stringify";
import { ApiError } from "../api/errors.ts";
import { callApi } from "./api-proxy.ts";
import { sessionOf } from "./ui-auth.ts";

const PAGE = 1000;

const COLUMNS = [
  "id", "manufacturer", "oui", "productClass", "serialNumber", "softwareVersion", "hardwareVersion", "dataModel",
  "online", "lastInformAt", "lastBootAt", "registeredAt", "lastRemoteAddress", "periodicInformInterval", "tags",
] as const;

type DeviceItem = Record<(typeof COLUMNS)[number], unknown>;

const PARIS_STAMP = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });

export const csvExportRoutes: FastifyPluginAsync<{ api: FastifyInstance }> = async (app, { api }) => {
  app.get("/ui/export/devices.csv", async (request, reply) => {
    const session = sessionOf(request);
    const query = new URLSearchParams(request.url.split("?")[1] ?? "");
    query.delete("offset");
    query.delete("limit");
    const page = async (offset: number): Promise<{ total: number; items: DeviceItem[] }> => {
      const q = new URLSearchParams(query);
      q.set("offset", String(offset));
      q.set("limit", String(PAGE));
      const answer = await callApi(api, session, "GET", `/devices?${q}`);
      const body = JSON.parse(answer.body.toString("utf8")) as { total: number; items: DeviceItem[]; error?: string; message?: string };
      if (answer.status !== 200) throw new ApiError(answer.status, body.error ?? "FLX_ERR_EXPORT", body.message ?? "export failed");
      return body;
    };
    // The first page is read before answering, so a bad filter is a JSON 400, not a broken download.
    const first = await page(0);
    const csv = stringify({ header: true, columns: [...COLUMNS], escape_formulas: true, cast: { boolean: (b) => (b ? "true" : "false") } });
    const stamp = PARIS_STAMP.format(new Date()).replace(/[^0-9]/g, "").slice(0, 12);
    void reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="devices-${stamp}.csv"`)
      .header("cache-control", "no-store")
      .send(csv);
    // A client that goes away stops the export (and releases a writer waiting for "drain").
    reply.raw.once("close", () => {
      if (!csv.writableFinished) csv.destroy();
    });
    const write = async (items: DeviceItem[]): Promise<void> => {
      for (const d of items) {
        const row = COLUMNS.map((c) => (c === "tags" ? (d.tags as string[]).join(" ") : (d[c] ?? "")));
        if (!csv.write(row)) await new Promise<void>((resolve) => csv.once("drain", resolve).once("close", resolve));
        if (csv.destroyed) return;
      }
    };
    try {
      await write(first.items);
      for (let offset = PAGE; offset < first.total && !csv.destroyed; offset += PAGE) {
        const { items } = await page(offset);
        if (items.length === 0) break;
        await write(items);
      }
      csv.end();
    } catch (err) {
      request.log.error({ err }, "device export failed midway");
      csv.destroy(err as Error);
    }
    return reply;
  });
};
