// What a simulated device model declares, and the template built from it
// once per process (shared by every device of the model).

import type { CwmpNamespace } from "../../../acs/cwmp/messages.ts";
import type { ProductIdentity } from "../../datamodel/model-rules.ts";
import type { BbfDefinitions } from "../../datamodel/schema.ts";
import { buildTemplate, type ModelRules, type Template } from "../../datamodel/template.ts";

export type ModelName = "router-tr181" | "router-tr098" | "ont-tr181";
export const MODEL_NAMES: readonly ModelName[] = ["router-tr181", "router-tr098", "ont-tr181"];

export interface SimModel extends ProductIdentity {
  name: ModelName;
  defs: BbfDefinitions;
  /** BBF object template paths the model implements (the first is the root). */
  objects: readonly string[];
  rules: ModelRules;
  /** Default serial prefix; serials are prefix + `serialBody(index)`. */
  serialPrefix: string;
  serialBody(index: number): string;
  /** Inform parameters beyond the forcedInform ones of non-table objects (concrete paths). */
  informExtra: readonly string[];
  /** The cwmp namespace the device speaks. */
  cwmpNamespace: CwmpNamespace;
  /** Legacy CPEs that report booleans as 1/0. */
  booleanDigits?: boolean;
  /** Simulated throughput for TR-143 diagnostics, in Mbit/s. */
  downlinkMbps: number;
  uplinkMbps: number;
}

export interface CompiledModel {
  model: SimModel;
  template: Template;
  /** Concrete paths of the Inform ParameterList. */
  informParams: readonly string[];
}

const compiled = new Map<ModelName, CompiledModel>();

export function compile(model: SimModel): CompiledModel {
  let c = compiled.get(model.name);
  if (!c) {
    const template = buildTemplate(model.defs, model.objects, model.rules);
    const forced = [...template.params.values()].filter((p) => p.def.fi && !p.tpath.includes("{i}")).map((p) => p.tpath);
    c = { model, template, informParams: [...forced, ...model.informExtra] };
    compiled.set(model.name, c);
  }
  return c;
}
