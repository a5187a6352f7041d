// /api/rentals: the rented-router inventory and lifecycle, contract events
// (JSON and CSV import), the flagging job, charges and the billing export.
// Mounted by one call from acs/app.ts (registerRentalsApi), which also starts
// the daily flagging job and the ACS contact follower; both stop with the
// listener. Behind the API's token authentication; beyond the "read" right,
// each mutating route names the roles allowed (warehouse moves: support and
// admin; money and contract data: admin).

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import type pino from "pino";
import type { EventBus } from "../events.ts";
import { exportToBilling } from "../rentals/billing-export.ts";
import { RentalBusyError, RentalRuleError } from "../rentals/commit.ts";
import { followRouterContacts, type LineResolver } from "../rentals/contact-evidence.ts";
import { DEFAULT_RETURN_DEADLINE_DAYS } from "../rentals/contract-dates.ts";
import { applyContractEvent, parseContractEvent } from "../rentals/contract-events.ts";
import { runFlaggingNow, startDailyFlagging, type FlaggingRunOutcome } from "../rentals/daily-job.ts";
import { importContractEvents } from "../rentals/import-csv.ts";
import { IllegalTransitionError } from "../rentals/lifecycle.ts";
import type { ChargeStatus, RentalRepository, RouterQuery } from "../rentals/rental-repository.ts";
import { applyRouterAction, type RouterAction } from "../rentals/router-actions.ts";
import type { Role, Store } from "../store/store.ts";
import { recordAudit } from "./audit.ts";
import { authPlugin, tokenOf } from "./auth.ts";
import { ApiError, badRequest, conflict, forbidden, notFound } from "./errors.ts";
import {
  batchSummaryView, CHARGE_LIST_QUERY, chargeView, contactView, eventView, EVENT_LIST_QUERY, FORMAT_QUERY, ID_PARAMS, IMPORT_QUERY,
  LIMIT_ONLY_QUERY, NEW_ROUTERS_BODY, REVIEW_QUERY, reversalView, reviewView, ROUTER_LIST_QUERY, routerView, runView, SERIAL_PARAMS,
  TRANSITION_BODY, transitionView, type TransitionBody,
} from "./rentals-views.ts";

export interface RentalsApiDeps {
  store: Store;
  repo: RentalRepository;
  bus: EventBus;
  logger: pino.Logger;
  instanceId: string;
  /** Days after the exchange or the termination's effective date to return a router (default 30). */
  returnDeadlineDays?: number;
  /** Where a contacting router is online (default: the line learnt for its source address). */
  resolveLine?: LineResolver;
  /** The daily flagging timer (default on; tests drive runs themselves). */
  dailyJob?: boolean;
  clock?: () => number;
}

/** CSV imports may be far larger than JSON calls. */
const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;
const EXPORT_LEASE = "job:rentals-export";

const WAREHOUSE: readonly Role[] = ["support", "admin"];
const ADMIN: readonly Role[] = ["admin"];
const ACTION_ROLES: Record<TransitionBody["to"], readonly Role[]> = { shipped: WAREHOUSE, returned: WAREHOUSE, in_stock: WAREHOUSE, waived: ADMIN, paid: ADMIN };

function requireRole(request: FastifyRequest, roles: readonly Role[], what: string): void {
  const { role } = tokenOf(request);
  if (!roles.includes(role)) throw forbidden(`role ${role} may not ${what}`);
}
/** Route hook: the role check runs before body validation (401, then 403, then 400). */
const only = (roles: readonly Role[], what: string) => async (request: FastifyRequest) => requireRole(request, roles, what);

/** Business refusals as API errors. */
function apiError(err: unknown): unknown {
  if (err instanceof RentalRuleError) return badRequest(err.message);
  if (err instanceof IllegalTransitionError || err instanceof RentalBusyError) return conflict(err.message);
  return err;
}
async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw apiError(err);
  }
}

const normaliseMac = (mac: string): string => mac.replace(/[:-]/g, "").toLowerCase().match(/../g)!.join(":");

