// The RPC sources a session asks, in this order. Adding a source (e.g.
// provisioning) is one entry in this list.

import { createTaskSource, type TaskSourceOptions } from "../tasks/task-source.ts";
import type { RpcSource } from "./rpc-source.ts";

export interface RpcSourcesOptions {
  tasks?: TaskSourceOptions;
}

export function defaultRpcSources(options: RpcSourcesOptions = {}): RpcSource[] {
  return [createTaskSource(options.tasks)];
}
