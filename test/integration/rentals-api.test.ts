// /api/rentals over real HTTP: the API listener as app.ts builds it (real
// SQLite store, token auth, error handler) with registerRentalsApi mounted,
// on 127.0.0.1, ephemeral port. The clock is fixed so flagging runs on a
// known Paris date; the daily timer is off (runs are requested explicitly).

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { registerRentalsApi } from "../../acs/api/rentals.ts";
import { buildApiServer } from "../../acs/api/server.ts";
import { createApiToken } from "../../acs/api/tokens.ts";
import { createConnectionRequester } from "../../acs/connreq/requester.ts";
import { EventBus } from "../../acs/events.ts";
import { createSqliteRentalRepository } from "../../acs/store/sqlite/rentals.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";

let dir: string;
let store: Store;
let rentalsDb: Database.Database;
let api: FastifyInstance;
let base: string;
let now = Date.parse("2026-03-03T08:00:00Z");
const tokens = { admin: "", support: "", noc: "" };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flexacs-rentals-api-"));
  store = await openSqliteStore(join(dir, "acs.db"));
  rentalsDb = new Database(join(dir, "rentals.db"));
  rentalsDb.pragma("journal_mode = WAL");
  const logger = pino({ level: "silent" });
  const bus = new EventBus();
  api = await buildApiServer({
    store, bus, logger, requester: createConnectionRequester({ store, logger, timeoutMs: 1000 }),
    options: { bodyLimitBytes: 64 * 1024, onlineWindowMs: 600_000 },
  });
  await registerRentalsApi(api, { store, repo: createSqliteRentalRepository(rentalsDb), bus, logger, instanceId: "acs-test", dailyJob: false, clock: () => now });
  await api.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  for (const role of ["admin", "support", "noc"] as const) tokens[role] = (await createApiToken(store, `${role}-desk`, role)).token;
});

