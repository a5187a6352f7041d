// One CWMP session, CPE side (TR-069 §3.7): Inform -> InformResponse, then the
// CPE's own requests (TransferComplete) unless the ACS holds them, then an
// empty POST, then ACS requests answered one by one until an empty 200/204.
// Protocol logic only: HTTP is behind `Exchange`, device effects behind `SessionPlan`.

import { CwmpParseError, parseEnvelope, serializeEnvelope, type SerializeOptions } from "../../acs/cwmp/codec.ts";
import { makeFault } from "../../acs/cwmp/faults.ts";
import type { AcsRequest, CpeRequest, CpeResponse, CwmpNamespace, Envelope, Inform } from "../../acs/cwmp/messages.ts";
import { RPC_METHODS } from "../rpc/dispatch.ts";
import type { AcsReply } from "./acs-connection.ts";

export interface Exchange {
  post(body: string | null, soapAction?: string): Promise<AcsReply>;
}

export interface SessionPlan {
  inform: Inform;
  namespace: CwmpNamespace;
  serialize?: SerializeOptions;
  /** CPE requests to send after the InformResponse, oldest first. */
  requests: readonly CpeRequest[];
  /** The InformResponse arrived: the Inform's events are delivered. */
  informed(): void | Promise<void>;
  /** The ACS acknowledged one of `requests`. */
  acked(req: CpeRequest): void | Promise<void>;
  /** Answers one ACS request (applies it to the device). */
  handle(req: AcsRequest): Promise<CpeResponse>;
  /** Simulated power cut right after the n-th ACS request arrives. */
  killAfter?: number;
  kill?(): void;
}

export class SessionError extends Error {
  override name = "SessionError";
}

/** 8005 "Retry request": resend the same CPE request, as easycwmp / icwmp do (they cap at 10 / 5). */
const MAX_8005_RETRIES = 5;
/** A runaway ACS cannot keep a CPE in one session forever. */
const MAX_ACS_REQUESTS = 10_000;

const ACS_REQUEST_KINDS: ReadonlySet<string> = new Set(RPC_METHODS);

let idSeq = 0;
const nextId = (): string => `cpe-${(++idSeq).toString(36)}`;

function ok(reply: AcsReply, what: string): void {
  if (reply.status !== 200 && reply.status !== 204) throw new SessionError(`ACS answered ${what} with HTTP ${reply.status}`);
}

function parse(body: string, what: string): Envelope | null {
  try {
    return parseEnvelope(body);
  } catch (err) {
    throw new SessionError(`ACS reply to ${what} is not CWMP: ${(err as Error).message}`);
  }
}

/** Sends a CPE request and returns the ACS's envelope, resending on fault 8005. */
async function call(x: Exchange, plan: SessionPlan, body: CpeRequest, expected: string): Promise<Envelope> {
  const xml = serializeEnvelope({ namespace: plan.namespace, id: nextId(), body }, plan.serialize);
  for (let attempt = 0; ; attempt++) {
    const reply = await x.post(xml, body.kind);
    ok(reply, body.kind);
    const env = parse(reply.body, body.kind);
    if (env?.body.kind === expected) return env;
    if (env?.body.kind === "Fault" && env.body.code === 8005 && attempt < MAX_8005_RETRIES) continue;
    const got = env === null ? "an empty reply" : env.body.kind === "Fault" ? `fault ${env.body.code}` : env.body.kind;
    throw new SessionError(`expected ${expected}, ACS sent ${got}`);
  }
}

export async function runSession(x: Exchange, plan: SessionPlan): Promise<{ rpcs: number }> {
  const informEnv = await call(x, plan, plan.inform, "InformResponse");
  await plan.informed();
  let hold = informEnv.holdRequests === true;

  for (const req of plan.requests) {
    if (hold) break;
    const env = await call(x, plan, req, `${req.kind}Response`);
    await plan.acked(req);
    hold = env.holdRequests === true;
  }

  let outgoing: string | null = null;
  let rpcs = 0;
  for (;;) {
    const reply = await x.post(outgoing);
    ok(reply, outgoing === null ? "the empty POST" : "a response");
    if (reply.status === 204) return { rpcs };
    let env: Envelope | null;
    let id: string | undefined;
    let badRequest = 0;
    try {
      env = parseEnvelope(reply.body);
      if (env === null) return { rpcs };
      id = env.id;
      if (!ACS_REQUEST_KINDS.has(env.body.kind)) throw new SessionError(`ACS sent ${env.body.kind} where a request was expected`);
    } catch (err) {
      if (!(err instanceof CwmpParseError) || (err.reason !== "unknown_method" && err.reason !== "invalid")) {
        throw err instanceof SessionError ? err : new SessionError(`ACS request is not CWMP: ${(err as Error).message}`);
      }
      // A method we do not offer (9000) or a known one with bad arguments (9003): answer, keep going.
      env = null;
      id = err.id;
      badRequest = err.reason === "unknown_method" ? 9000 : 9003;
    }
    rpcs++;
    if (plan.killAfter !== undefined && rpcs >= plan.killAfter) {
      plan.kill?.();
      throw new SessionError(`killed after ${rpcs} ACS request(s)`);
    }
    if (rpcs > MAX_ACS_REQUESTS) throw new SessionError("too many ACS requests in one session");
    const response = env === null ? makeFault(badRequest) : await plan.handle(env.body as AcsRequest);
    outgoing = serializeEnvelope({ namespace: plan.namespace, ...(id !== undefined && { id }), body: response }, plan.serialize);
  }
}
