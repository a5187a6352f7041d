// Extracts the objects listed in objects.ts from the full BBF data-model XML
// into compact JSON (tr181.json, tr098.json next to this file) so neither the
// agent nor the ACS loads the 4 MB XML at run time. Streaming (saxes): the XML
// is read once, in chunks.
//
//   npx tsx agent/datamodel/bbf/generate.ts [bbfDir]
//
// bbfDir defaults to ../shared/data/bbf next to the repository.

import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { BbfDefinitions, BbfObject, BbfParam, BbfType } from "../schema.ts";
import { TR098_OBJECTS, TR181_OBJECTS } from "./objects.ts";

export const SOURCES = [
  { file: "tr-181-2-17-0-cwmp-full.xml", out: "tr181.json", objects: TR181_OBJECTS },
  { file: "tr-098-1-8-0-full.xml", out: "tr098.json", objects: TR098_OBJECTS },
] as const;

const BASE_TYPES = new Set<string>(["string", "unsignedInt", "int", "unsignedLong", "long", "boolean", "dateTime", "base64", "hexBinary", "decimal"]);

/** Facets collected from a syntax or a dataType definition before merging (the BbfParam facets, and what resolves into t/l/d). */
interface Syntax extends Pick<BbfParam, "e" | "ro" | "er" | "nv" | "min" | "max" | "r"> {
  type?: string; // a base type name, or "ref:<dataType name>"
  list?: number;
  d?: string;
}

const SKIPPED_STATUS = new Set(["deleted", "obsoleted"]);

const num = (s: string | undefined): number | string | null => {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
};

/** Resolves a dataType chain into one syntax; the parameter's own facets win. */
function resolveSyntax(s: Syntax, types: Map<string, { base?: string; syntax: Syntax }>, depth = 0): Syntax {
  if (!s.type?.startsWith("ref:") || depth > 16) return s;
  const dt = types.get(s.type.slice(4));
  if (!dt) throw new Error(`unknown BBF dataType ${s.type.slice(4)}`);
  const inner: Syntax = dt.syntax.type ? dt.syntax : { ...dt.syntax, type: dt.base ? `ref:${dt.base}` : "string" };
  const base = resolveSyntax(inner, types, depth + 1);
  const out: Syntax = { ...base, type: base.type };
  for (const k of ["list", "e", "ro", "er", "nv", "min", "max", "r", "d"] as const) if (s[k] !== undefined) (out as Record<string, unknown>)[k] = s[k];
  return out;
}

function toParam(s: Syntax, attrs: { w: boolean; secret: boolean; fi: boolean; an?: string }): BbfParam {
  const base = (s.type === "decimal" || !s.type ? "string" : s.type) as BbfType;
  const p: BbfParam = { t: s.list !== undefined ? "string" : base };
  if (s.list !== undefined && base !== "string") p.it = base;
  if (attrs.w) p.w = 1;
  if (attrs.secret) p.s = 1;
  if (s.list !== undefined) p.l = s.list;
  if (s.e?.length) p.e = s.e;
  if (s.ro?.length) p.ro = s.ro;
  if (s.er) p.er = s.er;
  if (s.nv !== undefined) p.nv = s.nv;
  if (s.min !== undefined) p.min = s.min;
  if (s.max !== undefined) p.max = s.max;
  if (s.r?.length) p.r = s.r;
  if (attrs.fi) p.fi = 1;
  const an = attrs.an === "canDeny" ? "c" : attrs.an === "forceEnabled" ? "f" : attrs.an === "forceDefaultEnabled" ? "d" : undefined;
  if (an) p.an = an;
  if (s.d !== undefined) p.d = s.d;
  return p;
}

