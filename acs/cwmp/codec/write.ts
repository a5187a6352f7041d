// XML generation with escaped template strings (no XML library: the output shape
// is fixed by the schema and string building is both simplest and fastest).
// Prefixes are the five declared on the Envelope: soap-env, soap-enc, xsd, xsi, cwmp.

export interface WriteOptions {
  /** How typed boolean fields (NextLevel, Writable, HoldRequests…) are written. */
  booleanLiteral: "word" | "digit";
}

/** Characters XML 1.0 cannot carry at all, not even as character references. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;

function assertXmlChars(s: string): void {
  const bad = NOT_XML_CHAR.exec(s);
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw new TypeError(`cannot serialise U+${cp}: XML 1.0 has no representation for it`);
  }
}

/** Escapes element text; \r becomes &#13; so parsers do not normalise it away. */
export function escapeText(s: string): string {
  assertXmlChars(s);
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

/** Escapes a double-quoted attribute value; whitespace is kept via character references. */
export function escapeAttr(s: string): string {
  assertXmlChars(s);
  if (!ATTR_SPECIAL.test(s)) return s;
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

export function leaf(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>`;
}

export function intLeaf(name: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${name} must be an integer, got ${n}`);
  return `<${name}>${n}</${name}>`;
}

export function boolText(b: boolean, o: WriteOptions): string {
  if (o.booleanLiteral === "digit") return b ? "1" : "0";
  return b ? "true" : "false";
}

export function boolLeaf(name: string, b: boolean, o: WriteOptions): string {
  return `<${name}>${boolText(b, o)}</${name}>`;
}

/** A SOAP-encoded array; soap-enc:arrayType is required by every CWMP array type. */
export function array(name: string, itemType: string, items: readonly string[]): string {
  return `<${name} soap-enc:arrayType="${itemType}[${items.length}]">${items.join("")}</${name}>`;
}

export function stringArray(name: string, values: readonly string[]): string {
  return array(
    name,
    "xsd:string",
    values.map((v) => leaf("string", v)),
  );
}

/** The namespace-qualified method element; its arguments stay unqualified (elementFormDefault="unqualified"). */
export function method(name: string, inner = ""): string {
  return `<cwmp:${name}>${inner}</cwmp:${name}>`;
}
