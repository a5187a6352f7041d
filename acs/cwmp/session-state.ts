// The CWMP session as a pure state machine (no I/O): the session engine feeds
// it events (a CPE POST, the result of planning the next ACS RPC, an abort)
// and executes the effects it returns, in order. Effects that persist data
// ("inform", "cpeRequest", "response") come before the "send" that
// acknowledges them, so the CPE never discards something the ACS has not kept.

import type {
  AcsRequest,
  AutonomousTransferComplete,
  CpeResponse,
  CwmpKind,
  CwmpNamespace,
  Envelope,
  Inform,
  TransferComplete,
} from "./messages.ts";
import { makeFault } from "./faults.ts";

/** An ACS request sent to the CPE and not yet answered. */
export interface Outstanding {
  id: string;
  request: AcsRequest;
}

export type SessionState =
  /** No Inform yet. `hold`: the ACS will ask the CPE to hold its requests (HoldRequests). */
  | { kind: "awaitingInform"; hold: boolean }
  /** InformResponse sent; the CPE may send requests until its empty POST. */
  | { kind: "cpeRequests"; ns: CwmpNamespace; hold: boolean }
  /** The engine is choosing the next ACS request (transient, never waits for the CPE). */
  | { kind: "acsDriving"; ns: CwmpNamespace; hold: boolean }
  | { kind: "awaitingResponse"; ns: CwmpNamespace; hold: boolean; outstanding: Outstanding }
  /** After HoldRequests: the ACS is done, the CPE may still send the requests it held. */
  | { kind: "closing"; ns: CwmpNamespace }
  | { kind: "closed"; ok: boolean; reason: string };

export type SessionEvent =
  /** A CPE POST: its envelope, or null for an empty body. */
  | { type: "message"; envelope: Envelope | null }
  /** A well-formed CPE POST the codec could not read: an unknown method, or invalid fields of a known one. */
  | { type: "unreadable"; reason: "unknown_method" | "invalid"; method: string; id?: string; namespace?: CwmpNamespace }
  | { type: "planned"; id: string; request: AcsRequest }
  | { type: "nothingPlanned" }
  /** Idle timeout, preemption by a new session of the device, shutdown. */
  | { type: "abort"; reason: string };

export type SessionEffect =
  | { type: "inform"; inform: Inform; envelope: Envelope }
  | { type: "cpeRequest"; request: TransferComplete | AutonomousTransferComplete }
  /** HTTP 200 carrying this envelope. */
  | { type: "send"; envelope: Envelope }
  /** HTTP 204; `close` adds Connection: close (the session is over). */
  | { type: "sendEmpty"; close: boolean }
  /** HTTP error with a short plain-text reason. */
  | { type: "reject"; status: 400; reason: string }
  /** Ask the RPC sources for the next request, then feed "planned" or "nothingPlanned". */
  | { type: "plan" }
  | { type: "response"; outstanding: Outstanding; response: CpeResponse }
  /** The session ends with this request unanswered: whatever it carried is not confirmed. */
  | { type: "unanswered"; outstanding: Outstanding }
  | { type: "end"; ok: boolean; reason: string };

export interface Transition {
  state: SessionState;
  effects: SessionEffect[];
}

/** Methods this ACS serves, as advertised in GetRPCMethodsResponse. */
export const ACS_METHODS = ["Inform", "GetRPCMethods", "TransferComplete", "AutonomousTransferComplete"];

/** Highest CWMP protocol minor version this ACS speaks (1.4). */
const MAX_MINOR = 4;

export function initialState(hold = false): SessionState {
  return { kind: "awaitingInform", hold };
}

/**
 * CWMP 1.4 version negotiation: the highest version both sides support, or
 * null when the CPE lists only versions above ours. Unparseable lists give
 * undefined (no UseCWMPVersion header, the session proceeds as before 1.4).
 */
export function selectCwmpVersion(supported: string): string | null | undefined {
  const minors: number[] = [];
  for (const v of supported.split(",")) {
    const m = /^\s*1\.(\d+)\s*$/.exec(v);
    if (m) minors.push(Number(m[1]));
  }
  if (minors.length === 0) return undefined;
  const usable = minors.filter((n) => n <= MAX_MINOR);
  return usable.length === 0 ? null : `1.${Math.max(...usable)}`;
}