/** Parses one BBF XML file and returns the definitions of the wanted objects. */
export async function extract(xmlPath: string, wanted: readonly string[]): Promise<BbfDefinitions> {
  const want = new Set(wanted);
  const types = new Map<string, { base?: string; syntax: Syntax }>();
  const pending: { obj: string; name: string; syntax: Syntax; attrs: Parameters<typeof toParam>[1] }[] = [];
  const objects = new Map<string, BbfObject>();
  let spec = "";
  let model = "";

  const stack: string[] = [];
  let dt: { name: string; base?: string; syntax: Syntax } | null = null;
  let obj: string | null = null;
  let param: { name: string; syntax: Syntax; attrs: Parameters<typeof toParam>[1] } | null = null;
  let skipParam = false;
  let inSyntax = false;

  const current = (): Syntax | null => (param && inSyntax ? param.syntax : dt ? dt.syntax : null);

  const parser = new SaxesParser();
  parser.on("opentag", (tag: SaxesTagPlain) => {
    const a = tag.attributes as Record<string, string>;
    const name = tag.name.replace(/^dm:/, "");
    const parent = stack[stack.length - 1];
    stack.push(name);
    if (name === "document") spec = a.spec ?? "";
    else if (name === "model") model = a.name ?? "";
    else if (name === "dataType" && stack.length === 2 && a.name) dt = { name: a.name, base: a.base, syntax: {} };
    else if (name === "object" && parent === "model" && a.name) {
      obj = want.has(a.name) && !SKIPPED_STATUS.has(a.status ?? "") ? a.name : null;
      if (obj) {
        const o: BbfObject = { p: {} };
        if (obj.endsWith("{i}.") && a.access === "readWrite") o.w = 1;
        if (a.numEntriesParameter) o.n = a.numEntriesParameter;
        if (a.maxEntries && a.maxEntries !== "unbounded" && obj.endsWith("{i}.")) o.max = Number(a.maxEntries);
        objects.set(obj, o);
      }
    } else if (name === "parameter" && parent === "object" && obj && a.name) {
      skipParam = SKIPPED_STATUS.has(a.status ?? "");
      param = {
        name: a.name,
        syntax: {},
        attrs: { w: a.access === "readWrite" || a.access === "writeOnceReadOnly", secret: false, fi: a.forcedInform === "true", an: a.activeNotify },
      };
    } else if (name === "syntax" && param) {
      inSyntax = true;
      param.attrs.secret = a.hidden === "true" || a.secured === "true";
    } else {
      const s = current();
      if (!s) return;
      if (name === "list" && (parent === "syntax" || parent === "dataType")) s.list = a.maxLength ? Number(a.maxLength) : 1;
      else if (BASE_TYPES.has(name) && (parent === "syntax" || parent === "dataType")) s.type = name;
      else if (name === "dataType" && parent === "syntax" && a.ref) s.type = `ref:${a.ref}`;
      else if (name === "size" && parent === "list") s.list = a.maxLength ? Number(a.maxLength) : (s.list ?? 1);
      else if (name === "size") {
        if (a.minLength !== undefined) s.min = Math.min(s.min ?? Infinity, Number(a.minLength));
        if (a.maxLength !== undefined) s.max = Math.max(s.max ?? 0, Number(a.maxLength));
      } else if (name === "range") (s.r ??= []).push([num(a.minInclusive), num(a.maxInclusive)]);
      else if (name === "enumeration" && a.value !== undefined && !SKIPPED_STATUS.has(a.status ?? "")) {
        (s.e ??= []).push(a.value);
        if (a.access === "readOnly") (s.ro ??= []).push(a.value);
      } else if (name === "enumerationRef" && a.targetParam) {
        s.er = a.targetParam;
        if (a.nullValue !== undefined) s.nv = a.nullValue;
      }
      else if (name === "default" && parent === "syntax" && a.value !== undefined && (a.type === "object" || a.type === "factory")) s.d = a.value;
    }
  });
  parser.on("closetag", () => {
    const name = stack.pop();
    if (name === "dataType" && stack.length === 1 && dt) {
      types.set(dt.name, { base: dt.base, syntax: dt.syntax });
      dt = null;
    } else if (name === "syntax" && param) inSyntax = false;
    else if (name === "parameter" && param && stack[stack.length - 1] === "object") {
      if (!skipParam && obj) pending.push({ obj, ...param });
      param = null;
    } else if (name === "object" && stack[stack.length - 1] === "model") obj = null;
  });

  const stream = createReadStream(xmlPath, { encoding: "utf8", highWaterMark: 256 * 1024 });
  for await (const chunk of stream) parser.write(chunk as string);
  parser.close();

  for (const p of pending) objects.get(p.obj)!.p[p.name] = toParam(resolveSyntax(p.syntax, types), p.attrs);
  const missing = wanted.filter((o) => !objects.has(o));
  if (missing.length) throw new Error(`objects not found in ${xmlPath}: ${missing.join(", ")}`);
  // Objects in the order objects.ts lists them, so the output is stable.
  return { spec, model, objects: Object.fromEntries(wanted.map((o) => [o, objects.get(o)!])) };
}

/** One object per line: compact, yet reviewable in a diff. */
export function formatDefinitions(d: BbfDefinitions): string {
  const lines = Object.entries(d.objects).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{"spec":${JSON.stringify(d.spec)},"model":${JSON.stringify(d.model)},"objects":{\n${lines.join(",\n")}\n}}\n`;
}

export const bbfOutDir = dirname(fileURLToPath(import.meta.url));
export const defaultBbfSourceDir = resolve(bbfOutDir, "../../../../shared/data/bbf");

export async function generateAll(bbfDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of SOURCES) out[s.out] = formatDefinitions(await extract(join(bbfDir, s.file), s.objects));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await generateAll(resolve(process.argv[2] ?? defaultBbfSourceDir));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(bbfOutDir, name), text);
    console.log(`wrote ${name} (${text.length} bytes)`);
  }
}
