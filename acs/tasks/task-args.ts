// Task arguments as the session reads them. The API validates tasks when they
// are created; this second check guards the session against anything else
// that writes tasks (older records, other tools): a bad task becomes a
// permanent task fault instead of a malformed RPC.

import { z } from "zod";
import type { XsdType } from "../cwmp/messages.ts";
import type { Task, TaskName } from "../store/store.ts";

const XSD_TYPES = [
  "xsd:string", "xsd:int", "xsd:unsignedInt", "xsd:long", "xsd:unsignedLong",
  "xsd:boolean", "xsd:dateTime", "xsd:base64", "xsd:hexBinary",
] as const satisfies readonly XsdType[];

const path = z.string().min(1).max(256);
const objectPath = path.regex(/\.$/, "must end with '.'");
/** [name, value, type?]; JSON numbers and booleans are accepted and sent as their text. */
const valueTuple = z.union([
  z.tuple([path, z.union([z.string(), z.number(), z.boolean()])]),
  z.tuple([path, z.union([z.string(), z.number(), z.boolean()]), z.enum(XSD_TYPES)]),
]);

const schemas = {
  getParameterValues: z.object({ parameterNames: z.array(path).min(1) }),
  setParameterValues: z.object({ parameterValues: z.array(valueTuple).min(1) }),
  refreshObject: z.object({ objectName: path }),
  /** parameterValues: names relative to the new instance ("SSID" under Device.WiFi.SSID.<n>.). */
  addObject: z.object({ objectName: objectPath, parameterValues: z.array(valueTuple).optional() }),
  deleteObject: z.object({ objectName: objectPath }),
  reboot: z.object({}),
  factoryReset: z.object({}),
  download: z.object({
    fileType: z.string().min(1).max(64),
    url: z.string().min(1).max(1024),
    fileSize: z.number().int().min(0).optional(),
    username: z.string().max(256).optional(),
    password: z.string().max(256).optional(),
    targetFileName: z.string().max(256).optional(),
    delaySeconds: z.number().int().min(0).optional(),
    successURL: z.string().max(1024).optional(),
    failureURL: z.string().max(1024).optional(),
  }),
} satisfies Record<TaskName, z.ZodType>;

export type TaskArgs<N extends TaskName> = z.infer<(typeof schemas)[N]>;
export type ValueTuple = z.infer<typeof valueTuple>;

/** A task with its arguments checked and typed by name. */
export type TypedTask = { [N in TaskName]: { task: Task; name: N; args: TaskArgs<N> } }[TaskName];

export type ArgsCheck = { ok: true; typed: TypedTask } | { ok: false; message: string };

export function checkTaskArgs(task: Task): ArgsCheck {
  const schema = schemas[task.name] as z.ZodType | undefined;
  if (!schema) return { ok: false, message: `unknown task name ${String(task.name)}` };
  const parsed = schema.safeParse(task.args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `invalid ${task.name} arguments: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "rejected"}` };
  }
  return { ok: true, typed: { task, name: task.name, args: parsed.data } as TypedTask };
}
