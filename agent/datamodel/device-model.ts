// One device's view of a shared Template: only the values, instances and
// attributes that differ from the factory state are stored here (lazily
// created maps), so a fleet of 10,000 devices costs a few KB per device.

import { canonical, zeroValue } from "./values.ts";
import type { ChildNode, ObjectNode, ParamNode, TableNode, Template } from "./template.ts";

export interface Identity {
  serial: string;
  /** 32-bit per-device seed from which factory values (MACs, SSIDs, keys) derive. */
  seed: number;
  /** Random path of this device's ConnectionRequestURL. */
  crPath: string;
}

/** Factory ManagementServer settings, shared by the devices of one fleet. */
export interface FactorySettings {
  acsUrl: string;
  /** Bootstrap credentials for the ACS ("" = none). */
  username: string;
  password: string;
  /** PeriodicInformInterval in seconds; 0 = PeriodicInformEnable false. */
  periodicInterval: number;
  /** Connection-request credentials; defaults: the serial number and "cr-<serial>". */
  crUsername?: string;
  crPassword?: string;
}

/** What the data model needs from its surroundings. */
export interface ModelHost {
  now(): number;
  /** The full ConnectionRequestURL for a device, or "" when not reachable. */
  crUrl(d: DeviceModel): string;
  settings: FactorySettings;
}

export type Resolved =
  | { kind: "param"; node: ParamNode; path: string }
  | { kind: "object"; node: ObjectNode; path: string }
  | { kind: "table"; node: TableNode; path: string };

export type Visited = ParamNode | ObjectNode | TableNode;

interface TableState {
  ids: number[];
  next: number;
}

/** The persisted part of a device model (JSON-friendly). */
export interface ModelSnapshot {
  values?: Record<string, string>;
  tables?: Record<string, [number[], number]>;
  notif?: Record<string, number>;
  acl?: Record<string, string[]>;
  baseline?: Record<string, string>;
}

const INSTANCE = /^[1-9]\d{0,9}$/;

/**
 * Resolutions of paths that cross no table, per template: they depend on the
 * shared tree only, not on a device's instances. The fleet's devices look up
 * the same few (ManagementServer.*, Inform parameters) every session.
 */
const staticPaths = new WeakMap<Template, Map<string, Resolved>>();
function underPrefix<V>(m: Map<string, V> | undefined, prefix: string): void {
  if (m) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
}

export class DeviceModel {
  bootTime: number;
  private vals?: Map<string, string>;
  private tabs?: Map<string, TableState>;
  private notif?: Map<string, number>;
  private acl?: Map<string, string[]>;
  private base?: Map<string, string>;
  /**
   * Bumped by every change to what snapshot() returns, so the device's state
   * writer knows without serialising the model that it has nothing new to write.
   */
  private changes = 0;

  constructor(
    readonly tpl: Template,
    readonly host: ModelHost,
    readonly ident: Identity,
  ) {
    this.bootTime = host.now();
  }

  get root(): string {
    return this.tpl.rootName;
  }

  /** Changes when the persisted part (snapshot()) may have changed. */
  get version(): number {
    return this.changes;
  }

  /** Last value reported for parameters with notification on (value-change detection). */
  get baseline(): ReadonlyMap<string, string> | undefined {
    return this.base;
  }

  setBaseline(path: string, value: string): void {
    (this.base ??= new Map()).set(path, value);
    this.changes++;
  }

  /** Resolves a concrete path ("X.Y.2.Z" or partial "X.Y.2.") against the tree and the instances. */
  resolve(path: string): Resolved | null {
    let cache = staticPaths.get(this.tpl);
    const hit = cache?.get(path);
    if (hit) return hit;
    if (!path.startsWith(this.tpl.rootName)) return null;
    let node: ObjectNode | TableNode = this.tpl.root;
    let pos = this.tpl.rootName.length;
    let viaTable = false;
    let found: Resolved | null = null;
    while (pos < path.length) {
      const dot = path.indexOf(".", pos);
      const seg = dot < 0 ? path.slice(pos) : path.slice(pos, dot);
      if (node.kind === "table") {
        if (dot < 0 || !INSTANCE.test(seg) || !this.instanceIds(path.slice(0, pos)).includes(Number(seg))) return null;
        node = node.entry;
        viaTable = true;
      } else {
        const child: ChildNode | undefined = node.byName.get(seg);
        if (!child) return null;
        if (child.kind === "param") {
          if (dot >= 0) return null;
          found = { kind: "param", node: child, path };
          break;
        }
        if (dot < 0) return null;
        node = child;
      }
      pos = dot + 1;
    }
    found ??= node.kind === "table" ? { kind: "table", node, path } : { kind: "object", node, path };
    if (!viaTable) {
      if (!cache) staticPaths.set(this.tpl, (cache = new Map()));
      cache.set(path, found);
    }
    return found;
  }