const CPE_RESPONSE_KINDS: ReadonlySet<CwmpKind> = new Set<CwmpKind>([
  "GetRPCMethodsResponse", "GetParameterValuesResponse", "SetParameterValuesResponse",
  "GetParameterNamesResponse", "GetParameterAttributesResponse", "SetParameterAttributesResponse",
  "AddObjectResponse", "DeleteObjectResponse", "RebootResponse", "FactoryResetResponse",
  "DownloadResponse", "ScheduleInformResponse", "Fault",
]);

const envelope = (ns: CwmpNamespace, id: string | undefined, body: Envelope["body"], hold = false): Envelope => {
  const env: Envelope = { namespace: ns, body };
  if (id !== undefined) env.id = id;
  if (hold) env.holdRequests = true;
  return env;
};

const reject = (reason: string): SessionEffect => ({ type: "reject", status: 400, reason });

const closed = (ok: boolean, reason: string, effects: SessionEffect[]): Transition => ({
  state: { kind: "closed", ok, reason },
  effects: [...effects, { type: "end", ok, reason }],
});

/** Answers a CPE request (TransferComplete, GetRPCMethods, ...) without changing state; null if `env` is not one. */
function answerCpeRequest(state: SessionState, ns: CwmpNamespace, env: Envelope): Transition | null {
  const body = env.body;
  switch (body.kind) {
    case "TransferComplete":
      return { state, effects: [{ type: "cpeRequest", request: body }, { type: "send", envelope: envelope(ns, env.id, { kind: "TransferCompleteResponse" }) }] };
    case "AutonomousTransferComplete":
      return {
        state,
        effects: [{ type: "cpeRequest", request: body }, { type: "send", envelope: envelope(ns, env.id, { kind: "AutonomousTransferCompleteResponse" }) }],
      };
    case "GetRPCMethods":
      return { state, effects: [{ type: "send", envelope: envelope(ns, env.id, { kind: "GetRPCMethodsResponse", methodList: ACS_METHODS }) }] };
    default:
      if (body.kind === "Inform" || CPE_RESPONSE_KINDS.has(body.kind)) return null;
      // An ACS-side method name sent by the CPE (SetParameterValues, InformResponse...): not a method we serve.
      return { state, effects: [{ type: "send", envelope: envelope(ns, env.id, makeFault(8000, `Method not supported: ${body.kind}`)) }] };
  }
}

function onInform(hold: boolean, env: Envelope, inform: Inform): Transition {
  const ns = env.namespace;
  const response = envelope(ns, env.id, { kind: "InformResponse", maxEnvelopes: 1 }, hold);
  if (env.supportedCWMPVersions !== undefined) {
    const version = selectCwmpVersion(env.supportedCWMPVersions);
    if (version === null) {
      return closed(false, "cwmp_version", [{ type: "send", envelope: envelope(ns, env.id, makeFault(8006, "ACS supports CWMP 1.0 to 1.4")) }]);
    }
    if (version !== undefined) response.useCWMPVersion = version;
  }
  return { state: { kind: "cpeRequests", ns, hold }, effects: [{ type: "inform", inform, envelope: env }, { type: "send", envelope: response }] };
}

type Unreadable = Extract<SessionEvent, { type: "unreadable" }>;

const isResponseName = (method: string): boolean => method === "Fault" || method.endsWith("Response");

/** An unreadable request is faulted and the session goes on; an unreadable response ends it. */
function onUnreadable(state: SessionState, ns: CwmpNamespace, ev: Unreadable): Transition {
  if (isResponseName(ev.method)) {
    const effects: SessionEffect[] = state.kind === "awaitingResponse" ? [{ type: "unanswered", outstanding: state.outstanding }] : [];
    const what = ev.reason === "invalid" ? "invalid" : "unexpected";
    return closed(false, `${what}_response`, [...effects, reject(`${what} ${ev.method}`)]);
  }
  const fault = ev.reason === "invalid" ? makeFault(8003, `Invalid arguments in ${ev.method}`) : makeFault(8000, `Method not supported: ${ev.method}`);
  return { state, effects: [{ type: "send", envelope: envelope(ns, ev.id, fault) }] };
}

