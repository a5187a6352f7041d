// The simulated models by name.

import type { ModelName, SimModel } from "../model-spec.ts";
import { ontTr181 } from "./ont-tr181.ts";
import { routerTr098 } from "./router-tr098.ts";
import { routerTr181 } from "./router-tr181.ts";

export const MODELS: Readonly<Record<ModelName, SimModel>> = {
  "router-tr181": routerTr181,
  "router-tr098": routerTr098,
  "ont-tr181": ontTr181,
};