  instanceIds(tablePath: string): readonly number[] {
    return this.tabs?.get(tablePath)?.ids ?? this.tpl.tables.get(tablePath) ?? [];
  }

  /** The factory value of a parameter at a concrete path (what a factory reset restores). */
  factoryValue(node: ParamNode, path: string): string {
    const src = this.tpl.concrete.get(path) ?? node.factory;
    if (src === undefined) return node.def.d ?? zeroValue(node.def);
    return typeof src === "string" ? src : src(this, path);
  }

  /** The real value (secrets included): overlay, else dynamic, else factory. */
  read(node: ParamNode, path: string): string {
    const v = this.vals?.get(path);
    if (v !== undefined) return v;
    return node.dynamic ? node.dynamic(this, path) : this.factoryValue(node, path);
  }

  /** Reads a parameter by path; undefined when it does not exist. */
  get(path: string): string | undefined {
    const r = this.resolve(path);
    return r?.kind === "param" ? this.read(r.node, path) : undefined;
  }

  /** Stores a value without any access or syntax check (callers validate). */
  write(node: ParamNode, path: string, value: string): void {
    const v = canonical(node.def, value);
    this.changes++;
    if (!node.dynamic && v === this.factoryValue(node, path)) this.vals?.delete(path);
    else (this.vals ??= new Map()).set(path, v);
  }

  /**
   * Drops the device's own value of a parameter, so it reads from its dynamic
   * or factory source again (a driver that stored the value in the system).
   */
  unset(path: string): void {
    this.vals?.delete(path);
    this.changes++;
  }

  /** Writes by path, for drivers and internal updates (ParameterKey, diagnostics results). */
  set(path: string, value: string): void {
    const r = this.resolve(path);
    if (r?.kind !== "param") throw new Error(`no parameter ${path}`);
    this.write(r.node, path, value);
  }

  /** Visits `res` (when includeSelf) and every object, table and parameter below it, in tree order. */
  visit(res: Resolved, includeSelf: boolean, fn: (path: string, node: Visited) => void): void {
    if (includeSelf) fn(res.path, res.node);
    if (res.kind === "param") return;
    if (res.kind === "table") this.visitTable(res.node, res.path, fn);
    else this.visitObject(res.node, res.path, fn);
  }

  private visitObject(node: ObjectNode, path: string, fn: (path: string, node: Visited) => void): void {
    for (const c of node.children) {
      if (c.kind === "param") fn(path + c.name, c);
      else {
        const p = `${path}${c.name}.`;
        fn(p, c);
        if (c.kind === "table") this.visitTable(c, p, fn);
        else this.visitObject(c, p, fn);
      }
    }
  }

  private visitTable(node: TableNode, path: string, fn: (path: string, node: Visited) => void): void {
    for (const id of this.instanceIds(path)) {
      const p = `${path}${id}.`;
      fn(p, node.entry);
      this.visitObject(node.entry, p, fn);
    }
  }

  /** Direct children of an object or table: [path, node] pairs. */
  children(res: Resolved): [string, Visited][] {
    if (res.kind === "param") return [];
    if (res.kind === "table") return this.instanceIds(res.path).map((id) => [`${res.path}${id}.`, res.node.entry]);
    return res.node.children.map((c) => [c.kind === "param" ? res.path + c.name : `${res.path}${c.name}.`, c]);
  }

  addInstance(tablePath: string, node: TableNode): number | null {
    const ids = this.instanceIds(tablePath);
    if (node.max !== undefined && ids.length >= node.max) return null;
    const tabs = (this.tabs ??= new Map<string, TableState>());
    const st = tabs.get(tablePath) ?? { ids: [...ids], next: Math.max(0, ...ids) + 1 };
    const id = st.next++;
    st.ids.push(id);
    this.changes++;
    tabs.set(tablePath, st);
    return id;
  }