export function transition(state: SessionState, ev: SessionEvent): Transition {
  switch (state.kind) {
    case "awaitingInform": {
      if (ev.type === "message") {
        const env = ev.envelope;
        if (env === null) return { state, effects: [reject("no session: a session starts with an Inform")] };
        if (env.body.kind === "Inform") return onInform(state.hold, env, env.body);
        if (CPE_RESPONSE_KINDS.has(env.body.kind)) return { state, effects: [reject(`no session for ${env.body.kind}`)] };
        return { state, effects: [{ type: "send", envelope: envelope(env.namespace, env.id, makeFault(8003, "A session starts with an Inform")) }] };
      }
      if (ev.type === "unreadable") {
        if (isResponseName(ev.method)) return { state, effects: [reject(`no session for ${ev.method}`)] };
        const ns = ev.namespace ?? "urn:dslforum-org:cwmp-1-0";
        const message = ev.method === "Inform" ? "Invalid arguments in Inform" : "A session starts with an Inform";
        return { state, effects: [{ type: "send", envelope: envelope(ns, ev.id, makeFault(8003, message)) }] };
      }
      if (ev.type === "abort") return closed(false, ev.reason, []);
      return { state, effects: [] };
    }

    case "cpeRequests":
    case "closing": {
      const ns = state.ns;
      if (ev.type === "abort") return closed(state.kind === "closing", state.kind === "closing" ? "done" : ev.reason, []);
      if (ev.type === "unreadable") return onUnreadable(state, ns, ev);
      if (ev.type !== "message") return { state, effects: [] };
      const env = ev.envelope;
      if (env === null) {
        if (state.kind === "closing") return closed(true, "done", [{ type: "sendEmpty", close: true }]);
        return { state: { kind: "acsDriving", ns, hold: state.hold }, effects: [{ type: "plan" }] };
      }
      // CPE requests are answered even while HoldRequests is in effect: refusing
      // them would only make the CPE retry later with nothing gained.
      const answered = answerCpeRequest(state, ns, env);
      if (answered) return answered;
      if (env.body.kind === "Inform") return closed(false, "inform_in_session", [reject("Inform inside a session")]);
      return closed(false, "unexpected_response", [reject(`unexpected ${env.body.kind}: no request outstanding`)]);
    }

    case "acsDriving": {
      const { ns, hold } = state;
      if (ev.type === "planned") {
        const outstanding = { id: ev.id, request: ev.request };
        return { state: { kind: "awaitingResponse", ns, hold, outstanding }, effects: [{ type: "send", envelope: envelope(ns, ev.id, ev.request, hold) }] };
      }
      if (ev.type === "nothingPlanned") {
        // After HoldRequests the empty response lifts the hold: the CPE may still send what it held.
        if (hold) return { state: { kind: "closing", ns }, effects: [{ type: "sendEmpty", close: false }] };
        return closed(true, "done", [{ type: "sendEmpty", close: true }]);
      }
      if (ev.type === "abort") return closed(false, ev.reason, []);
      return closed(false, "concurrent_request", [reject("request while the ACS is busy with this session")]);
    }

    case "awaitingResponse": {
      const { ns, outstanding } = state;
      if (ev.type === "abort") return closed(false, ev.reason, [{ type: "unanswered", outstanding }]);
      if (ev.type === "unreadable") return onUnreadable(state, ns, ev);
      if (ev.type !== "message") return { state, effects: [] };
      const env = ev.envelope;
      if (env === null) {
        return closed(false, "no_response", [{ type: "unanswered", outstanding }, { type: "sendEmpty", close: true }]);
      }
      const body = env.body;
      if (body.kind === "Fault" || body.kind === `${outstanding.request.kind}Response`) {
        if (env.id !== undefined && env.id !== outstanding.id) {
          return closed(false, "id_mismatch", [{ type: "unanswered", outstanding }, reject(`cwmp:ID ${env.id} does not match ${outstanding.id}`)]);
        }
        return {
          state: { kind: "acsDriving", ns, hold: state.hold },
          effects: [{ type: "response", outstanding, response: body as CpeResponse }, { type: "plan" }],
        };
      }
      const answered = answerCpeRequest(state, ns, env);
      if (answered) return answered;
      return closed(false, "unexpected_response", [
        { type: "unanswered", outstanding },
        reject(`expected ${outstanding.request.kind}Response, got ${body.kind}`),
      ]);
    }

    case "closed":
      return ev.type === "message" || ev.type === "unreadable" ? { state, effects: [reject("session closed")] } : { state, effects: [] };
  }
}
