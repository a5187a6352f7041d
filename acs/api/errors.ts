// API errors: one class with a stable code and an HTTP status, the factories
// the routes use, and the error handler that turns anything thrown into
// `{ error: <code>, message }`. Validation messages name the field the way a
// client wrote it: "parameterValues[0][0] must be a parameter path".

import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from "fastify";
import { phraseForPattern } from "./field-patterns.ts";

export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, "FLX_ERR_VALIDATION", message);
export const unauthorized = (message: string): ApiError => new ApiError(401, "FLX_ERR_UNAUTHORIZED", message);
export const forbidden = (message: string): ApiError => new ApiError(403, "FLX_ERR_FORBIDDEN", message);
export const notFound = (message: string): ApiError => new ApiError(404, "FLX_ERR_NOT_FOUND", message);
export const conflict = (message: string): ApiError => new ApiError(409, "FLX_ERR_CONFLICT", message);

export const ERROR_RESPONSE_SCHEMA = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
  required: ["error", "message"],
} as const;

/** "/parameterValues/0/0" → "parameterValues[0][0]". */
function fieldName(instancePath: string, child?: string): string {
  const segments = instancePath.split("/").slice(1);
  if (child !== undefined) segments.push(child);
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
}

function describe(e: FastifySchemaValidationError, dataVar: string): string {
  const field = fieldName(e.instancePath);
  const p = e.params;
  const subject = field || dataVar;
  switch (e.keyword) {
    case "required":
      return `${fieldName(e.instancePath, String(p.missingProperty))} is required`;
    case "additionalProperties":
      return dataVar === "querystring" ? `unknown query parameter "${String(p.additionalProperty)}"` : `${fieldName(e.instancePath, String(p.additionalProperty))} is not a known field`;
    case "pattern":
      return `${subject} ${phraseForPattern(String(p.pattern)) ?? `must match ${String(p.pattern)}`}`;
    case "type":
      return `${subject} must be ${/^[aeiou]/.test(String(p.type)) ? "an" : "a"} ${String(p.type)}`;
    case "enum":
      return `${subject} must be one of: ${(p.allowedValues as unknown[]).join(", ")}`;
    case "minItems":
      return `${subject} must have at least ${String(p.limit)} item(s)`;
    case "maxItems":
      return `${subject} must have at most ${String(p.limit)} item(s)`;
    case "minLength":
      return `${subject} must not be empty`;
    default:
      return `${subject} ${e.message ?? "is invalid"}`;
  }
}

/** Fastify schemaErrorFormatter: the first meaningful ajv error, phrased for a client. */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  // An if/then failure is reported twice: the inner error first, then "must match then schema".
  const e = errors.find((x) => x.keyword !== "if") ?? errors[0];
  return new Error(e ? describe(e, dataVar) : `invalid ${dataVar}`);
}

export function apiErrorHandler(bodyLimitBytes: number) {
  return (err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    if (err.validation) return reply.code(400).send({ error: "FLX_ERR_VALIDATION", message: err.message });
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send({ error: "FLX_ERR_BODY_TOO_LARGE", message: `request body exceeds ${bodyLimitBytes} bytes` });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: err.code ?? "FLX_ERR_BAD_REQUEST", message: err.message });
    request.log.error({ err }, "API request failed");
    return reply.code(500).send({ error: "FLX_ERR_INTERNAL", message: "internal error (see the ACS log)" });
  };
}
