// /api/linkrate on the internal API listener:
//   GET  /summary                       lines per verdict, open alerts, speed distribution
//   GET  /lines?direction&verdict       line states with their verdicts
//   GET  /lines/:id/evidence?format&since  evidence report (JSON or CSV)
//   POST /lines/:id/speed-tests?timeout on-demand test (support), waits up to timeout for the result
//   GET  /speed-tests, /speed-tests/:id
//   GET  /alerts?open&lineId&kind       alerts, newest first
//   POST /alerts/:id/acknowledge        (noc, admin)
//   GET  /devices/:id/history?since     the device's line: samples and rollups (device page chart)
// Rights: reads "read"; tests "speedtest.run" (support, admin); acknowledgement "alert.ack" (noc, admin).

import type { FastifyInstance } from "fastify";
import { authPlugin, tokenOf } from "../api/auth.ts";
import { recordAudit } from "../api/audit.ts";
import { conflict, notFound } from "../api/errors.ts";
import type { ConnectionRequester } from "../connreq/requester.ts";
import type { EventBus } from "../events.ts";
import type { Store } from "../store/store.ts";
import type { LinkrateEvaluator } from "./evaluator.ts";
import { buildEvidence, evidenceCsv } from "./evidence.ts";
import type { LinkrateLines } from "./linkrate-lines.ts";
import { ALERT_KINDS, type LinkAlert, type SpeedTestRecord } from "./measurement.ts";
import { alertView, testView } from "./linkrate-views.ts";
import type { LinkrateRepository } from "./measurement-repository.ts";
import { OFFER_BOUNDS_BPS, type LinkDirection } from "./policy.ts";
import { deviceIdOfSerial } from "./speedtest-scheduler.ts";
import { VERDICT_ORDER } from "./verdict.ts";
import { LIMIT_QUERY, PAGE_QUERY, queryOnly } from "../api/list-query.ts";

export interface LinkrateApiDeps {
  store: Store;
  bus: EventBus;
  repo: LinkrateRepository;
  lines: LinkrateLines;
  evaluator: LinkrateEvaluator;
  requester?: ConnectionRequester;
  now?: () => number;
}

const DAY = 86_400_000;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const ID = { type: "string", minLength: 1, maxLength: 256 } as const;
const ID_PARAMS = { type: "object", properties: { id: ID }, required: ["id"] } as const;
const DIRECTION = { type: "string", enum: ["download", "upload"] } as const;

/** Bin edges of the speed distribution, Mb/s; the last bin is open-ended. */
export const DISTRIBUTION_EDGES_MBPS = [0, 10, 20, 30, 50, 100, 200, 300, 500, 700, 1000] as const;

function distribution(values: readonly number[]): { fromMbps: number; toMbps: number | null; count: number }[] {
  const bins = DISTRIBUTION_EDGES_MBPS.map((from, i) => ({ fromMbps: from, toMbps: DISTRIBUTION_EDGES_MBPS[i + 1] ?? null, count: 0 }));
  for (const v of values) {
    const mbps = v / 1e6;
    let i = bins.length - 1;
    while (i > 0 && mbps < bins[i]!.fromMbps) i--;
    bins[i]!.count++;
  }
  return bins;
}

/** Resolves once every test of `ids` is done or failed, or after `timeoutMs`, with their records. */
function waitForTests(bus: EventBus, repo: LinkrateRepository, ids: readonly string[], timeoutMs: number): Promise<SpeedTestRecord[]> {
  return new Promise((resolve) => {
    const pending = new Set(ids);
    let timer: NodeJS.Timeout | undefined;
    const finish = async (): Promise<void> => {
      off();
      clearTimeout(timer);
      resolve((await Promise.all(ids.map((id) => repo.getSpeedTest(id)))).filter((t): t is SpeedTestRecord => t !== null));
    };
    const off = bus.on("linkrate.speedtest", ({ test }) => {
      pending.delete(test.id);
      if (pending.size === 0) void finish();
    });
    timer = setTimeout(() => void finish(), timeoutMs);
  });
}