function actionOf(body: TransitionBody): RouterAction {
  switch (body.to) {
    case "shipped": return { to: "shipped", tracking: body.tracking, lineId: body.lineId, subscriberId: body.subscriberId };
    case "returned": return { to: "returned", condition: body.condition!, note: body.note };
    case "waived": return { to: "waived", reason: body.reason! };
    case "paid": return { to: "paid", reference: body.reference };
    case "in_stock": return { to: "in_stock", note: body.note };
  }
}

const rentalRoutes: FastifyPluginAsync<RentalsApiDeps & { runFlagging: () => Promise<FlaggingRunOutcome> }> = async (app, deps) => {
  const { store, repo } = deps;
  const clock = deps.clock ?? Date.now;
  const deadlineDays = deps.returnDeadlineDays ?? DEFAULT_RETURN_DEADLINE_DAYS;
  await app.register(authPlugin, { store });
  app.addContentTypeParser(["text/csv", "text/plain"], { parseAs: "string", bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
  const actor = (request: FastifyRequest, via = "api"): string => `${via}:${tokenOf(request).name}`;

  app.get<{ Querystring: RouterQuery & { limit: number } }>("/routers", { config: { right: "read" }, schema: { querystring: ROUTER_LIST_QUERY } },
    async (request) => ({ items: (await repo.listRouters(request.query)).map(routerView) }));

  app.post<{ Body: { routers: { serial: string; mac: string; model: string }[] } }>("/routers", {
    config: { right: "read" }, onRequest: only(WAREHOUSE, "add routers to the inventory"), schema: { body: NEW_ROUTERS_BODY },
  }, async (request) => {
    const routers = request.body.routers.map((r) => ({ ...r, mac: normaliseMac(r.mac) }));
    const results = await repo.addRouters(routers, clock(), actor(request));
    await recordAudit(store, request, "rentals.routers.add", null, { created: results.filter((r) => r.created).map((r) => r.serial) });
    return { results };
  });

  app.get<{ Params: { serial: string } }>("/routers/:serial", { config: { right: "read" }, schema: { params: SERIAL_PARAMS } }, async (request) => {
    const { serial } = request.params;
    const router = await repo.getRouter(serial);
    if (!router) throw notFound(`router ${serial} is not in the rented-router inventory`);
    const [history, contacts, charges, reviews] = await Promise.all([
      repo.history(serial), repo.contactsOf([serial], null), repo.listCharges({ serial }), repo.listReviewFlags({ serial, limit: 100 }),
    ]);
    const lastContact = contacts.reduce<(typeof contacts)[number] | null>((m, c) => (!m || c.lastAt > m.lastAt ? c : m), null);
    return {
      router: routerView(router), history: history.map(transitionView),
      // Where a router owed back or charged connected from (the contacts are only kept in those states).
      lastContact: lastContact && contactView(lastContact), contacts: contacts.slice(-100).map(contactView),
      charges: charges.map(chargeView), reviews: reviews.map(reviewView),
    };
  });

  app.post<{ Params: { serial: string }; Body: TransitionBody }>("/routers/:serial/transitions", {
    config: { right: "read" },
    onRequest: only(WAREHOUSE, "record router transitions"),
    // The target decides the roles: checked once the body is parsed, before it is validated.
    preValidation: async (request) => {
      const to: unknown = (request.body as { to?: unknown } | null)?.to;
      if (typeof to === "string" && Object.hasOwn(ACTION_ROLES, to)) requireRole(request, ACTION_ROLES[to as TransitionBody["to"]], `record "${to}" transitions`);
    },
    schema: { params: SERIAL_PARAMS, body: TRANSITION_BODY },
  }, async (request, reply) => {
    const { serial } = request.params;
    if (!(await repo.getRouter(serial))) throw notFound(`router ${serial} is not in the rented-router inventory`);
    const header = request.headers["idempotency-key"];
    const key = `api:${typeof header === "string" && header ? header.slice(0, 128) : randomUUID()}`;
    const result = await translated(() => applyRouterAction(repo, serial, actionOf(request.body), { now: clock(), actor: actor(request), key }));
    await recordAudit(store, request, "rentals.transition", null, { serial, ...request.body, status: result.status });
    return reply.code(result.status === "applied" ? 201 : 200).send({ status: result.status, router: routerView(result.router), transitions: result.transitions.map(transitionView) });
  });

  app.post<{ Body: unknown }>("/contract-events", {
    config: { right: "read" }, onRequest: only(ADMIN, "record contract events"), schema: { body: { type: "object" } },
  }, async (request, reply) => {
    const result = await translated(async () =>
      applyContractEvent(repo, parseContractEvent(request.body), { now: clock(), actor: actor(request), source: "api", deadlineDays }));
    await recordAudit(store, request, "rentals.contract_event", null, { eventId: result.event.eventId, type: result.event.type, status: result.status });
    return reply.code(result.status === "applied" ? 201 : 200).send({ status: result.status, event: eventView(result.event) });
  });

  app.post<{ Querystring: { goodRowsOnly: boolean }; Body: string }>("/contract-events/import", {
    config: { right: "read" }, onRequest: only(ADMIN, "import contract events"), bodyLimit: IMPORT_BODY_LIMIT, schema: { querystring: IMPORT_QUERY },
  }, async (request, reply) => {
    if (typeof request.body !== "string") throw new ApiError(415, "FLX_ERR_UNSUPPORTED_MEDIA_TYPE", "send the contract events as text/csv");
    const report = await importContractEvents(repo, request.body, { now: clock(), actor: actor(request, "csv"), deadlineDays, goodRowsOnly: request.query.goodRowsOnly });
    await recordAudit(store, request, "rentals.contract_events.import", null, { ...report, errors: report.errors.length });
    if (!report.accepted) {
      // As the lines import: 400, every bad row with its line, nothing imported.
      const first = report.errors[0]!;
      const message = `${report.rejectedRows} of ${report.rows} rows are bad; nothing was imported (first: line ${first.line}: ${first.reason})`;
      return reply.code(400).send({ error: "FLX_ERR_VALIDATION", message, ...report });
    }
    return report;
  });

  app.get<{ Querystring: { lineId?: string; limit: number } }>("/contract-events", { config: { right: "read" }, schema: { querystring: EVENT_LIST_QUERY } },
    async (request) => ({ items: (await repo.listContractEvents(request.query)).map(eventView) }));

  app.post("/flagging/run", { config: { right: "read" }, onRequest: only(ADMIN, "run the flagging job") }, async (request) => {
    const outcome = await deps.runFlagging();
    if (!outcome.ran) throw conflict(outcome.reason);
    await recordAudit(store, request, "rentals.flagging.run", null, { runId: outcome.run.id, ...outcome.run.result });
    return { run: runView(outcome.run) };
  });

  app.get<{ Querystring: { limit: number } }>("/flagging/runs", { config: { right: "read" }, schema: { querystring: LIMIT_ONLY_QUERY } },
    async (request) => ({ items: (await repo.listFlaggingRuns({ limit: request.query.limit })).map(runView) }));

  app.get<{ Querystring: { status?: ChargeStatus; serial?: string; after?: string; limit: number } }>("/charges", {
    config: { right: "read" }, schema: { querystring: CHARGE_LIST_QUERY },
  }, async (request) => ({ items: (await repo.listCharges(request.query)).map(chargeView) }));

  app.get<{ Params: { id: string } }>("/charges/:id", { config: { right: "read" }, schema: { params: ID_PARAMS } }, async (request) => {
    const charge = await repo.getCharge(request.params.id);
    if (!charge) throw notFound(`charge ${request.params.id} not found`);
    const [reversals, contacts] = await Promise.all([repo.listReversals({ chargeId: charge.id }), repo.contactsOf([charge.serial], charge.dueDate)]);
    // The evidence frozen at flagging, plus every contact after the due date seen since.
    return { charge: chargeView(charge), reversals: reversals.map(reversalView), contactsAfterDue: contacts.map(contactView) };
  });

  app.get<{ Querystring: { serial?: string; limit: number } }>("/reviews", { config: { right: "read" }, schema: { querystring: REVIEW_QUERY } },
    async (request) => ({ items: (await repo.listReviewFlags(request.query)).map(reviewView) }));

  const sendBatch = (reply: import("fastify").FastifyReply, batch: { id: string; csv: string; json: string }, format: "csv" | "json" | undefined, summary: object) => {
    void reply.header("x-batch-id", batch.id);
    if (format === "csv") return reply.type("text/csv; charset=utf-8").send(batch.csv);
    if (format === "json") return reply.type("application/json; charset=utf-8").send(batch.json);
    return reply.send({ ...summary, csv: batch.csv, json: JSON.parse(batch.json) as unknown });
  };

  app.post<{ Querystring: { format?: "csv" | "json" } }>("/billing/export", {
    config: { right: "read" }, onRequest: only(ADMIN, "export charges to billing"), schema: { querystring: FORMAT_QUERY },
  }, async (request, reply) => {
    const owner = `${deps.instanceId}/${randomUUID()}`;
    if (!(await store.acquireLease(EXPORT_LEASE, owner, 600_000))) throw conflict("a billing export is in progress: try again when it is done");
    try {
      const batch = await translated(() => exportToBilling(repo, { now: clock(), actor: actor(request) }));
      if (!batch) return request.query.format ? reply.code(204).send() : { batchId: null, message: "no new charge or reversal to export" };
      await recordAudit(store, request, "rentals.billing.export", null, { batchId: batch.id, charges: batch.chargeIds.length, reversals: batch.reversalIds.length, totalCents: batch.totalCents });
      return sendBatch(reply.code(201), batch, request.query.format, { batchId: batch.id, ...batchSummaryView(batch) });
    } finally {
      await store.releaseLease(EXPORT_LEASE, owner);
    }
  });

  app.get<{ Querystring: { limit: number } }>("/billing/exports", {
    config: { right: "read" }, onRequest: only(ADMIN, "read billing exports"), schema: { querystring: LIMIT_ONLY_QUERY },
  }, async (request) => ({ items: (await repo.listExportBatches(request.query.limit)).map(batchSummaryView) }));

  app.get<{ Params: { id: string }; Querystring: { format?: "csv" | "json" } }>("/billing/exports/:id", {
    config: { right: "read" }, onRequest: only(ADMIN, "read billing exports"), schema: { params: ID_PARAMS, querystring: FORMAT_QUERY },
  }, async (request, reply) => {
    const batch = await repo.getExportBatch(request.params.id);
    if (!batch) throw notFound(`export batch ${request.params.id} not found`);
    // The stored bytes: a re-export returns exactly what was exported.
    return sendBatch(reply, batch, request.query.format, { batchId: batch.id, ...batchSummaryView(batch) });
  });
};

/**
 * Mounts /api/rentals on the (not yet listening) API listener, starts the
 * daily flagging job and the ACS contact follower; all stop when it closes.
 */
export async function registerRentalsApi(app: FastifyInstance, deps: RentalsApiDeps): Promise<void> {
  const log = deps.logger.child({ component: "rentals" });
  const jobDeps = { store: deps.store, repo: deps.repo, instanceId: deps.instanceId, clock: deps.clock };
  const daily = deps.dailyJob === false ? null : startDailyFlagging({
    ...jobDeps,
    onError: (err) => log.error({ err }, "rentals flagging run failed"),
    onRun: (run) => log.info({ runId: run.id, day: run.day, ...run.result }, "rentals flagging run done"),
  });
  const contacts = followRouterContacts(deps.bus, {
    repo: deps.repo, clock: deps.clock, resolveLine: deps.resolveLine,
    onError: (err) => log.error({ err }, "recording a rented router's ACS contact failed"),
    onReview: (o) => log.warn({ serial: o.serial }, "rented router online on another subscriber's line: flagged for review"),
  });
  app.addHook("onClose", async () => {
    contacts.stop();
    await contacts.idle();
    await daily?.stop();
  });
  await app.register(rentalRoutes, { ...deps, prefix: "/api/rentals", runFlagging: () => (daily ? daily.runNow() : runFlaggingNow(jobDeps)) });
}
