// The task RPC source: delivers a device's pending tasks in its sessions and
// marks a task done only once the device's answer confirms it (see
// retry-policy.ts for what happens otherwise).

import { createHash } from "node:crypto";
import type { AutonomousTransferComplete, CpeResponse, TransferComplete, XsdType } from "../cwmp/messages.ts";
import { redactSecrets } from "../secrets.ts";
import type { PlannedRpc, RpcSource, SessionContext } from "../sessions/rpc-source.ts";
import type { ParamRecord, Task, TaskFault } from "../store/store.ts";
import { afterFailure, DEFAULT_RETRY_POLICY, isPermanentFault, type RetryPolicy } from "./retry-policy.ts";
import { checkTaskArgs, type TypedTask } from "./task-args.ts";
import { firstStep, onStepResponse, untypedNames, vanishedNodes, type PlannedStep, type StoreChange, type TaskOutcome } from "./task-plan.ts";

export interface TaskSourceOptions {
  retry?: RetryPolicy;
  /** How long a Download answered "in progress" waits for its TransferComplete before it is sent again. */
  transferTimeoutMs?: number;
}

type KnownTypes = ReadonlyMap<string, XsdType | "object">;

interface TaskRpcMeta {
  typed: TypedTask;
  planned: PlannedStep;
  key: string;
  known: KnownTypes;
}

interface SessionTasks {
  /** Tasks handled in this session: each is delivered at most once per session. */
  seen: Set<string>;
  /** The next RPC of a multi-RPC task, sent before any other task. */
  continuation: TaskRpcMeta | null;
}

const NO_TYPES: KnownTypes = new Map();

/** ParameterKey / CommandKey of a task (CWMP allows 32 characters): its id, or a digest of a longer one. */
export function taskKey(taskId: string): string {
  return taskId.length <= 32 ? taskId : createHash("sha256").update(taskId).digest("hex").slice(0, 32);
}

