// Task delivery over real CWMP sessions, beyond the basics of
// cwmp-listener.test.ts: transfers confirmed by a later TransferComplete,
// multi-RPC tasks surviving a dead session, and the session lease.

import { afterEach, describe, expect, it } from "vitest";
import { serializeEnvelope } from "../../acs/cwmp/codec.ts";
import type { Envelope } from "../../acs/cwmp/messages.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";
import { NS, ScriptedCpe, type CpeResponse } from "./helpers/scripted-cpe.ts";

const DEVICE_ID = "00D09E-HGW-SN0001";

let acs: AcsUnderTest | null = null;
const cpes: ScriptedCpe[] = [];

afterEach(async () => {
  for (const c of cpes.splice(0)) c.close();
  await acs?.close();
  acs = null;
});

async function registered(how: { sharedStore?: boolean } = {}): Promise<AcsUnderTest> {
  acs = await AcsUnderTest.start({}, how);
  const c = cpe(acs);
  await c.inform(["0 BOOTSTRAP", "1 BOOT"]);
  expect((await c.emptyPost()).status).toBe(204);
  return acs;
}

function cpe(a: AcsUnderTest): ScriptedCpe {
  const c = new ScriptedCpe({ url: a.url, username: BOOT.username, password: BOOT.password });
  cpes.push(c);
  return c;
}

function request(r: CpeResponse): Envelope {
  expect(r.status).toBe(200);
  return r.envelope!;
}

async function openSession(c: ScriptedCpe, events = ["2 PERIODIC"]): Promise<CpeResponse> {
  expect((await c.inform(events)).envelope?.body.kind).toBe("InformResponse");
  return c.emptyPost();
}