  deleteInstance(instancePath: string): void {
    const dot = instancePath.lastIndexOf(".", instancePath.length - 2);
    const tablePath = instancePath.slice(0, dot + 1);
    const id = Number(instancePath.slice(dot + 1, -1));
    const ids = this.instanceIds(tablePath);
    const tabs = (this.tabs ??= new Map<string, TableState>());
    const st = tabs.get(tablePath) ?? { ids: [...ids], next: Math.max(0, ...ids) + 1 };
    st.ids = st.ids.filter((i) => i !== id);
    this.changes++;
    tabs.set(tablePath, st);
    underPrefix(this.vals, instancePath);
    underPrefix(this.notif, instancePath);
    underPrefix(this.acl, instancePath);
    underPrefix(this.base, instancePath);
    // Nested tables of the deleted instance go too; its number is never reused,
    // so factory instances listed under it cannot resurface.
    underPrefix(this.tabs, instancePath);
  }

  notification(node: ParamNode, path: string): number {
    return this.notif?.get(path) ?? (node.def.an === "f" || node.def.an === "d" ? 2 : 0);
  }

  setNotification(node: ParamNode, path: string, n: number): void {
    this.changes++;
    if (n === (node.def.an === "f" || node.def.an === "d" ? 2 : 0)) this.notif?.delete(path);
    else (this.notif ??= new Map()).set(path, n);
    if (n === 0) this.base?.delete(path);
    // Changes are reported relative to the value when notification was switched on.
    else if (!this.base?.has(path)) (this.base ??= new Map()).set(path, this.read(node, path));
  }

  /** The ACS itself set this value: TR-069 does not notify it of its own changes. */
  acknowledge(node: ParamNode, path: string): void {
    if (this.base?.has(path)) this.setBaseline(path, this.read(node, path));
  }

  accessList(path: string): string[] {
    return this.acl?.get(path) ?? [];
  }

  setAccessList(path: string, list: string[]): void {
    this.changes++;
    if (list.length === 0) this.acl?.delete(path);
    else (this.acl ??= new Map()).set(path, list);
  }

  /** Concrete paths of every parameter whose notification is on, with its level. */
  notified(): [string, ParamNode, number][] {
    const out: [string, ParamNode, number][] = [];
    for (const [path, n] of this.notif ?? []) {
      const r = n > 0 ? this.resolve(path) : null;
      if (r?.kind === "param") out.push([path, r.node, n]);
    }
    for (const node of this.tpl.defaultNotified) {
      this.expand(node.tpath, (path) => {
        if (!this.notif?.has(path)) out.push([path, node, 2]);
      });
    }
    return out;
  }

  /** Calls fn for every concrete path matching a template path ("{i}" = every instance). */
  expand(tpath: string, fn: (path: string) => void, prefix = ""): void {
    const i = tpath.indexOf("{i}");
    if (i < 0) {
      fn(prefix + tpath);
      return;
    }
    const table = prefix + tpath.slice(0, i);
    for (const id of this.instanceIds(table)) this.expand(tpath.slice(i + 3), fn, `${table}${id}`);
  }

  /** Back to the factory state: values, instances, attributes. */
  factoryReset(): void {
    this.vals = this.tabs = this.notif = this.acl = this.base = undefined;
    this.changes++;
  }

  snapshot(): ModelSnapshot {
    const s: ModelSnapshot = {};
    if (this.vals?.size) s.values = Object.fromEntries(this.vals);
    if (this.tabs?.size) s.tables = Object.fromEntries([...this.tabs].map(([k, v]) => [k, [v.ids, v.next]]));
    if (this.notif?.size) s.notif = Object.fromEntries(this.notif);
    if (this.acl?.size) s.acl = Object.fromEntries(this.acl);
    if (this.base?.size) s.baseline = Object.fromEntries(this.base);
    return s;
  }

  restore(s: ModelSnapshot): void {
    this.factoryReset();
    if (s.values) this.vals = new Map(Object.entries(s.values));
    if (s.tables) this.tabs = new Map(Object.entries(s.tables).map(([k, [ids, next]]) => [k, { ids: [...ids], next }]));
    if (s.notif) this.notif = new Map(Object.entries(s.notif));
    if (s.acl) this.acl = new Map(Object.entries(s.acl));
    if (s.baseline) this.base = new Map(Object.entries(s.baseline));
  }
}
