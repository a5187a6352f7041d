import { describe, expect, it } from "vitest";
import type { AcsRequest, CwmpNamespace, Envelope, Inform } from "../../acs/cwmp/messages.ts";
import { selectCwmpVersion, transition, type SessionEvent, type SessionState } from "../../acs/cwmp/session-state.ts";

const NS: CwmpNamespace = "urn:dslforum-org:cwmp-1-2";

const inform: Inform = {
  kind: "Inform",
  deviceId: { manufacturer: "ExampleCo", oui: "00D09E", productClass: "HGW", serialNumber: "S1" },
  events: [{ eventCode: "2 PERIODIC", commandKey: "" }],
  maxEnvelopes: 1,
  currentTime: "2025-05-01T10:15:30Z",
  retryCount: 0,
  parameterList: [],
};
const gpv: AcsRequest = { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] };
const outstanding = { id: "acs.1", request: gpv };

const msg = (body: Envelope["body"] | null, headers: Partial<Envelope> = {}): SessionEvent => ({
  type: "message",
  envelope: body === null ? null : { namespace: NS, id: "cpe-1", ...headers, body },
});

const tc: Envelope["body"] = {
  kind: "TransferComplete", commandKey: "k", fault: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "",
};
const gpvResponse: Envelope["body"] = { kind: "GetParameterValuesResponse", parameterList: [] };

const S = {
  awaiting: { kind: "awaitingInform", hold: false },
  awaitingHold: { kind: "awaitingInform", hold: true },
  cpe: { kind: "cpeRequests", ns: NS, hold: false },
  cpeHold: { kind: "cpeRequests", ns: NS, hold: true },
  driving: { kind: "acsDriving", ns: NS, hold: false },
  drivingHold: { kind: "acsDriving", ns: NS, hold: true },
  waiting: { kind: "awaitingResponse", ns: NS, hold: false, outstanding },
  closing: { kind: "closing", ns: NS },
  closed: { kind: "closed", ok: true, reason: "done" },
} satisfies Record<string, SessionState>;

interface Row {
  name: string;
  from: SessionState;
  event: SessionEvent;
  /** Expected state (partial match). */
  to: Partial<SessionState> & { kind: SessionState["kind"] };
  /** Expected effects, in order (each a partial match). */
  effects: object[];
}

const fault = (code: number) => ({ type: "send", envelope: { body: { kind: "Fault", code } } });

