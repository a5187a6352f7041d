// /api/lines: list, read, create, change (JSON merge patch over the version
// read) and bulk import (CSV or JSON, every bad row reported, nothing
// imported unless ?goodRowsOnly=true). Reads need "read"; writes "line.write"
// (admin). A value the router's model cannot take is refused with the field
// named, when the ACS knows the model (the router contacted it before).
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from "fastify";
import { authPlugin } from "../api/auth.ts";
import { recordAudit } from "../api/audit.ts";
import { conflict, notFound } from "../api/errors.ts";
import type { ConnectionRequester } from "../connreq/requester.ts";
import { lineSettingsFor } from "../provisioning/desired-state.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import { registerProvisioningRoutes } from "../provisioning/provisioning-api.ts";
import { formatFieldErrors, type FieldError } from "../provisioning/settings-entries.ts";
import type { Store } from "../store/store.ts";
import { lineSerials, rentedRouterSerial, type Line, type LineInput } from "./line.ts";
import { checkImport, ImportFormatError, newLine, parseCsvRows, parseJsonRows } from "./line-import.ts";
import { LineConflictError, LineVersionError, type LineRepository } from "./line-repository.ts";
import { insecureWifi, patchLine, validateLine } from "./line-validation.ts";
import { FIELD_ERRORS_SCHEMA, IMPORT_REFUSED_SCHEMA, IMPORT_RESULT_SCHEMA, LINE_SCHEMA, lineView } from "./line-views.ts";
import { PAGE_QUERY, queryOnly } from "../api/list-query.ts";

export interface LinesApiDeps {
  store: Store;
  lines: LineRepository;
  profiles: ProfileRegistry;
  /** Wakes a line's devices after a change so it applies at once (optional: otherwise at their next Inform). */
  requester?: ConnectionRequester;
  /** Largest import body (default 32 MiB: 100,000 CSV rows). */
  importBodyLimitBytes?: number;
}

const ID_PARAMS = { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["id"] } as const;
const text = { type: "string", maxLength: 256 } as const;

/** Problems of `line`'s values for its router's model, when the ACS has met the router (its profile is known). */
export function lineModelChecker(lines: Pick<LineRepository, "listStates">, profiles: ProfileRegistry) {
  return async (line: LineInput): Promise<FieldError[]> => {
    const serial = rentedRouterSerial(line);
    if (serial === null) return [];
    const file = (await lines.listStates({ serial, limit: 10 })).items.find((s) => s.profile !== null)?.profile;
    const profile = file ? profiles.profiles.find((p) => p.file === file) : undefined;
    return profile ? lineSettingsFor(profile, line).problems : [];
  };
}

const refuse = (reply: FastifyReply, errors: FieldError[]) =>
  reply.code(400).send({ error: "FLX_ERR_VALIDATION", message: formatFieldErrors(errors), errors });

const inputOf = ({ version: _v, createdAt: _c, updatedAt: _u, ...input }: Line): LineInput => input;

