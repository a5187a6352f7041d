import { describe, expect, it } from "vitest";
import type { CpeResponse } from "../../acs/cwmp/messages.ts";
import type { Task, TaskName } from "../../acs/store/store.ts";
import { afterFailure, backoffMs, DEFAULT_RETRY_POLICY, isPermanentFault } from "../../acs/tasks/retry-policy.ts";
import { checkTaskArgs, type TypedTask } from "../../acs/tasks/task-args.ts";
import { firstStep, onStepResponse, untypedNames, vanishedNodes } from "../../acs/tasks/task-plan.ts";

const task = (name: TaskName, args: Record<string, unknown>, result: unknown = null): Task => ({
  id: "t1", deviceId: "d", name, args, status: "pending", createdAt: 0, createdBy: "test", attempts: 0, notBefore: 0, doneAt: null, fault: null, result,
});

function typed(name: TaskName, args: Record<string, unknown>, result: unknown = null): TypedTask {
  const c = checkTaskArgs(task(name, args, result));
  if (!c.ok) throw new Error(c.message);
  return c.typed;
}

const NONE = new Map();
const fault = (code: number, spv: { parameterName: string; faultCode: number }[] = []): CpeResponse => ({
  kind: "Fault", faultCode: "Client", faultString: "CWMP fault", code, message: "m",
  setParameterValuesFaults: spv.map((f) => ({ ...f, faultString: "" })),
});

describe("task arguments", () => {
  it.each([
    ["setParameterValues", { parameterValues: [] }, /parameterValues/],
    ["setParameterValues", { parameterValues: [["Device.X", "v", "xsd:float"]] }, /parameterValues/],
    ["addObject", { objectName: "Device.WiFi.SSID" }, /must end with '\.'/],
    ["download", { url: "http://x/fw.bin" }, /fileType/],
    ["getParameterValues", {}, /parameterNames/],
  ] as const)("%s %j is refused", (name, args, message) => {
    const c = checkTaskArgs(task(name, args));
    expect(c.ok).toBe(false);
    expect((c as { message: string }).message).toMatch(message);
  });
});

describe("first RPC of a task", () => {
  it("setParameterValues: stored type when the task gives none, else inferred from the JSON value; ParameterKey = task key", () => {
    const t = typed("setParameterValues", { parameterValues: [["Device.A", "5"], ["Device.B", true], ["Device.C", -3], ["Device.D", "x", "xsd:base64"]] });
    expect(untypedNames(t)).toEqual(["Device.A", "Device.B", "Device.C"]);
    const step = firstStep(t, "key-1", new Map([["Device.A", "xsd:unsignedInt"]]));
    expect(step.rpc).toEqual({
      kind: "SetParameterValues",
      parameterKey: "key-1",
      parameterList: [
        { name: "Device.A", value: "5", type: "xsd:unsignedInt" },
        { name: "Device.B", value: "true", type: "xsd:boolean" },
        { name: "Device.C", value: "-3", type: "xsd:int" },
        { name: "Device.D", value: "x", type: "xsd:base64" },
      ],
    });
  });

  it("addObject resumes at SetParameterValues when an earlier session already created the instance", () => {
    const fresh = firstStep(typed("addObject", { objectName: "Device.WiFi.SSID.", parameterValues: [["SSID", "g"]] }), "k", NONE);
    expect(fresh.rpc.kind).toBe("AddObject");
    const resumed = firstStep(typed("addObject", { objectName: "Device.WiFi.SSID.", parameterValues: [["SSID", "g"]] }, { instanceNumber: 4 }), "k", NONE);
    expect(resumed).toMatchObject({ step: { stage: "addObjectValues", instance: 4 }, rpc: { kind: "SetParameterValues", parameterList: [{ name: "Device.WiFi.SSID.4.SSID" }] } });
  });

  it("download fills the optional fields with CWMP's empty values", () => {
    expect(firstStep(typed("download", { fileType: "1 Firmware Upgrade Image", url: "http://h/f" }), "k", NONE).rpc).toEqual({
      kind: "Download", commandKey: "k", fileType: "1 Firmware Upgrade Image", url: "http://h/f", username: "", password: "",
      fileSize: 0, targetFileName: "", delaySeconds: 0, successURL: "", failureURL: "",
    });
  });
});

