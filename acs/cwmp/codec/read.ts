// Typed field access on a parsed element. Children are matched by local name,
// whatever their prefix or namespace (CPEs qualify them or not). Every failure is
// a CwmpParseError "invalid" whose message names the field by its path.
import type { XsdType } from "../messages.ts";
import { CwmpParseError } from "./errors.ts";
import type { XmlElement } from "./xml-tree.ts";

/** Local part of an xsi:type QName -> our XsdType (a Map: wire text never reaches Object.prototype). */
const XSD_TYPES: ReadonlyMap<string, XsdType> = new Map([
  ["string", "xsd:string"],
  ["int", "xsd:int"],
  ["unsignedInt", "xsd:unsignedInt"],
  ["long", "xsd:long"],
  ["unsignedLong", "xsd:unsignedLong"],
  ["boolean", "xsd:boolean"],
  ["dateTime", "xsd:dateTime"],
  ["base64", "xsd:base64"],
  ["base64Binary", "xsd:base64"],
  ["hexBinary", "xsd:hexBinary"],
]);

const INTEGER = /^[+-]?\d+$/;

export class Reader {
  /**
   * `parent` is the path itself for a top-level reader. Below it the path is only built
   * when a failure names it: a 1,000-parameter GetParameterValuesResponse would otherwise
   * format 1,000 paths it never uses (7-20% of its parseEnvelope CPU, in-process A/B).
   */
  constructor(
    readonly el: XmlElement,
    private readonly parent: Reader | string,
    /** For an array item: the array element's name. */
    private readonly arrayName = "",
    /** 1-based position of a repeated or array item; 0 for a single element. */
    private readonly index = 0,
  ) {}

  get path(): string {
    const p = this.parent;
    if (typeof p === "string") return p;
    const self = this.index ? `${this.el.local}[${this.index}]` : this.el.local;
    return this.arrayName ? `${p.path}/${this.arrayName}/${self}` : `${p.path}/${self}`;
  }

  private find(name: string): XmlElement | undefined {
    const { children } = this.el;
    for (let i = 0; i < children.length; i++) if (children[i]!.local === name) return children[i];
    return undefined;
  }

  private fail(name: string, problem: string): never {
    throw new CwmpParseError("invalid", `${this.path}/${name} ${problem}`);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** A required structure. */
  sub(name: string): Reader {
    const el = this.find(name);
    if (!el) this.fail(name, "is missing");
    return new Reader(el, this);
  }

  /** Every child with this name (repeated elements that are not wrapped in an array). */
  all(name: string): Reader[] {
    return this.el.children
      .filter((c) => c.local === name)
      .map((c, i) => new Reader(c, this, "", i + 1));
  }

  /** Element children of an array (soap-enc:Array); items are taken whatever their name. */
  list(name: string, required: boolean): Reader[] {
    const el = this.find(name);
    if (!el) {
      if (required) this.fail(name, "is missing");
      return [];
    }
    return el.children.map((c, i) => new Reader(c, this, name, i + 1));
  }

  /** Text content exactly as sent (values, keys, free text). `fallback` when the element is absent. */
  raw(name: string, fallback?: string): string {
    const el = this.find(name);
    if (el) return el.text;
    if (fallback === undefined) this.fail(name, "is missing");
    return fallback;
  }

  /** Trimmed text for identifiers, names, codes and times. */
  str(name: string, fallback?: string): string {
    return this.raw(name, fallback).trim();
  }

  /** Trimmed text that must not be empty. */
  nonEmpty(name: string): string {
    const s = this.str(name);
    if (s === "") this.fail(name, "is empty");
    return s;
  }

  int(name: string, opts: { fallback?: number; min?: number } = {}): number {
    const el = this.find(name);
    if (!el) {
      if (opts.fallback === undefined) this.fail(name, "is missing");
      return opts.fallback;
    }
    const s = el.text.trim();
    const n = INTEGER.test(s) ? Number(s) : Number.NaN;
    if (!Number.isSafeInteger(n)) this.fail(name, `is not an integer: ${JSON.stringify(s.slice(0, 40))}`);
    if (opts.min !== undefined && n < opts.min) this.fail(name, `must be >= ${opts.min}, got ${n}`);
    return n;
  }

  /** xsd:boolean in either lexical form (true/false/1/0). */
  bool(name: string, fallback?: boolean): boolean {
    const el = this.find(name);
    if (!el) {
      if (fallback === undefined) this.fail(name, "is missing");
      return fallback;
    }
    const v = parseBoolean(el.text);
    if (v === undefined) this.fail(name, `is not a boolean: ${JSON.stringify(el.text.trim().slice(0, 40))}`);
    return v;
  }

  /** Strings of an array of xsd:string (ParameterNames, MethodList, AccessList). */
  strings(name: string, required: boolean): string[] {
    return this.list(name, required).map((item) => item.el.text.trim());
  }

  /** xsi:type of a Value element, by the local part of the QName; unknown or absent types read as xsd:string. */
  xsiType(name: string): XsdType {
    const el = this.find(name);
    const attr = el?.attrs.find((a) => a.local === "type");
    if (!attr) return "xsd:string";
    const v = attr.value.trim();
    return XSD_TYPES.get(v.slice(v.indexOf(":") + 1)) ?? "xsd:string";
  }
}

export function parseBoolean(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  return undefined;
}