export async function registerLinkrateApi(apiServer: FastifyInstance, deps: LinkrateApiDeps): Promise<void> {
  const { store, bus, repo, lines, evaluator } = deps;
  const now = deps.now ?? Date.now;

  await apiServer.register(async (app) => {
    await app.register(authPlugin, { store });

    app.get("/summary", { config: { right: "read" } }, async () => {
      const [verdicts, alerts, down, up] = await Promise.all([repo.countVerdicts(), repo.countOpenAlerts(), repo.latestSpeeds("download"), repo.latestSpeeds("upload")]);
      return {
        verdicts, verdictOrder: VERDICT_ORDER, alerts,
        distribution: {
          download: { boundsMbps: { floor: OFFER_BOUNDS_BPS.download.floor / 1e6, ceiling: OFFER_BOUNDS_BPS.download.ceiling / 1e6 }, bins: distribution(down) },
          upload: { boundsMbps: { floor: OFFER_BOUNDS_BPS.upload.floor / 1e6, ceiling: OFFER_BOUNDS_BPS.upload.ceiling / 1e6 }, bins: distribution(up) },
        },
      };
    });

    app.get<{ Querystring: { direction: LinkDirection; verdict?: (typeof VERDICT_ORDER)[number]; offset: number; limit: number } }>("/lines", {
      config: { right: "read" },
      schema: { querystring: queryOnly({ direction: { ...DIRECTION, default: "download" }, verdict: { type: "string", enum: [...VERDICT_ORDER] }, ...PAGE_QUERY }) },
    }, async (request) => {
      const { direction, verdict, offset, limit } = request.query;
      const { total, items } = await repo.listLinesByVerdict({ direction, code: verdict, offset, limit });
      return {
        total,
        items: items.map((s) => ({
          lineId: s.lineId, verdict: s.verdict && { at: iso(s.verdict.atMs), download: s.verdict.download, upload: s.verdict.upload },
          lastDownloadBps: s.download.at(-1)?.bps ?? null, lastUploadBps: s.upload.at(-1)?.bps ?? null, openAlerts: Object.keys(s.alerts),
        })),
      };
    });

    app.get<{ Params: { id: string }; Querystring: { format: "json" | "csv"; since?: string } }>("/lines/:id/evidence", {
      config: { right: "read" },
      schema: { params: ID_PARAMS, querystring: queryOnly({ format: { type: "string", enum: ["json", "csv"], default: "json" }, since: { type: "string", format: "date-time" } }) },
    }, async (request, reply) => {
      const line = await lines.getLine(request.params.id);
      if (!line) throw notFound(`line ${request.params.id} not found`);
      const nowMs = now();
      const sinceMs = request.query.since ? Date.parse(request.query.since) : nowMs - evaluator.policy.lookbackMs;
      const [states, samples, rollups, alerts] = await Promise.all([
        repo.getLineStates([line.lineId]),
        repo.listSamples({ lineId: line.lineId, sinceMs, limit: 100_000 }),
        repo.listRollups({ lineId: line.lineId, sinceMs: sinceMs - 400 * DAY, limit: 100_000 }),
        repo.listAlerts({ lineId: line.lineId, limit: 1000 }),
      ]);
      const report = buildEvidence({ line, state: states.get(line.lineId), samples, rollups, alerts: alerts.items, policy: evaluator.policy, sinceMs, nowMs });
      const name = `linkrate-evidence-${line.lineId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
      if (request.query.format === "csv") {
        return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${name}.csv"`).send(evidenceCsv(report));
      }
      return reply.header("content-disposition", `inline; filename="${name}.json"`).send(report);
    });

    app.post<{ Params: { id: string }; Querystring: { timeout: number }; Body: { directions?: LinkDirection[] } | undefined }>("/lines/:id/speed-tests", {
      config: { right: "speedtest.run" },
      schema: {
        params: ID_PARAMS,
        querystring: queryOnly({ timeout: { type: "integer", minimum: 0, maximum: 300_000, default: 0 } }),
        body: { type: ["object", "null"], additionalProperties: false, properties: { directions: { type: "array", minItems: 1, maxItems: 2, uniqueItems: true, items: DIRECTION } } },
      },
    }, async (request, reply) => {
      const line = await lines.getLine(request.params.id);
      if (!line) throw notFound(`line ${request.params.id} not found`);
      if (!line.testSerial) throw conflict(`line ${line.lineId} has no managed router or ONT to run a test`);
      const deviceId = await deviceIdOfSerial(store, line.testSerial);
      if (!deviceId) throw conflict(`device ${line.testSerial} of line ${line.lineId} has not contacted the ACS yet`);
      const directions = request.body?.directions ?? ["download", "upload"];
      const by = tokenOf(request).name;
      const tests = await repo.addSpeedTests(directions.map((direction) => ({ lineId: line.lineId, deviceId, direction, origin: "support", slot: null, requestedBy: by })), now());
      await recordAudit(store, request, "linkrate.speedtest", deviceId, { lineId: line.lineId, directions, tests: tests.map((t) => t.id) });
      const waiting = request.query.timeout > 0 ? waitForTests(bus, repo, tests.map((t) => t.id), request.query.timeout) : null;
      const wake = deps.requester ? await deps.requester.wake(deviceId) : null;
      const current = waiting && wake?.ok !== false ? await waiting : tests;
      const finished = current.every((t) => t.status === "done" || t.status === "failed");
      return reply.code(finished ? 200 : 202).send({ tests: current.map(testView), connectionRequest: wake });
    });

    app.get<{ Querystring: { lineId?: string; status?: SpeedTestRecord["status"]; limit: number } }>("/speed-tests", {
      config: { right: "read" },
      schema: { querystring: queryOnly({ lineId: ID, status: { type: "string", enum: ["queued", "requested", "done", "failed"] }, limit: LIMIT_QUERY }) },
    }, async (request) => ({ items: (await repo.listSpeedTests(request.query)).map(testView) }));

    app.get<{ Params: { id: string } }>("/speed-tests/:id", { config: { right: "read" }, schema: { params: ID_PARAMS } }, async (request) => {
      const t = await repo.getSpeedTest(request.params.id);
      if (!t) throw notFound(`speed test ${request.params.id} not found`);
      return testView(t);
    });

    app.get<{ Querystring: { open?: boolean; lineId?: string; kind?: LinkAlert["kind"]; offset: number; limit: number } }>("/alerts", {
      config: { right: "read" },
      schema: { querystring: queryOnly({ open: { type: "boolean" }, lineId: ID, kind: { type: "string", enum: [...ALERT_KINDS] }, ...PAGE_QUERY }) },
    }, async (request) => {
      const { total, items } = await repo.listAlerts(request.query);
      return { total, items: items.map(alertView) };
    });

    app.post<{ Params: { id: string } }>("/alerts/:id/acknowledge", { config: { right: "alert.ack" }, schema: { params: ID_PARAMS } }, async (request) => {
      const before = await repo.getAlert(request.params.id);
      if (!before) throw notFound(`alert ${request.params.id} not found`);
      const alert = (await repo.acknowledgeAlert(before.id, tokenOf(request).name, now()))!;
      if (before.acknowledgedAtMs === null) {
        await recordAudit(store, request, "linkrate.alert.acknowledge", null, { alertId: alert.id, lineId: alert.lineId, kind: alert.kind });
        bus.emit("linkrate.alert", { alert, transition: "acknowledged" });
      }
      return alertView(alert);
    });

    app.get<{ Params: { id: string }; Querystring: { since?: string } }>("/devices/:id/history", {
      config: { right: "read" },
      schema: { params: ID_PARAMS, querystring: queryOnly({ since: { type: "string", format: "date-time" } }) },
    }, async (request) => {
      const device = await store.getDevice(request.params.id);
      if (!device) throw notFound(`device ${request.params.id} not found`);
      const line = await lines.lineOfSerial(device.serialNumber);
      if (!line) return { lineId: null, advertised: null, samples: [], rollups: [] };
      const sinceMs = request.query.since ? Date.parse(request.query.since) : now() - evaluator.policy.lookbackMs;
      const [samples, rollups] = await Promise.all([
        repo.listSamples({ lineId: line.lineId, sinceMs, limit: 20_000 }),
        repo.listRollups({ lineId: line.lineId, sinceMs, limit: 20_000 }),
      ]);
      return {
        lineId: line.lineId, advertised: line.profile,
        samples: samples.map((m) => ({ at: iso(m.atMs), deviceId: m.deviceId, direction: m.direction, method: m.method, value: m.value })),
        rollups: rollups.map((r) => ({ start: iso(r.startMs), direction: r.direction, method: r.method, min: r.min, median: r.median, max: r.max, count: r.count })),
      };
    });
  }, { prefix: "/api/linkrate" });
}