describe("task outcomes", () => {
  it("SPV fault 9003 with per-parameter 9007: permanent", () => {
    const t = typed("setParameterValues", { parameterValues: [["Device.K", "short"]] });
    const out = onStepResponse(t, firstStep(t, "k", NONE), "k", fault(9003, [{ parameterName: "Device.K", faultCode: 9007 }]), NONE);
    expect(out).toMatchObject({ kind: "fault", code: "cwmp.9003", permanent: true, detail: { setParameterValuesFaults: [{ faultCode: 9007 }] } });
  });

  it("9002 internal error: retryable", () => {
    const t = typed("reboot", {});
    expect(onStepResponse(t, firstStep(t, "k", NONE), "k", fault(9002), NONE)).toMatchObject({ kind: "fault", permanent: false });
  });

  it("refreshObject of an object the device no longer has (9005): done, subtree deleted", () => {
    const t = typed("refreshObject", { objectName: "Device.WiFi.SSID.3." });
    expect(onStepResponse(t, firstStep(t, "k", NONE), "k", fault(9005), NONE)).toEqual({
      kind: "done", result: { exists: false }, change: { set: [], deleteSubtrees: ["Device.WiFi.SSID.3."] },
    });
  });

  it("a fault on the values of a created instance is permanent and keeps the instance number", () => {
    const t = typed("addObject", { objectName: "Device.WiFi.SSID.", parameterValues: [["SSID", "g"]] }, { instanceNumber: 2 });
    expect(onStepResponse(t, firstStep(t, "k", NONE), "k", fault(9002), NONE)).toMatchObject({ kind: "fault", permanent: true, result: { instanceNumber: 2 } });
  });

  it("DownloadResponse status 1 waits for TransferComplete; status 0 is done", () => {
    const t = typed("download", { fileType: "1 Firmware Upgrade Image", url: "http://h/f" });
    const step = firstStep(t, "k", NONE);
    expect(onStepResponse(t, step, "k", { kind: "DownloadResponse", status: 1, startTime: "", completeTime: "" }, NONE)).toMatchObject({ kind: "awaitTransfer" });
    expect(onStepResponse(t, step, "k", { kind: "DownloadResponse", status: 0, startTime: "a", completeTime: "b" }, NONE)).toMatchObject({ kind: "done", result: { status: 0 } });
  });

  it("SPV success keeps secrets empty in the tree, as devices read them back", () => {
    const t = typed("setParameterValues", { parameterValues: [["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "hunter22", "xsd:string"]] });
    const out = onStepResponse(t, firstStep(t, "k", NONE), "k", { kind: "SetParameterValuesResponse", status: 0 }, NONE);
    expect(out).toMatchObject({ kind: "done", change: { set: [{ name: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", value: "", writable: true }] } });
  });
});

describe("vanishedNodes", () => {
  it("lists only the topmost vanished nodes under the root", () => {
    const stored = ["D.S.", "D.S.1.", "D.S.1.N", "D.S.2.", "D.S.2.N", "D.S.2.X.", "D.S.2.X.Y", "D.S.10.", "D.S.10.N", "D.S.1.Old", "D.T.1."];
    const present = new Set(["D.S.", "D.S.1.", "D.S.1.N", "D.S.10.", "D.S.10.N"]);
    expect(vanishedNodes(stored, present, "D.S.")).toEqual(["D.S.1.Old", "D.S.2."]);
  });
});

describe("retry policy", () => {
  it("classifies request errors as permanent and the rest as retryable", () => {
    for (const code of [9000, 9003, 9005, 9006, 9007, 9008, 9013]) expect(isPermanentFault(code)).toBe(true);
    for (const code of [9001, 9002, 9004, 9010, 9017, 9800]) expect(isPermanentFault(code)).toBe(false);
  });

  it("backs off exponentially up to the cap, and stops after maxAttempts deliveries", () => {
    const p = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, p))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(afterFailure(1, 100, p)).toEqual({ retry: true, notBefore: 1100 });
    expect(afterFailure(4, 100, p)).toEqual({ retry: false });
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(1);
  });
});
