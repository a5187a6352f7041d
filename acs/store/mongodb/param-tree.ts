// Encoding of a device's parameter tree inside its MongoDB document, and the
// targeted updates on it. Pure functions, no I/O.
//
// The tree lives under the device document's `p` field as nested objects keyed
// by path segments, so a subtree is one field ("SSID.1" and "SSID.10" are two
// different keys, never a shared prefix) and every change is a `$set`/`$unset`
// of exactly the nodes concerned:
//
//   p: { Device: { WiFi: { SSID: { "1": { _o: {...}, SSID: { _p: {...} } } } } } }
//
// - `_p` holds the record of the parameter named by the path ("A.B"), `_o` the
//   record of the object ("A.B."): both names stay distinct, as in the contract.
//   A record is { v: value, t: type, w: writable, ts }.
// - Segment keys never start with "_": a segment is percent-encoded
//   (encodeURIComponent, which also encodes "$" and "%"), and a leading "_" is
//   written %5F. So metadata keys and segments never collide, and no key holds
//   "." or starts with "$" (both rejected by MongoDB updates and by FerretDB).
// - A TR-069 name is a parameter or an object, never both, so deleting subtree
//   "A.B." removes the whole node, with a `_p` that a bad caller might have put there.

import type { ParamRecord } from "../store.ts";

export const TREE_FIELD = "p";

interface StoredRecord {
  v: string;
  t: ParamRecord["type"];
  w: boolean;
  ts: number;
}

/** A node of the stored tree: records under `_p`/`_o`, children under encoded segment keys. */
export type TreeNode = { _p?: StoredRecord; _o?: StoredRecord } & { [segment: string]: unknown };

export interface TreeUpdate {
  $set?: Record<string, unknown>;
  $unset?: Record<string, "">;
}

function encodeSegment(segment: string): string {
  const encoded = encodeURIComponent(segment);
  return encoded.startsWith("_") ? `%5F${encoded.slice(1)}` : encoded;
}

/** Encoded segments of a name without its trailing dot, or null when it cannot be a TR-069 path. */
function segmentsOf(name: string): string[] | null {
  const segments = name.split(".");
  if (segments.some((s) => s === "")) return null;
  try {
    return segments.map(encodeSegment);
  } catch {
    return null; // lone UTF-16 surrogate: not a name a device can send
  }
}

/** Dotted field of the node holding `name`'s record, and which record ("_o" for "X.", "_p" for "X"). */
function locate(name: string): { node: string; record: "_o" | "_p" } | null {
  const object = name.endsWith(".");
  const segments = segmentsOf(object ? name.slice(0, -1) : name);
  return segments && { node: `${TREE_FIELD}.${segments.join(".")}`, record: object ? "_o" : "_p" };
}

function checkedField(name: string, what: string): { node: string; record: "_o" | "_p" } {
  const at = locate(name);
  if (!at) throw new RangeError(`invalid parameter path for ${what}: ${JSON.stringify(name)}`);
  return at;
}

function store(record: ParamRecord): StoredRecord {
  return { v: record.value, t: record.type, w: record.writable, ts: record.ts };
}

function load(record: StoredRecord): ParamRecord {
  return { value: record.v, type: record.t, writable: record.w, ts: record.ts };
}

/** `a` is `b` or lies inside it. */
function within(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`);
}

/** Dotted fields to project so that every prefix can be answered; none nested in another. */
export function projectionFor(prefixes: readonly string[]): string[] {
  const fields = new Set<string>();
  for (const prefix of prefixes) {
    const at = locate(prefix);
    if (at) fields.add(at.record === "_o" ? at.node : `${at.node}._p`);
  }
  const all = [...fields];
  return all.filter((f) => !all.some((other) => other !== f && within(f, other)));
}

/** Adds every record of `node` and below to `out`; `base` is the node's name with its trailing dot ("" for the root). */
function collect(node: TreeNode, base: string, out: Map<string, ParamRecord>): void {
  if (base !== "" && node._o) out.set(base, load(node._o));
  for (const [key, child] of Object.entries(node)) {
    if (key.startsWith("_") || typeof child !== "object" || child === null) continue;
    const name = base + decodeURIComponent(key);
    const childNode = child as TreeNode;
    if (childNode._p) out.set(name, load(childNode._p));
    collect(childNode, `${name}.`, out);
  }
}

/** Records of a stored tree under the given prefixes (all when omitted), with their TR-069 names. */
export function readTree(root: TreeNode | undefined, prefixes?: readonly string[]): Map<string, ParamRecord> {
  const out = new Map<string, ParamRecord>();
  if (!root) return out;
  if (prefixes === undefined) {
    collect(root, "", out);
    return out;
  }
  for (const prefix of prefixes) {
    const at = locate(prefix);
    if (!at) continue;
    let node: unknown = root;
    for (const key of at.node.split(".").slice(1)) node = (node as Record<string, unknown> | undefined)?.[key];
    if (typeof node !== "object" || node === null) continue;
    if (at.record === "_o") collect(node as TreeNode, prefix, out);
    else if ((node as TreeNode)._p) out.set(prefix, load((node as TreeNode)._p!));
  }
  return out;
}

/**
 * The update for `updateParameters`: deletes apply before sets, in one atomic
 * update. MongoDB refuses to $unset a node and $set inside it in the same
 * update ("would create a conflict"), so a deleted subtree that also receives
 * sets is written whole with its new content ($set of the node) instead.
 */
export function treeUpdate(set: ReadonlyMap<string, ParamRecord>, deleteSubtrees: readonly string[]): TreeUpdate {
  // Fields to delete: a whole node for "X.", the `_p` record for "X".
  const deletes = new Set<string>();
  for (const name of deleteSubtrees) {
    const at = checkedField(name, "delete");
    deletes.add(at.record === "_o" ? at.node : `${at.node}._p`);
  }
  const targets = [...deletes].filter((f) => ![...deletes].some((other) => other !== f && within(f, other)));
  const replacements = new Map<string, Record<string, unknown>>();
  const $set: Record<string, unknown> = {};

  for (const [name, record] of set) {
    const at = checkedField(name, "set");
    const field = `${at.node}.${at.record}`;
    const target = targets.find((t) => within(field, t));
    if (target === undefined) {
      $set[field] = store(record);
    } else if (target === field) {
      $set[field] = store(record); // deleting record X then setting X: the set wins
      targets.splice(targets.indexOf(target), 1);
    } else {
      let node = replacements.get(target) ?? {};
      replacements.set(target, node);
      const keys = field.slice(target.length + 1).split(".");
      for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
      node[keys.at(-1)!] = store(record);
    }
  }

  const $unset: Record<string, ""> = {};
  for (const target of targets) {
    const replacement = replacements.get(target);
    if (replacement) $set[target] = replacement;
    else $unset[target] = "";
  }
  const update: TreeUpdate = {};
  if (Object.keys($set).length > 0) update.$set = $set;
  if (Object.keys($unset).length > 0) update.$unset = $unset;
  return update;
}