const rows: Row[] = [
  // ---- session start -------------------------------------------------------
  {
    name: "Inform -> record it, then InformResponse (MaxEnvelopes=1, same namespace, cwmp:ID echoed)",
    from: S.awaiting, event: msg(inform), to: S.cpe,
    effects: [
      { type: "inform", inform },
      { type: "send", envelope: { namespace: NS, id: "cpe-1", body: { kind: "InformResponse", maxEnvelopes: 1 } } },
    ],
  },
  {
    name: "Inform in the cwmp-1-0 namespace is answered in cwmp-1-0",
    from: S.awaiting, event: { type: "message", envelope: { namespace: "urn:dslforum-org:cwmp-1-0", id: "x", body: inform } }, to: { kind: "cpeRequests", ns: "urn:dslforum-org:cwmp-1-0" },
    effects: [{ type: "inform" }, { type: "send", envelope: { namespace: "urn:dslforum-org:cwmp-1-0", id: "x" } }],
  },
  {
    name: "CWMP 1.4: SupportedCWMPVersions -> UseCWMPVersion (highest common)",
    from: S.awaiting, event: msg(inform, { supportedCWMPVersions: "1.0,1.1,1.2,1.3,1.4" }), to: S.cpe,
    effects: [{ type: "inform" }, { type: "send", envelope: { useCWMPVersion: "1.4", body: { kind: "InformResponse" } } }],
  },
  {
    name: "CWMP 1.4: a CPE listing only newer versions gets fault 8006",
    from: S.awaiting, event: msg(inform, { supportedCWMPVersions: "1.5, 1.6" }), to: { kind: "closed", ok: false },
    effects: [fault(8006), { type: "end", ok: false }],
  },
  {
    name: "ACS holding requests: InformResponse carries HoldRequests=true",
    from: S.awaitingHold, event: msg(inform), to: S.cpeHold,
    effects: [{ type: "inform" }, { type: "send", envelope: { holdRequests: true, body: { kind: "InformResponse" } } }],
  },
  {
    name: "first message is a CPE request, not an Inform -> fault 8003",
    from: S.awaiting, event: msg(tc), to: S.awaiting, effects: [fault(8003)],
  },
  {
    name: "first message is an empty POST -> 400",
    from: S.awaiting, event: msg(null), to: S.awaiting, effects: [{ type: "reject", status: 400 }],
  },
  {
    name: "first message is a response -> 400",
    from: S.awaiting, event: msg(gpvResponse), to: S.awaiting, effects: [{ type: "reject", status: 400 }],
  },
  {
    name: "first message with an unknown method -> fault 8003, cwmp:ID echoed",
    from: S.awaiting, event: { type: "unreadable", reason: "unknown_method", method: "Kicked", id: "k1", namespace: NS }, to: S.awaiting,
    effects: [{ type: "send", envelope: { id: "k1", body: { kind: "Fault", code: 8003 } } }],
  },

  // ---- CPE requests --------------------------------------------------------
  {
    name: "TransferComplete -> persist it, then TransferCompleteResponse",
    from: S.cpe, event: msg(tc), to: S.cpe,
    effects: [{ type: "cpeRequest", request: tc }, { type: "send", envelope: { id: "cpe-1", body: { kind: "TransferCompleteResponse" } } }],
  },
  {
    name: "AutonomousTransferComplete -> AutonomousTransferCompleteResponse",
    from: S.cpe,
    event: msg({ kind: "AutonomousTransferComplete", announceURL: "", transferURL: "", isDownload: true, fileType: "1 Firmware Upgrade Image", fileSize: 1, targetFileName: "", fault: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" }),
    to: S.cpe, effects: [{ type: "cpeRequest" }, { type: "send", envelope: { body: { kind: "AutonomousTransferCompleteResponse" } } }],
  },
  {
    name: "GetRPCMethods -> the ACS's method list",
    from: S.cpe, event: msg({ kind: "GetRPCMethods" }), to: S.cpe,
    effects: [{ type: "send", envelope: { body: { kind: "GetRPCMethodsResponse", methodList: ["Inform", "GetRPCMethods", "TransferComplete", "AutonomousTransferComplete"] } } }],
  },
  {
    name: "unknown CPE method -> fault 8000, session goes on",
    from: S.cpe, event: { type: "unreadable", reason: "unknown_method", method: "Kicked", id: "k2" }, to: S.cpe,
    effects: [{ type: "send", envelope: { id: "k2", namespace: NS, body: { kind: "Fault", code: 8000 } } }],
  },
  {
    name: "ACS-side method sent by the CPE -> fault 8000",
    from: S.cpe, event: msg({ kind: "SetParameterValues", parameterList: [], parameterKey: "" }), to: S.cpe, effects: [fault(8000)],
  },
  {
    name: "known CPE request with invalid arguments -> fault 8003, session goes on",
    from: S.cpe, event: { type: "unreadable", reason: "invalid", method: "TransferComplete", id: "t" }, to: S.cpe, effects: [fault(8003)],
  },
  {
    name: "a response when nothing is outstanding -> 400, session ends",
    from: S.cpe, event: msg(gpvResponse), to: { kind: "closed", ok: false }, effects: [{ type: "reject", status: 400 }, { type: "end", ok: false }],
  },
  {
    name: "empty POST -> plan the next ACS request",
    from: S.cpe, event: msg(null), to: S.driving, effects: [{ type: "plan" }],
  },
  {
    name: "CPE request while HoldRequests is in effect is still answered",
    from: S.cpeHold, event: msg({ kind: "GetRPCMethods" }), to: S.cpeHold, effects: [{ type: "send", envelope: { body: { kind: "GetRPCMethodsResponse" } } }],
  },

  // ---- ACS driving ----------------------------------------------------------
  {
    name: "a planned request is sent with its cwmp:ID",
    from: S.driving, event: { type: "planned", id: "acs.1", request: gpv }, to: S.waiting,
    effects: [{ type: "send", envelope: { namespace: NS, id: "acs.1", body: gpv } }],
  },
  {
    name: "with HoldRequests, every ACS request carries HoldRequests=true",
    from: S.drivingHold, event: { type: "planned", id: "acs.1", request: gpv }, to: { kind: "awaitingResponse", hold: true },
    effects: [{ type: "send", envelope: { holdRequests: true, body: gpv } }],
  },
  {
    name: "nothing to send -> 204 with Connection: close, session done",
    from: S.driving, event: { type: "nothingPlanned" }, to: { kind: "closed", ok: true },
    effects: [{ type: "sendEmpty", close: true }, { type: "end", ok: true }],
  },
  {
    name: "nothing to send after HoldRequests -> empty response lifts the hold, CPE may still send",
    from: S.drivingHold, event: { type: "nothingPlanned" }, to: S.closing, effects: [{ type: "sendEmpty", close: false }],
  },

  // ---- CPE responses ---------------------------------------------------------
  {
    name: "matching response (same cwmp:ID) -> hand it over, plan the next",
    from: S.waiting, event: msg(gpvResponse, { id: "acs.1" }), to: S.driving,
    effects: [{ type: "response", outstanding, response: gpvResponse }, { type: "plan" }],
  },
  {
    name: "matching response without cwmp:ID is accepted",
    from: S.waiting, event: { type: "message", envelope: { namespace: NS, body: gpvResponse } }, to: S.driving,
    effects: [{ type: "response" }, { type: "plan" }],
  },
  {
    name: "CPE fault to the outstanding request -> hand it over, plan the next",
    from: S.waiting,
    event: msg({ kind: "Fault", faultCode: "Client", faultString: "CWMP fault", code: 9005, message: "Invalid parameter name", setParameterValuesFaults: [] }, { id: "acs.1" }),
    to: S.driving, effects: [{ type: "response", response: { kind: "Fault", code: 9005 } }, { type: "plan" }],
  },
  {
    name: "response with another cwmp:ID -> request unconfirmed, 400, session ends",
    from: S.waiting, event: msg(gpvResponse, { id: "acs.7" }), to: { kind: "closed", ok: false, reason: "id_mismatch" },
    effects: [{ type: "unanswered", outstanding }, { type: "reject", status: 400 }, { type: "end", ok: false }],
  },
  {
    name: "response of another method -> request unconfirmed, 400, session ends",
    from: S.waiting, event: msg({ kind: "RebootResponse" }, { id: "acs.1" }), to: { kind: "closed", ok: false },
    effects: [{ type: "unanswered" }, { type: "reject", status: 400 }, { type: "end", ok: false }],
  },
  {
    name: "unreadable response -> request unconfirmed, 400, session ends",
    from: S.waiting, event: { type: "unreadable", reason: "invalid", method: "GetParameterValuesResponse" }, to: { kind: "closed", ok: false },
    effects: [{ type: "unanswered" }, { type: "reject", status: 400 }, { type: "end", ok: false }],
  },
  {
    name: "empty POST instead of the response -> request unconfirmed, session ends",
    from: S.waiting, event: msg(null), to: { kind: "closed", ok: false, reason: "no_response" },
    effects: [{ type: "unanswered", outstanding }, { type: "sendEmpty", close: true }, { type: "end", ok: false }],
  },
  {
    name: "a CPE request while a response is outstanding is answered; still waiting",
    from: S.waiting, event: msg(tc), to: S.waiting, effects: [{ type: "cpeRequest" }, { type: "send", envelope: { body: { kind: "TransferCompleteResponse" } } }],
  },

  // ---- end of session ------------------------------------------------------------
  {
    name: "closing: the CPE sends what it held",
    from: S.closing, event: msg(tc), to: S.closing, effects: [{ type: "cpeRequest" }, { type: "send" }],
  },
  {
    name: "closing: empty POST -> 204 close, session done",
    from: S.closing, event: msg(null), to: { kind: "closed", ok: true }, effects: [{ type: "sendEmpty", close: true }, { type: "end", ok: true }],
  },
  {
    name: "abort while waiting for a response (CPE died, timeout) -> request unconfirmed",
    from: S.waiting, event: { type: "abort", reason: "timeout" }, to: { kind: "closed", ok: false, reason: "timeout" },
    effects: [{ type: "unanswered", outstanding }, { type: "end", ok: false, reason: "timeout" }],
  },
  {
    name: "abort in cpeRequests -> failed session",
    from: S.cpe, event: { type: "abort", reason: "preempted" }, to: { kind: "closed", ok: false }, effects: [{ type: "end", ok: false, reason: "preempted" }],
  },
  {
    name: "idle after the hold was lifted -> the session was complete",
    from: S.closing, event: { type: "abort", reason: "timeout" }, to: { kind: "closed", ok: true }, effects: [{ type: "end", ok: true }],
  },
  {
    name: "a message after the end -> 400",
    from: S.closed, event: msg(null), to: S.closed, effects: [{ type: "reject", status: 400 }],
  },
];

describe("session transition", () => {
  it.each(rows)("$name", ({ from, event, to, effects }) => {
    const t = transition(from, event);
    expect(t.state).toMatchObject(to);
    expect(t.effects).toHaveLength(effects.length);
    effects.forEach((e, i) => expect(t.effects[i]).toMatchObject(e));
  });

  it("never mutates the state it is given", () => {
    const from = structuredClone(S.waiting);
    transition(from, msg(gpvResponse, { id: "acs.1" }));
    expect(from).toEqual(S.waiting);
  });
});

describe("selectCwmpVersion", () => {
  it.each([
    ["1.0,1.1,1.2,1.3,1.4", "1.4"],
    ["1.0, 1.1, 1.2", "1.2"],
    ["1.4,1.5", "1.4"],
    ["1.5", null],
    ["", undefined],
    ["garbage", undefined],
  ])("%j -> %j", (supported, expected) => {
    expect(selectCwmpVersion(supported)).toBe(expected);
  });
});