afterAll(async () => {
  await api?.close();
  rentalsDb?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string | null, body?: unknown, contentType = "application/json") {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = contentType;
  const res = await fetch(`${base}/api/rentals${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  const json = res.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : null;
  return { status: res.status, headers: res.headers, text, json };
}

describe("rented routers API", () => {
  test("authentication and roles: 401 without a token, 403 before validation, reads for every role", async () => {
    expect((await call("GET", "/routers", null)).status).toBe(401);
    expect((await call("GET", "/routers", tokens.noc)).json).toEqual({ items: [] });
    const denied = await call("POST", "/routers", tokens.noc, { nonsense: true });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({ error: "FLX_ERR_FORBIDDEN", message: "role noc may not add routers to the inventory" });
    expect((await call("POST", "/contract-events", tokens.support, {})).json.message).toBe("role support may not record contract events");
    expect((await call("POST", "/billing/export", tokens.support)).status).toBe(403);
    expect((await call("POST", "/flagging/run", tokens.noc)).status).toBe(403);
    expect((await call("GET", "/billing/exports", tokens.noc)).status).toBe(403);
  });

  test("the lifecycle end to end: stock, ship, activate, terminate (CSV), flag, export, return, reversal", async () => {
    const added = await call("POST", "/routers", tokens.support, { routers: [
      { serial: "SN1", mac: "02-00-00-00-00-01", model: "FlexBox 6" }, { serial: "SN2", mac: "020000000002", model: "FlexBox 6" },
    ] });
    expect(added.json.results).toEqual([{ serial: "SN1", created: true, reason: null }, { serial: "SN2", created: true, reason: null }]);
    expect((await call("POST", "/routers", tokens.admin, { routers: [{ serial: "SN3", mac: "zz", model: "X" }] })).status).toBe(400);

    const ship = await call("POST", "/routers/SN1/transitions", tokens.support, { to: "shipped", tracking: "TRK1" });
    expect(ship.status).toBe(201);
    expect(ship.json.transitions).toMatchObject([{ from: "in_stock", to: "shipped", actor: "api:support-desk", detail: { deliveryFeeCents: 1200, tracking: "TRK1" } }]);
    await call("POST", "/routers/SN2/transitions", tokens.support, { to: "shipped" });

    const act = await call("POST", "/contract-events", tokens.admin, { eventId: "ACT-1", type: "activation", lineId: "L1", subscriberId: "S1", date: "2026-01-10", serial: "SN1" });
    expect(act.status).toBe(201);
    expect((await call("POST", "/contract-events", tokens.admin, { eventId: "ACT-1", type: "activation", lineId: "L1", subscriberId: "S1", date: "2026-01-10", serial: "SN1" })).json.status).toBe("duplicate");
    const bad = await call("POST", "/contract-events", tokens.admin, { type: "activation", lineId: "L1", date: "2026-02-30", colour: "red" });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("subscriberId is required; date must be a calendar date YYYY-MM-DD (Paris); unknown field(s): colour");

    const csv = "type,line_id,subscriber_id,date,serial\ntermination_request,L1,S1,2026-03-02,\nactivation,L2,S2,2026-01-10,NOPE\n";
    const rejected = await call("POST", "/contract-events/import", tokens.admin, csv, "text/csv");
    expect(rejected.status).toBe(400);
    expect(rejected.json).toMatchObject({
      error: "FLX_ERR_VALIDATION", accepted: false, imported: 0, rejectedRows: 1,
      errors: [{ line: 3, reason: expect.stringContaining("router NOPE is not in the rented-router inventory") }],
    });
    expect(rejected.json.message).toMatch(/^1 of 2 rows are bad; nothing was imported \(first: line 3: router NOPE/);
    expect((await call("GET", "/routers/SN1", tokens.noc)).json.router.state).toBe("active");
    const partial = await call("POST", "/contract-events/import?goodRowsOnly=true", tokens.admin, csv, "text/csv");
    expect(partial.status).toBe(200);
    expect(partial.json).toMatchObject({ accepted: true, imported: 1, rejectedRows: 1, errors: [{ line: 3 }] });
    expect((await call("POST", "/contract-events/import", tokens.admin, { not: "csv" })).status).toBe(415);

    const detail = await call("GET", "/routers/SN1", tokens.noc);
    expect(detail.json.router).toMatchObject({ state: "due_back", dueDate: "2026-04-11", dueReason: "contract_end", lineId: "L1", subscriberId: "S1" });
    expect(detail.json.history.map((h: { to: string }) => h.to)).toEqual(["in_stock", "shipped", "active", "due_back"]);
    expect(detail.json.history[3].at).toBe("2026-03-03T08:00:00.000Z");

    now = Date.parse("2026-04-11T20:00:00Z"); // 22:00 on the due date in Paris: not overdue yet
    expect((await call("POST", "/flagging/run", tokens.admin)).json.run.result).toMatchObject({ flagged: 0 });
    now = Date.parse("2026-04-11T22:30:00Z"); // 00:30 on 12 April in Paris
    const run = await call("POST", "/flagging/run", tokens.admin);
    expect(run.json.run).toMatchObject({ day: "2026-04-12", instance: "acs-test", result: { flagged: 1 } });
    expect((await call("GET", "/flagging/runs", tokens.noc)).json.items).toHaveLength(2);

    const charges = await call("GET", "/charges?status=flagged", tokens.support);
    expect(charges.json.items).toMatchObject([{ serial: "SN1", amountCents: 18000, currency: "EUR", dueDate: "2026-04-11", lineId: "L1", subscriberId: "S1", status: "flagged" }]);
    const chargeId: string = charges.json.items[0].id;

    const exported = await call("POST", "/billing/export", tokens.admin);
    expect(exported.status).toBe(201);
    const batchId: string = exported.json.batchId;
    expect(exported.json).toMatchObject({ chargeIds: [chargeId], reversalIds: [], totalCents: 18000, json: { batchId, charges: [{ id: chargeId }] } });
    const again = await call("GET", `/billing/exports/${batchId}?format=csv`, tokens.admin);
    expect(again.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(again.text).toBe(exported.json.csv);
    expect((await call("GET", `/billing/exports/${batchId}?format=json`, tokens.admin)).json).toEqual(exported.json.json);
    expect((await call("POST", "/billing/export", tokens.admin)).json).toEqual({ batchId: null, message: "no new charge or reversal to export" });

    const illegal = await call("POST", "/routers/SN1/transitions", tokens.admin, { to: "shipped" });
    expect(illegal.status).toBe(409);
    expect(illegal.json.message).toBe('router SN1: cannot go from "exported" to "shipped" (allowed: paid, waived, reversed)');
    expect((await call("POST", "/routers/SN1/transitions", tokens.support, { to: "waived", reason: "goodwill" })).status).toBe(403);
    expect((await call("POST", "/routers/SN1/transitions", tokens.support, { to: "returned" })).json.message).toBe("condition is required");
    expect((await call("POST", "/routers/NOPE/transitions", tokens.support, { to: "returned", condition: "good" })).status).toBe(404);

    now = Date.parse("2026-04-20T09:00:00Z");
    const ret = await call("POST", "/routers/SN1/transitions", tokens.support, { to: "returned", condition: "good" });
    expect(ret.json.router.state).toBe("reversed");
    const charge = await call("GET", `/charges/${chargeId}`, tokens.noc);
    expect(charge.json.charge.status).toBe("reversed");
    expect(charge.json.reversals).toMatchObject([{ chargeId, amountCents: -18000, reason: "returned" }]);
    const second = await call("POST", "/billing/export?format=csv", tokens.admin);
    expect(second.status).toBe(201);
    expect(second.text.split("\n")[1]).toMatch(/^reversal,rev_[0-9a-f]+,chg_[0-9a-f]+,SN1,L1,S1,returned,2026-04-11,-18000,EUR,/);
    expect((await call("GET", "/billing/exports", tokens.admin)).json.items.map((b: { id: string }) => b.id)).toEqual([second.headers.get("x-batch-id"), batchId]);
    expect((await call("GET", "/contract-events?lineId=L1", tokens.noc)).json.items.map((e: { type: string }) => e.type)).toEqual(["termination_request", "activation"]);
    expect((await store.listAudit({ action: "rentals.billing.export" })).length).toBe(2);
  });
});
