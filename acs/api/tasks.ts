// Tasks: POST /api/devices/:id/tasks (GenieACS NBI semantics: queue, optional
// connection request, wait up to `timeout` for the outcome) and /api/tasks
// to list, read, delete and retry them. A task is queued in the store before
// anything else, so an offline device gets it at its next Inform.

import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { ConnectionRequester, WakeResult } from "../connreq/requester.ts";
import type { EventBus } from "../events.ts";
import type { Store, Task, TaskStatus } from "../store/store.ts";
import { assertCanRunTask, tokenOf } from "./auth.ts";
import { recordAudit } from "./audit.ts";
import { conflict, notFound } from "./errors.ts";
import { TASK_BODY_SCHEMA, taskArgs, type TaskBody } from "./task-body.ts";
import { watchTask } from "./task-watch.ts";
import { listSchema, TASK_SCHEMA, taskView } from "./views.ts";
import { LIMIT_QUERY, queryOnly } from "./list-query.ts";

export interface TasksRoutesOptions {
  store: Store;
  bus: EventBus;
  requester: ConnectionRequester;
}

const ID_PARAMS = { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 256 } }, required: ["id"] } as const;

const WAKE_SCHEMA = {
  type: ["object", "null"],
  properties: { ok: { type: "boolean" }, via: { type: "string" }, ms: { type: "number" }, reason: { type: "string" }, detail: { type: "string" } },
} as const;

const TASK_OUTCOME_SCHEMA = { type: "object", properties: { task: TASK_SCHEMA, connectionRequest: WAKE_SCHEMA } } as const;

/** GenieACS sends `?connection_request` without a value; "false" and "0" opt out explicitly. */
const wants = (flag: string | undefined): boolean => flag !== undefined && flag !== "false" && flag !== "0";

export const tasksRoutes: FastifyPluginAsync<TasksRoutesOptions> = async (app, { store, bus, requester }) => {
  app.post<{ Params: { id: string }; Querystring: { connection_request?: string; timeout: number }; Body: TaskBody }>("/devices/:id/tasks", {
    config: { right: "task.run" },
    schema: {
      params: ID_PARAMS,
      querystring: queryOnly({ connection_request: { type: "string", maxLength: 8 }, timeout: { type: "integer", minimum: 0, maximum: 120_000, default: 3000 } }),
      body: TASK_BODY_SCHEMA,
      response: { 200: TASK_OUTCOME_SCHEMA, 202: TASK_OUTCOME_SCHEMA },
    },
  }, async (request, reply) => {
    const deviceId = request.params.id;
    const { name } = request.body;
    assertCanRunTask(request, name);
    if (!(await store.getDevice(deviceId))) throw notFound(`device ${deviceId} not found`);
    const args = taskArgs(request.body);
    const task = await store.addTask({ deviceId, name, args, createdBy: tokenOf(request).name });
    await recordAudit(store, request, "task.create", deviceId, { taskId: task.id, name, args });
    if (!wants(request.query.connection_request)) return reply.code(202).send({ task: taskView(task), connectionRequest: null });

    const watch = watchTask(bus, store, task.id);
    let wake: WakeResult;
    try {
      wake = await requester.wake(deviceId);
    } catch (err) {
      watch.stop();
      throw err;
    }
    if (!wake.ok) {
      watch.stop();
      return reply.code(202).send({ task: taskView(task), connectionRequest: wake });
    }
    const current = (await watch.outcome(request.query.timeout)) ?? task;
    return reply.code(current.status === "pending" ? 202 : 200).send({ task: taskView(current), connectionRequest: wake });
  });

  app.get<{ Querystring: { device?: string; status?: TaskStatus; limit: number } }>("/tasks", {
    config: { right: "read" },
    schema: {
      querystring: queryOnly({
        device: { type: "string", maxLength: 256 },
        status: { type: "string", enum: ["pending", "done", "fault"] },
        limit: LIMIT_QUERY,
      }),
      response: { 200: listSchema(TASK_SCHEMA) },
    },
  }, async (request) => {
    const { device, status, limit } = request.query;
    return { items: (await store.listTasks({ deviceId: device, status, limit })).map(taskView) };
  });

  const loadTask = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<Task> => {
    const task = await store.getTask(request.params.id);
    if (!task) throw notFound(`task ${request.params.id} not found`);
    return task;
  };

  app.get<{ Params: { id: string } }>("/tasks/:id", {
    config: { right: "read" },
    schema: { params: ID_PARAMS, response: { 200: TASK_SCHEMA } },
  }, async (request) => taskView(await loadTask(request)));

  app.delete<{ Params: { id: string } }>("/tasks/:id", {
    config: { right: "task.run" },
    schema: { params: ID_PARAMS },
  }, async (request, reply) => {
    const task = await loadTask(request);
    assertCanRunTask(request, task.name);
    await store.deleteTask(task.id);
    await recordAudit(store, request, "task.delete", task.deviceId, { taskId: task.id, name: task.name });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>("/tasks/:id/retry", {
    config: { right: "task.run" },
    schema: { params: ID_PARAMS, response: { 200: TASK_SCHEMA } },
  }, async (request) => {
    const task = await loadTask(request);
    assertCanRunTask(request, task.name);
    if (task.status !== "fault") throw conflict(`task ${task.id} is ${task.status}: only a faulted task can be retried`);
    await store.updateTask(task.id, { status: "pending", attempts: 0, notBefore: Date.now(), fault: null, doneAt: null });
    await recordAudit(store, request, "task.retry", task.deviceId, { taskId: task.id, name: task.name });
    return taskView((await store.getTask(task.id)) ?? task);
  });
};