export function createTaskSource(options: TaskSourceOptions = {}): RpcSource {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const transferTimeoutMs = options.transferTimeoutMs ?? 3_600_000;
  const sessions = new WeakMap<SessionContext, SessionTasks>();

  const sessionTasks = (ctx: SessionContext): SessionTasks => {
    let st = sessions.get(ctx);
    if (!st) sessions.set(ctx, (st = { seen: new Set(), continuation: null }));
    return st;
  };

  async function applyChange(ctx: SessionContext, change: StoreChange): Promise<void> {
    const replace = change.replace?.endsWith(".") ? change.replace : undefined;
    const needWritable = change.set.filter((w) => w.writable === undefined).map((w) => w.name);
    const existing = replace
      ? await ctx.store.getParameters(ctx.deviceId, [replace])
      : needWritable.length > 0 ? await ctx.store.getParameters(ctx.deviceId, needWritable) : new Map<string, ParamRecord>();
    const ts = Date.now();
    const set = new Map<string, ParamRecord>();
    for (const w of change.set) set.set(w.name, { value: w.value, type: w.type, writable: w.writable ?? existing.get(w.name)?.writable ?? false, ts });
    const deletes = replace ? [...change.deleteSubtrees, ...vanishedNodes(existing.keys(), new Set(set.keys()), replace)] : change.deleteSubtrees;
    if (set.size > 0 || deletes.length > 0) await ctx.store.updateParameters(ctx.deviceId, set, deletes);
  }

  async function complete(ctx: SessionContext, task: Task, result: unknown): Promise<void> {
    const doneAt = Date.now();
    await ctx.store.updateTask(task.id, { status: "done", doneAt, result, fault: null });
    if (task.attempts > 1) {
      // Faults of earlier attempts describe a problem that is now solved.
      const channel = `task:${task.id}`;
      for (const f of await ctx.store.listFaults({ deviceId: ctx.deviceId })) {
        if (f.channel === channel) await ctx.store.deleteFault(f.id);
      }
    }
    ctx.bus.emit("task.done", { task: { ...task, status: "done", doneAt, result, fault: null } });
  }

  async function fail(ctx: SessionContext, task: Task, outcome: Extract<TaskOutcome, { kind: "fault" }>, rpc: unknown): Promise<void> {
    const now = Date.now();
    const fault = await ctx.store.addFault({
      deviceId: ctx.deviceId, channel: `task:${task.id}`, code: outcome.code, message: outcome.message,
      detail: outcome.detail, rpc: redactSecrets(rpc), retries: Math.max(task.attempts - 1, 0), timestamp: now,
    });
    ctx.bus.emit("fault.recorded", { fault });
    const taskFault: TaskFault = { code: outcome.code, message: outcome.message, ...(outcome.detail != null && { detail: outcome.detail }) };
    const next = outcome.permanent ? { retry: false as const } : afterFailure(task.attempts, now, policy);
    const patch: Partial<Task> = next.retry ? { notBefore: next.notBefore, fault: taskFault } : { status: "fault", doneAt: now, fault: taskFault };
    if (outcome.result !== undefined) patch.result = outcome.result;
    await ctx.store.updateTask(task.id, patch);
    ctx.bus.emit("task.fault", { task: { ...task, ...patch }, fault });
    ctx.logger.debug({ deviceId: ctx.deviceId, taskId: task.id, code: outcome.code, final: !next.retry }, "task fault");
  }

  const refuse = (code: string, message: string): Extract<TaskOutcome, { kind: "fault" }> => ({ kind: "fault", code, message, detail: null, permanent: true });

  async function plan(ctx: SessionContext, task: Task): Promise<PlannedRpc | null> {
    const check = checkTaskArgs(task);
    if (!check.ok) {
      await fail(ctx, task, refuse("task.invalid_args", check.message), null);
      return null;
    }
    if (task.attempts >= policy.maxAttempts) {
      await fail(ctx, task, refuse("task.undelivered", `no confirmed answer after ${task.attempts} deliveries`), null);
      return null;
    }
    const key = taskKey(task.id);
    const names = untypedNames(check.typed);
    const known: KnownTypes = names.length > 0 ? mapTypes(await ctx.store.getParameters(ctx.deviceId, names)) : NO_TYPES;
    const planned = firstStep(check.typed, key, known);
    if (task.attempts > 0 && planned.rpc.kind === "SetParameterValues" && informedParameterKey(ctx) === key) {
      // Sent before, and the Inform says the device applied it: the answer was lost with the session
      // (an ACS instance died, a connection dropped). Confirmed without sending it a second time.
      const outcome = onStepResponse(check.typed, planned, key, { kind: "SetParameterValuesResponse", status: 0 }, known);
      if (outcome.kind === "done") {
        await applyChange(ctx, outcome.change);
        await complete(ctx, task, outcome.result);
        ctx.logger.debug({ deviceId: ctx.deviceId, taskId: task.id }, "task confirmed by the Inform's ParameterKey");
        return null;
      }
    }
    // Counted before sending: a delivery the device never confirms still uses up an attempt.
    const counted: Task = { ...task, attempts: task.attempts + 1 };
    await ctx.store.updateTask(task.id, { attempts: counted.attempts });
    const meta: TaskRpcMeta = { typed: { ...check.typed, task: counted } as TypedTask, planned, key, known };
    return { rpc: planned.rpc, meta };
  }

  return {
    name: "tasks",

    async next(ctx) {
      const continued = sessions.get(ctx);
      if (continued?.continuation) {
        const meta = continued.continuation;
        continued.continuation = null;
        return { rpc: meta.planned.rpc, meta };
      }
      const tasks = await ctx.store.pendingTasks(ctx.deviceId, Date.now());
      // Most sessions have no task: no per-session bookkeeping for them.
      if (tasks.length === 0) return null;
      const st = continued ?? sessionTasks(ctx);
      for (const task of tasks) {
        if (st.seen.has(task.id)) continue;
        st.seen.add(task.id);
        const planned = await plan(ctx, task);
        if (planned) return planned;
      }
      return null;
    },

    async onResponse(ctx, planned, response: CpeResponse) {
      const meta = planned.meta as TaskRpcMeta;
      const task = meta.typed.task;
      const outcome = onStepResponse(meta.typed, meta.planned, meta.key, response, meta.known);
      switch (outcome.kind) {
        case "next":
          if (outcome.progress !== undefined) await ctx.store.updateTask(task.id, { result: outcome.progress });
          sessionTasks(ctx).continuation = { ...meta, planned: outcome.planned };
          return;
        case "done":
          await applyChange(ctx, outcome.change);
          await complete(ctx, task, outcome.result);
          return;
        case "awaitTransfer":
          await ctx.store.updateTask(task.id, { notBefore: Date.now() + transferTimeoutMs, result: outcome.result });
          return;
        case "fault":
          await fail(ctx, task, outcome, meta.planned.rpc);
          return;
      }
    },

    async onCpeRequest(ctx, request: TransferComplete | AutonomousTransferComplete) {
      // Autonomous transfers were not asked for by a task.
      if (request.kind !== "TransferComplete") return;
      const pending = await ctx.store.listTasks({ deviceId: ctx.deviceId, status: "pending" });
      const task = pending.find((t) => t.name === "download" && taskKey(t.id) === request.commandKey);
      if (!task) {
        ctx.logger.debug({ deviceId: ctx.deviceId, commandKey: request.commandKey }, "TransferComplete for no pending task");
        return;
      }
      const code = request.fault.faultCode;
      if (code === 0) {
        await complete(ctx, task, { status: 0, startTime: request.startTime, completeTime: request.completeTime });
        return;
      }
      const check = checkTaskArgs(task);
      const rpc = check.ok ? firstStep(check.typed, taskKey(task.id), NO_TYPES).rpc : null;
      await fail(ctx, task, {
        kind: "fault", code: `cwmp.${code}`, message: request.fault.faultString, permanent: isPermanentFault(code),
        detail: { startTime: request.startTime, completeTime: request.completeTime },
      }, rpc);
    },
  };
}

/** The ParameterKey the device reported in this session's Inform (set by its last successful SPV, AddObject or DeleteObject). */
function informedParameterKey(ctx: SessionContext): string | undefined {
  return ctx.inform.parameterList.find((p) => p.name.endsWith(".ManagementServer.ParameterKey"))?.value;
}

function mapTypes(params: Map<string, ParamRecord>): KnownTypes {
  const out = new Map<string, XsdType | "object">();
  for (const [name, p] of params) out.set(name, p.type);
  return out;
}