describe("task delivery", () => {
  it("download: DownloadResponse 'in progress' waits; the TransferComplete of a later session completes the task", async () => {
    const a = await registered();
    const task = await a.store.addTask({
      deviceId: DEVICE_ID, name: "download", createdBy: "test",
      args: { fileType: "1 Firmware Upgrade Image", url: "http://127.0.0.1:9/fw.bin", fileSize: 1234, password: "fs-secret" },
    });
    const c = cpe(a);
    const dl = request(await openSession(c));
    expect(dl.body).toMatchObject({ kind: "Download", commandKey: task.id, fileType: "1 Firmware Upgrade Image", url: "http://127.0.0.1:9/fw.bin", fileSize: 1234, password: "fs-secret" });
    const end = await c.respond(dl, { kind: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" });
    expect(end.status).toBe(204);
    const waiting = await a.store.getTask(task.id);
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    expect(waiting!.notBefore).toBeGreaterThan(Date.now());

    // After the reboot into the new image: 1 BOOT, 7 TRANSFER COMPLETE, M Download, then TransferComplete.
    const after = cpe(a);
    await after.inform(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"]);
    const tc = await after.post(serializeEnvelope({
      namespace: NS, id: "tc-1",
      body: { kind: "TransferComplete", commandKey: task.id, fault: { faultCode: 0, faultString: "" }, startTime: "2025-05-01T10:20:02Z", completeTime: "2025-05-01T10:24:41Z" },
    }));
    expect(tc.envelope).toMatchObject({ id: "tc-1", body: { kind: "TransferCompleteResponse" } });
    // Acknowledged only once persisted: the task is done before the CPE hears back.
    expect(await a.store.getTask(task.id)).toMatchObject({ status: "done", result: { status: 0, completeTime: "2025-05-01T10:24:41Z" } });
    expect((await after.emptyPost()).status).toBe(204);
  });

  it("download failure reported by TransferComplete: a transfer fault is retried later, with the password kept out of the fault", async () => {
    const a = await registered();
    const task = await a.store.addTask({ deviceId: DEVICE_ID, name: "download", createdBy: "test", args: { fileType: "1 Firmware Upgrade Image", url: "http://127.0.0.1:9/fw.bin", password: "fs-secret" } });
    const c = cpe(a);
    const dl = request(await openSession(c));
    await c.respond(dl, { kind: "DownloadResponse", status: 1, startTime: "", completeTime: "" });
    const after = cpe(a);
    await after.inform(["1 BOOT", "7 TRANSFER COMPLETE", "M Download"]);
    await after.post(serializeEnvelope({
      namespace: NS, id: "tc-2",
      body: { kind: "TransferComplete", commandKey: task.id, fault: { faultCode: 9010, faultString: "Download failure" }, startTime: "", completeTime: "" },
    }));
    expect(await a.store.getTask(task.id)).toMatchObject({ status: "pending", fault: { code: "cwmp.9010" } });
    const [fault] = await a.store.listFaults({ deviceId: DEVICE_ID });
    expect(fault).toMatchObject({ channel: `task:${task.id}`, code: "cwmp.9010", rpc: { kind: "Download" } });
    expect(JSON.stringify(fault)).not.toContain("fs-secret");
  });

  it("addObject with values: AddObject then SetParameterValues on the new instance; a dead session never repeats AddObject", async () => {
    const a = await registered();
    const task = await a.store.addTask({
      deviceId: DEVICE_ID, name: "addObject", createdBy: "test",
      args: { objectName: "Device.WiFi.SSID.", parameterValues: [["SSID", "Guest"], ["Enable", true]] },
    });
    const dying = cpe(a);
    const add = request(await openSession(dying));
    expect(add.body).toEqual({ kind: "AddObject", objectName: "Device.WiFi.SSID.", parameterKey: task.id });
    const spv = request(await dying.respond(add, { kind: "AddObjectResponse", instanceNumber: 3, status: 0 }));
    expect(spv.body).toMatchObject({
      kind: "SetParameterValues",
      parameterList: [
        { name: "Device.WiFi.SSID.3.SSID", value: "Guest", type: "xsd:string" },
        { name: "Device.WiFi.SSID.3.Enable", value: "true", type: "xsd:boolean" },
      ],
    });
    dying.kill();

    const back = cpe(a);
    const again = request(await openSession(back, ["1 BOOT"]));
    expect(again.body).toMatchObject({ kind: "SetParameterValues", parameterList: [{ name: "Device.WiFi.SSID.3.SSID" }, { name: "Device.WiFi.SSID.3.Enable" }] });
    expect((await back.respond(again, { kind: "SetParameterValuesResponse", status: 0 })).status).toBe(204);
    expect(await a.store.getTask(task.id)).toMatchObject({ status: "done", result: { instanceNumber: 3 } });
    const tree = await a.store.getParameters(DEVICE_ID, ["Device.WiFi.SSID.3."]);
    expect(tree.get("Device.WiFi.SSID.3.")).toMatchObject({ type: "object" });
    expect(tree.get("Device.WiFi.SSID.3.SSID")).toMatchObject({ value: "Guest", writable: true });
  });

  it("deleteObject removes the subtree from the store once the device confirms", async () => {
    const a = await registered();
    const ts = Date.now();
    await a.store.updateParameters(DEVICE_ID, new Map([
      ["Device.WiFi.SSID.2.", { value: "", type: "object", writable: true, ts }],
      ["Device.WiFi.SSID.2.SSID", { value: "x", type: "xsd:string", writable: true, ts }],
    ]));
    const task = await a.store.addTask({ deviceId: DEVICE_ID, name: "deleteObject", createdBy: "test", args: { objectName: "Device.WiFi.SSID.2." } });
    const c = cpe(a);
    const del = request(await openSession(c));
    expect(del.body).toEqual({ kind: "DeleteObject", objectName: "Device.WiFi.SSID.2.", parameterKey: task.id });
    expect((await a.store.getParameters(DEVICE_ID, ["Device.WiFi.SSID.2."])).size).toBe(2);
    await c.respond(del, { kind: "DeleteObjectResponse", status: 0 });
    expect((await a.store.getParameters(DEVICE_ID, ["Device.WiFi.SSID.2."])).size).toBe(0);
    expect((await a.store.getTask(task.id))?.status).toBe("done");
  });

  it("a task with invalid arguments ends as a fault without any RPC; a task never confirmed ends after its last delivery", async () => {
    const a = await registered();
    const bad = await a.store.addTask({ deviceId: DEVICE_ID, name: "refreshObject", createdBy: "test", args: { objectName: 42 } });
    const worn = await a.store.addTask({ deviceId: DEVICE_ID, name: "reboot", createdBy: "test", args: {} });
    await a.store.updateTask(worn.id, { attempts: 5 });
    expect((await openSession(cpe(a))).status).toBe(204);
    expect(await a.store.getTask(bad.id)).toMatchObject({ status: "fault", fault: { code: "task.invalid_args" } });
    expect(await a.store.getTask(worn.id)).toMatchObject({ status: "fault", fault: { code: "task.undelivered" } });
  });

  it("on a shared store, while another ACS instance holds the device's session lease, the Inform gets 503; then it proceeds", async () => {
    const a = await registered({ sharedStore: true });
    expect(await a.store.acquireLease(`session:${DEVICE_ID}`, "other-instance", 60_000)).toBe(true);
    const c = cpe(a);
    const busy = await c.inform();
    expect(busy.status).toBe(503);
    await a.store.releaseLease(`session:${DEVICE_ID}`, "other-instance");
    expect((await openSession(cpe(a))).status).toBe(204);
    // Released at the end of the session: the other instance can take it again.
    expect(await a.store.acquireLease(`session:${DEVICE_ID}`, "other-instance", 60_000)).toBe(true);
  });

  it("a second Inform of the same device preempts its first session", async () => {
    const a = await registered();
    await a.store.addTask({ deviceId: DEVICE_ID, name: "reboot", createdBy: "test", args: {} });
    const first = cpe(a);
    expect(request(await openSession(first)).body.kind).toBe("Reboot");
    const second = cpe(a);
    const reboot = request(await openSession(second, ["1 BOOT"]));
    expect(reboot.body.kind).toBe("Reboot");
    // The first session is gone: its connection can no longer answer.
    expect((await first.respond(reboot, { kind: "RebootResponse" })).status).toBe(400);
    expect((await second.respond(reboot, { kind: "RebootResponse" })).status).toBe(204);
    expect(a.named("session.ended").map((e) => e.ok)).toEqual([true, false, true]);
  });
});
