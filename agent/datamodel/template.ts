// Immutable per-model parameter tree, shared by every device of that model:
// names, types, access, factory values and the functions that compute
// dynamic values. Devices keep only what differs (see device-model.ts).

import type { BbfDefinitions, BbfParam } from "./schema.ts";
import type { DeviceModel } from "./device-model.ts";

/** A factory value: constant, or derived from the device (serial, seed, instance path). */
export type ValueSource = string | ((d: DeviceModel, path: string) => string);

export interface ParamNode {
  kind: "param";
  name: string;
  /** Template path, e.g. "Device.WiFi.SSID.{i}.SSID". */
  tpath: string;
  def: BbfParam;
  /** Default when neither the device nor a concrete-path factory value overrides it. */
  factory?: ValueSource;
  /** Computed at read time (uptime, counters, clocks); wins over factory values. */
  dynamic?: (d: DeviceModel, path: string) => string;
  /** Extra model rule on writes (e.g. Channel must be one of PossibleChannels). */
  check?: (d: DeviceModel, path: string, value: string) => boolean;
}

export interface ObjectNode {
  kind: "object";
  name: string;
  /** Template path ending in ".", e.g. "Device.WiFi.SSID.{i}.". */
  tpath: string;
  children: ChildNode[];
  byName: Map<string, ChildNode>;
  /** For an instance template ("….{i}."): its table. */
  owner?: TableNode;
}

/** A multi-instance table: its only child is the instance template `entry`. */
export interface TableNode {
  kind: "table";
  name: string;
  /** Template path of the table, e.g. "Device.WiFi.SSID." */
  tpath: string;
  /** AddObject/DeleteObject allowed. */
  writable: boolean;
  max?: number;
  entry: ObjectNode;
}

export type ChildNode = ObjectNode | TableNode | ParamNode;

export interface ModelRules {
  /** Parameters (template paths) the model leaves out. */
  exclude?: readonly string[];
  /** Factory values by template path ("…{i}.SSID") or concrete path ("….1.SSID"). */
  values?: Readonly<Record<string, ValueSource>>;
  /** Dynamic values by template path. */
  dynamic?: Readonly<Record<string, (d: DeviceModel, path: string) => string>>;
  /** Extra write checks by template path. */
  checks?: Readonly<Record<string, (d: DeviceModel, path: string, value: string) => boolean>>;
  /** Factory instance numbers by concrete table path, e.g. "Device.WiFi.SSID.": [1, 2]. */
  tables?: Readonly<Record<string, readonly number[]>>;
}

export interface Template {
  root: ObjectNode;
  rootName: string;
  /** Factory values by concrete path (instance-specific ones). */
  concrete: Map<string, ValueSource>;
  /** Factory instance numbers by concrete table path. */
  tables: Map<string, readonly number[]>;
  /** Every parameter node by template path. */
  params: Map<string, ParamNode>;
  /** Parameters whose notification is active by default (activeNotify forceEnabled / forceDefaultEnabled). */
  defaultNotified: ParamNode[];
}

/** Replaces instance numbers with {i}: "Device.WiFi.SSID.2.SSID" -> "Device.WiFi.SSID.{i}.SSID". */
export const templatePath = (path: string): string => path.replace(/\.\d+(?=\.)/g, ".{i}");

/** Builds the tree for the given BBF objects. Throws on any rule that names something absent. */
export function buildTemplate(defs: BbfDefinitions, objects: readonly string[], rules: ModelRules): Template {
  const excluded = new Set(rules.exclude ?? []);
  const params = new Map<string, ParamNode>();
  const rootName = objects[0]!;
  const root: ObjectNode = { kind: "object", name: rootName.slice(0, -1), tpath: rootName, children: [], byName: new Map() };
  const objs = new Map<string, ObjectNode>([[rootName, root]]);

  const objectFor = (tpath: string): ObjectNode => {
    const found = objs.get(tpath);
    if (found) return found;
    const isEntry = tpath.endsWith(".{i}.");
    const own = isEntry ? tpath.slice(0, -4) : tpath; // "X.Y." for both "X.Y." and "X.Y.{i}."
    const parentPath = own.slice(0, own.slice(0, -1).lastIndexOf(".") + 1);
    const name = own.slice(parentPath.length, -1);
    const parent = objectFor(parentPath);
    const node: ObjectNode = { kind: "object", name: isEntry ? "{i}" : name, tpath, children: [], byName: new Map() };
    if (isEntry) {
      const def = defs.objects[tpath];
      const table: TableNode = { kind: "table", name, tpath: own, writable: def?.w === 1, max: def?.max, entry: node };
      node.owner = table;
      parent.children.push(table);
      parent.byName.set(name, table);
    } else {
      parent.children.push(node);
      parent.byName.set(name, node);
    }
    objs.set(tpath, node);
    return node;
  };

  for (const o of objects) {
    const def = defs.objects[o];
    if (!def) throw new Error(`object ${o} is not in the BBF definitions ${defs.model}`);
    const node = objectFor(o);
    for (const [name, p] of Object.entries(def.p)) {
      const tpath = o + name;
      if (excluded.has(tpath)) continue;
      const pn: ParamNode = { kind: "param", name, tpath, def: p };
      // Parameters before child objects, as CPEs list them.
      const firstObject = node.children.findIndex((c) => c.kind !== "param");
      node.children.splice(firstObject < 0 ? node.children.length : firstObject, 0, pn);
      node.byName.set(name, pn);
      params.set(tpath, pn);
    }
  }
  for (const x of excluded) {
    const o = x.slice(0, x.lastIndexOf(".") + 1);
    if (!objects.includes(o) || !defs.objects[o]?.p[x.slice(o.length)]) throw new Error(`excluded parameter ${x} does not exist`);
  }

  // NumberOfEntries parameters count the instances of their table.
  for (const o of objects) {
    const n = defs.objects[o]?.n;
    if (!o.endsWith("{i}.") || !n) continue;
    const table = o.slice(0, -4);
    const parentT = table.slice(0, table.slice(0, -1).lastIndexOf(".") + 1);
    const counter = params.get(parentT + n);
    if (counter) counter.dynamic = (d, path) => String(d.instanceIds(path.slice(0, path.length - n.length) + table.slice(parentT.length)).length);
  }

  const concrete = new Map<string, ValueSource>();
  for (const [path, v] of Object.entries(rules.values ?? {})) {
    const node = params.get(templatePath(path));
    if (!node) throw new Error(`value for unknown parameter ${path}`);
    if (templatePath(path) === path) node.factory = v;
    else if (path.includes("{i}")) throw new Error(`value key mixes instance numbers and {i}: ${path}`);
    else concrete.set(path, v);
  }
  for (const [path, fn] of Object.entries(rules.dynamic ?? {})) {
    const node = params.get(path);
    if (!node) throw new Error(`dynamic value for unknown parameter ${path}`);
    node.dynamic = fn;
  }
  for (const [path, fn] of Object.entries(rules.checks ?? {})) {
    const node = params.get(path);
    if (!node) throw new Error(`check for unknown parameter ${path}`);
    node.check = fn;
  }
  const tables = new Map<string, readonly number[]>();
  for (const [path, ids] of Object.entries(rules.tables ?? {})) {
    if (!objs.has(templatePath(path) + "{i}.")) throw new Error(`instances for unknown table ${path}`);
    tables.set(path, ids);
  }
  const defaultNotified = [...params.values()].filter((p) => p.def.an === "f" || p.def.an === "d");
  return { root, rootName, concrete, tables, params, defaultNotified };
}
