// Tasks. Decisions pinned here beyond store.ts: addTask sets createdAt = notBefore
// = now, attempts 0, status pending, doneAt/fault/result null; pendingTasks is
// oldest first (createdAt, then insertion order); listTasks is newest first;
// updateTask on an unknown id does nothing.

import { describe, expect, it } from "vitest";
import type { NewTask, Task } from "../../acs/store/store.ts";
import type { ContractContext } from "./store-contract-helpers.ts";

const reboot = (deviceId: string, createdBy = "noc"): NewTask => ({ deviceId, name: "reboot", args: {}, createdBy });

export function taskContract(ctx: ContractContext): void {
  describe("tasks", () => {
    it("addTask returns a pending task that getTask reads back", async () => {
      const before = Date.now();
      const task = await ctx.store.addTask({
        deviceId: "dev-1",
        name: "setParameterValues",
        args: { parameterValues: [["Device.WiFi.SSID.1.SSID", "Café ☕", "xsd:string"]], nested: { counter: "18446744073709551615" } },
        createdBy: "support-token",
      });
      const after = Date.now();
      expect(task).toEqual({
        id: expect.any(String),
        deviceId: "dev-1",
        name: "setParameterValues",
        args: { parameterValues: [["Device.WiFi.SSID.1.SSID", "Café ☕", "xsd:string"]], nested: { counter: "18446744073709551615" } },
        status: "pending",
        createdAt: expect.any(Number),
        createdBy: "support-token",
        attempts: 0,
        notBefore: task.createdAt,
        doneAt: null,
        fault: null,
        result: null,
      });
      expect(task.id).not.toBe("");
      expect(task.createdAt).toBeGreaterThanOrEqual(before);
      expect(task.createdAt).toBeLessThanOrEqual(after);
      expect(await ctx.store.getTask(task.id)).toEqual(task);
      expect(await ctx.store.getTask("no-such-task")).toBeNull();
    });

    it("gives every task its own id", async () => {
      const tasks = await Promise.all(Array.from({ length: 100 }, () => ctx.store.addTask(reboot("dev-1"))));
      expect(new Set(tasks.map((t) => t.id)).size).toBe(100);
    });

    it("pendingTasks delivers a device's tasks oldest first, and only that device's", async () => {
      const mine: Task[] = [];
      for (let i = 0; i < 30; i++) {
        mine.push(await ctx.store.addTask({ deviceId: "dev-1", name: "getParameterValues", args: { i }, createdBy: "noc" }));
        await ctx.store.addTask(reboot("dev-2"));
      }
      const pending = await ctx.store.pendingTasks("dev-1", Date.now());
      expect(pending.map((t) => t.id)).toEqual(mine.map((t) => t.id));
      expect(pending.map((t) => t.args["i"])).toEqual(mine.map((_, i) => i));
      expect(pending.every((t) => t.deviceId === "dev-1")).toBe(true);
      expect(await ctx.store.pendingTasks("dev-3", Date.now())).toEqual([]);
    });

    it("pendingTasks holds a task back until its notBefore", async () => {
      const [t1, t2, t3] = [await ctx.store.addTask(reboot("dev-1")), await ctx.store.addTask(reboot("dev-1")), await ctx.store.addTask(reboot("dev-1"))];
      const later = Date.now() + 60_000;
      await ctx.store.updateTask(t2!.id, { notBefore: later, attempts: 1 });
      expect((await ctx.store.pendingTasks("dev-1", later - 1)).map((t) => t.id)).toEqual([t1!.id, t3!.id]);
      expect((await ctx.store.pendingTasks("dev-1", later)).map((t) => t.id)).toEqual([t1!.id, t2!.id, t3!.id]);
    });

    it("updateTask records completion and a task done or faulted is no longer pending", async () => {
      const done = await ctx.store.addTask({ deviceId: "dev-1", name: "getParameterValues", args: {}, createdBy: "noc" });
      const failed = await ctx.store.addTask(reboot("dev-1"));
      const open = await ctx.store.addTask(reboot("dev-1"));
      expect(await ctx.store.countPendingTasks()).toBe(3);

      const result = { "Device.IP.Interface.1.Stats.BytesReceived": "18446744073709551615" };
      await ctx.store.updateTask(done.id, { status: "done", doneAt: 1234, result });
      const fault = { code: "cwmp.9007", message: "Invalid parameter value", detail: { parameter: "Device.X", faultCode: 9007 } };
      await ctx.store.updateTask(failed.id, { status: "fault", attempts: 3, fault, doneAt: 1235 });

      expect(await ctx.store.getTask(done.id)).toEqual({ ...done, status: "done", doneAt: 1234, result });
      expect(await ctx.store.getTask(failed.id)).toEqual({ ...failed, status: "fault", attempts: 3, fault, doneAt: 1235 });
      expect(await ctx.store.getTask(open.id)).toEqual(open);
      expect((await ctx.store.pendingTasks("dev-1", Date.now())).map((t) => t.id)).toEqual([open.id]);
      expect(await ctx.store.countPendingTasks()).toBe(1);
    });

    it("updateTask can put a faulted task back to pending and clear its fault", async () => {
      const task = await ctx.store.addTask(reboot("dev-1"));
      await ctx.store.updateTask(task.id, { status: "fault", fault: { code: "session.timeout", message: "no answer" } });
      await ctx.store.updateTask(task.id, { status: "pending", fault: null, attempts: 1 });
      expect(await ctx.store.getTask(task.id)).toEqual({ ...task, attempts: 1 });
      expect((await ctx.store.pendingTasks("dev-1", Date.now())).map((t) => t.id)).toEqual([task.id]);
    });

    it("updateTask on an unknown id creates nothing", async () => {
      await ctx.store.updateTask("no-such-task", { status: "done", doneAt: 1 });
      expect(await ctx.store.getTask("no-such-task")).toBeNull();
      expect(await ctx.store.listTasks({})).toEqual([]);
    });

    it("listTasks filters by device and status, newest first, with a limit", async () => {
      const a1 = await ctx.store.addTask(reboot("dev-a"));
      const b1 = await ctx.store.addTask(reboot("dev-b"));
      const a2 = await ctx.store.addTask(reboot("dev-a"));
      const a3 = await ctx.store.addTask(reboot("dev-a"));
      await ctx.store.updateTask(a2.id, { status: "done", doneAt: 1 });
      const ids = async (filter: Parameters<typeof ctx.store.listTasks>[0]) => (await ctx.store.listTasks(filter)).map((t) => t.id);
      expect(await ids({})).toEqual([a3.id, a2.id, b1.id, a1.id]);
      expect(await ids({ deviceId: "dev-a" })).toEqual([a3.id, a2.id, a1.id]);
      expect(await ids({ status: "pending" })).toEqual([a3.id, b1.id, a1.id]);
      expect(await ids({ deviceId: "dev-a", status: "done" })).toEqual([a2.id]);
      expect(await ids({ status: "fault" })).toEqual([]);
      expect(await ids({ deviceId: "dev-a", limit: 2 })).toEqual([a3.id, a2.id]);
      expect((await ctx.store.listTasks({ deviceId: "dev-b" }))[0]).toEqual(b1);
    });

    it("deleteTask removes a task once", async () => {
      const task = await ctx.store.addTask(reboot("dev-1"));
      const kept = await ctx.store.addTask(reboot("dev-1"));
      expect(await ctx.store.deleteTask(task.id)).toBe(true);
      expect(await ctx.store.deleteTask(task.id)).toBe(false);
      expect(await ctx.store.getTask(task.id)).toBeNull();
      expect((await ctx.store.pendingTasks("dev-1", Date.now())).map((t) => t.id)).toEqual([kept.id]);
      expect(await ctx.store.countPendingTasks()).toBe(1);
    });

    it("countPendingTasks counts pending tasks of every device", async () => {
      expect(await ctx.store.countPendingTasks()).toBe(0);
      for (const id of ["dev-1", "dev-1", "dev-2", "dev-3"]) await ctx.store.addTask(reboot(id));
      expect(await ctx.store.countPendingTasks()).toBe(4);
    });
  });
}