const linesRoutes: FastifyPluginAsync<LinesApiDeps> = async (app, deps) => {
  const { store, lines, requester } = deps;
  const modelProblems = lineModelChecker(lines, deps.profiles);

  /** Serials of `line` already on another line, as field errors. */
  async function takenSerials(line: LineInput): Promise<FieldError[]> {
    const owners = await lines.serialOwners(lineSerials(line).map((s) => s.serial));
    return lineSerials(line).flatMap(({ serial, role }) => {
      const owner = owners.get(serial);
      return owner && owner.lineId !== line.id ? [{ field: role === "router" ? "router.serial" : "ontSerial", message: `serial ${serial} is already on line ${owner.lineId}` }] : [];
    });
  }

  const withDevices = async (line: Line) => ({
    ...lineView(line),
    warnings: insecureWifi(line.wifi),
    devices: (await lines.listStates({ lineId: line.id, limit: 10 })).items.map((s) => ({ deviceId: s.deviceId, role: s.role ?? "", status: s.status })),
  });

  app.get<{ Querystring: { subscriberId?: string; commune?: string; serial?: string; search?: string; offset: number; limit: number } }>("/lines", {
    config: { right: "read" },
    schema: {
      querystring: queryOnly({
        subscriberId: text, commune: text, serial: text, search: text,
        ...PAGE_QUERY,
      }),
      response: { 200: { type: "object", properties: { total: { type: "integer" }, items: { type: "array", items: LINE_SCHEMA } } } },
    },
  }, async (request) => {
    const { total, items } = await lines.listLines(request.query);
    return { total, items: items.map(lineView) };
  });

  app.get<{ Params: { id: string } }>("/lines/:id", {
    config: { right: "read" },
    schema: { params: ID_PARAMS, response: { 200: LINE_SCHEMA } },
  }, async (request) => {
    const line = await lines.getLine(request.params.id);
    if (!line) throw notFound(`line ${request.params.id} not found`);
    return withDevices(line);
  });

  app.post<{ Body: unknown }>("/lines", {
    config: { right: "line.write" },
    schema: { body: { type: "object" }, response: { 201: LINE_SCHEMA, 400: FIELD_ERRORS_SCHEMA } },
  }, async (request, reply) => {
    const v = validateLine(request.body);
    if (!v.ok) return refuse(reply, v.errors);
    if ((await lines.existingLineIds([v.line.id])).length > 0) throw conflict(`line ${v.line.id} already exists`);
    const taken = await takenSerials(v.line);
    if (taken.length > 0) throw conflict(formatFieldErrors(taken));
    const problems = await modelProblems(v.line);
    if (problems.length > 0) return refuse(reply, problems);
    const line = newLine(v.line, Date.now());
    try {
      await lines.addLines([line]);
    } catch (err) {
      if (err instanceof LineConflictError) throw conflict(err.message);
      throw err;
    }
    await recordAudit(store, request, "line.create", null, { lineId: line.id, router: line.router, ontSerial: line.ontSerial, warnings: v.warnings });
    return reply.code(201).send(await withDevices(line));
  });

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>("/lines/:id", {
    config: { right: "line.write" },
    schema: { params: ID_PARAMS, body: { type: "object", properties: { version: { type: "integer", minimum: 1 } } }, response: { 200: LINE_SCHEMA, 400: FIELD_ERRORS_SCHEMA } },
  }, async (request, reply) => {
    const current = await lines.getLine(request.params.id);
    if (!current) throw notFound(`line ${request.params.id} not found`);
    const { version, ...patch } = request.body;
    if (version !== undefined && version !== current.version) throw conflict(`line ${current.id} is at version ${current.version}, not ${String(version)}: read it again`);
    if ("id" in patch && patch.id !== current.id) return refuse(reply, [{ field: "id", message: "cannot be changed" }]);
    const v = validateLine(patchLine(inputOf(current), patch));
    if (!v.ok) return refuse(reply, v.errors);
    const taken = await takenSerials(v.line);
    if (taken.length > 0) throw conflict(formatFieldErrors(taken));
    const problems = await modelProblems(v.line);
    if (problems.length > 0) return refuse(reply, problems);
    let stored: Line | null;
    try {
      stored = await lines.replaceLine({ ...v.line, version: current.version, createdAt: current.createdAt, updatedAt: Date.now() }, current.version);
    } catch (err) {
      if (err instanceof LineConflictError || err instanceof LineVersionError) throw conflict(err.message);
      throw err;
    }
    if (!stored) throw notFound(`line ${current.id} not found`);
    await recordAudit(store, request, "line.update", null, { lineId: stored.id, version: stored.version, fields: Object.keys(patch), warnings: v.warnings });
    const view = await withDevices(stored);
    if (requester) for (const d of view.devices) void requester.wake(d.deviceId).catch(() => undefined);
    return view;
  });

  // Its own context: the JSON body is kept as text, so bad rows are reported with the line they start on.
  await app.register(async (imp) => {
    imp.removeContentTypeParser("application/json");
    imp.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, body));
    imp.post<{ Querystring: { goodRowsOnly: boolean }; Body: string }>("/lines/import", {
      config: { right: "line.write" },
      bodyLimit: deps.importBodyLimitBytes ?? 32 * 1024 * 1024,
      schema: {
        querystring: queryOnly({ goodRowsOnly: { type: "boolean", default: false } }),
        response: { 200: IMPORT_RESULT_SCHEMA, 400: IMPORT_REFUSED_SCHEMA },
      },
    }, async (request, reply) => {
      const type = request.headers["content-type"] ?? "";
      const csv = /^text\/csv\b/i.test(type);
      if (!csv && !/^application\/json\b/i.test(type)) {
        return reply.code(415).send({ error: "FLX_ERR_UNSUPPORTED_MEDIA_TYPE", message: "send the lines as text/csv or application/json" });
      }
      let rows;
      try {
        rows = csv ? parseCsvRows(request.body) : parseJsonRows(request.body);
      } catch (err) {
        if (!(err instanceof ImportFormatError)) throw err;
        return reply.code(400).send({ error: "FLX_ERR_VALIDATION", message: `${err.message}; nothing was imported`, rejectedRows: 0, errors: [] });
      }
      const check = await checkImport(rows, lines, modelProblems);
      if (check.badRows > 0 && !request.query.goodRowsOnly) {
        const first = check.errors[0]!;
        const message = `${check.badRows} of ${rows.length} rows are bad; nothing was imported (first: line ${first.line}, ${first.field}: ${first.message})`;
        return reply.code(400).send({ error: "FLX_ERR_VALIDATION", message, rejectedRows: check.badRows, errors: check.errors });
      }
      const now = Date.now();
      try {
        await lines.addLines(check.good.map((g) => newLine(g.line, now)));
      } catch (err) {
        if (err instanceof LineConflictError) throw conflict(`${err.message} (changed during the import); nothing was imported`);
        throw err;
      }
      await recordAudit(store, request, "line.import", null, { format: csv ? "csv" : "json", imported: check.good.length, rejectedRows: check.badRows });
      return { imported: check.good.length, rejectedRows: check.badRows, errors: check.errors };
    });
  });
};

/**
 * Mounts /api/lines, /api/devices/:id/provisioning, /api/quarantine and
 * /api/provisioning/summary on the (not yet listening) API listener, in a
 * context of their own behind the API's token authentication.
 */
export async function registerLinesApi(api: FastifyInstance, deps: LinesApiDeps): Promise<void> {
  await api.register(async (scope) => {
    await scope.register(authPlugin, { store: deps.store });
    scope.addContentTypeParser("text/csv", { parseAs: "string" }, (_req, body, done) => done(null, body));
    scope.addContentTypeParser("application/merge-patch+json", { parseAs: "string" }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(Object.assign(err as Error, { statusCode: 400 }), undefined);
      }
    });
    await scope.register(linesRoutes, deps);
    await scope.register(registerProvisioningRoutes, { store: deps.store, lines: deps.lines, profiles: deps.profiles });
  }, { prefix: "/api" });
}
