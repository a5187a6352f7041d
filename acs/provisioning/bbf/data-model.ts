// Lookups in the BBF extracts (agent/datamodel/bbf/, the ones the agent's
// models are built from): does a concrete path such as
// "Device.WiFi.Radio.2.Channel" exist in the model, and with which definition.
// Instance numbers are matched against the model's "{i}" placeholders.
import { TR098, TR181 } from "../../../agent/datamodel/bbf/load.ts";
import type { BbfDefinitions, BbfObject, BbfParam } from "../../../agent/datamodel/schema.ts";
import { templatePath } from "../../../agent/datamodel/template.ts";

export type DataModelName = "tr098" | "tr181";

export const DATA_MODEL_ROOTS: Readonly<Record<DataModelName, string>> = {
  tr098: "InternetGatewayDevice.",
  tr181: "Device.",
};

export type DataModels = Readonly<Record<DataModelName, BbfDefinitions>>;

/** Both extracts, as committed. */
export function readDataModels(): DataModels {
  return { tr181: TR181, tr098: TR098 };
}

/** True when a segment of the path is a vendor extension (X_<vendor>_Name). */
export const isVendorPath = (path: string): boolean => path.split(".").some((s) => s.startsWith("X_"));

export type Lookup<T> = { ok: true; def: T; template: string } | { ok: false; reason: string };

function objectOf(defs: BbfDefinitions, objectTemplate: string): Lookup<BbfObject> {
  const obj = defs.objects[objectTemplate];
  if (obj) return { ok: true, def: obj, template: objectTemplate };
  const multi = defs.objects[`${objectTemplate}{i}.`];
  const reason = multi
    ? `${objectTemplate} is a table: the path needs an instance number`
    : `${defs.model} has no object ${objectTemplate} (among the objects listed in agent/datamodel/bbf/objects.ts)`;
  return { ok: false, reason };
}

/** The definition of a parameter path ("…Radio.1.Channel"). */
export function lookupParameter(defs: BbfDefinitions, path: string): Lookup<BbfParam> {
  if (path.endsWith(".")) return { ok: false, reason: `${path} is an object path, not a parameter` };
  const template = templatePath(path);
  const cut = template.lastIndexOf(".");
  const obj = objectOf(defs, template.slice(0, cut + 1));
  if (!obj.ok) return obj;
  const name = template.slice(cut + 1);
  const def = obj.def.p[name];
  return def
    ? { ok: true, def, template }
    : { ok: false, reason: `${defs.model} object ${obj.template} has no parameter ${name} (or it is obsoleted/deleted)` };
}

/** The definition of an object path ("Device.IP.Diagnostics.DownloadDiagnostics."). */
export function lookupObject(defs: BbfDefinitions, path: string): Lookup<BbfObject> {
  if (!path.endsWith(".")) return { ok: false, reason: `${path} is a parameter path; an object path ends with "."` };
  return objectOf(defs, templatePath(path));
}
