// Untrusted bytes -> a small namespace-resolved element tree, via saxes (tokens) and a
// scope stack of our own (namespaces; see TreeBuilder for why).
// Guards run before the XML parser sees anything: size, then DTD markup.
// The tree is built from SAX events on an explicit stack (no recursion), and
// nesting is capped while parsing, so hostile depth never reaches the call stack.
import { SaxesParser } from "saxes";
import { CwmpParseError } from "./errors.ts";

export interface XmlAttr {
  local: string;
  uri: string;
  value: string;
}

export interface XmlElement {
  local: string;
  uri: string;
  attrs: readonly XmlAttr[];
  children: readonly XmlElement[];
  /** Concatenated character data (text and CDATA) directly inside the element. */
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
}

export const NS = {
  soapEnv: "http://schemas.xmlsoap.org/soap/envelope/",
  soapEnc: "http://schemas.xmlsoap.org/soap/encoding/",
  xsd: "http://www.w3.org/2001/XMLSchema",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
} as const;

/**
 * Some CPEs use xsi:/xsd:/soap-env: prefixes without declaring them. Namespace
 * well-formedness would reject the whole message; resolving the usual prefixes
 * (and tagging any other unbound one) keeps such messages readable. Declared
 * prefixes always win: this is consulted only for unbound ones. A Map, so that
 * a prefix such as "constructor" never resolves to an Object.prototype member.
 */
const WELL_KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  ["soap-env", NS.soapEnv],
  ["SOAP-ENV", NS.soapEnv],
  ["soapenv", NS.soapEnv],
  ["soap", NS.soapEnv],
  ["soap-enc", NS.soapEnc],
  ["SOAP-ENC", NS.soapEnc],
  ["soapenc", NS.soapEnc],
  ["xsd", NS.xsd],
  ["xs", NS.xsd],
  ["xsi", NS.xsi],
]);

/** Namespace URI of a prefix no declaration binds; "" (no namespace) for an unprefixed name without a default namespace. */
function resolveUnboundPrefix(prefix: string): string {
  if (prefix === "") return "";
  return WELL_KNOWN_PREFIXES.get(prefix) ?? `urn:x-unbound-prefix:${prefix}`;
}

/** Markup that only exists in a DTD. CWMP never needs one; entity tricks (XXE, billion laughs) all need one. */
const DTD_MARKUP = /<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

const LEADING_JUNK = /^\uFEFF?[ \t\r\n]*/;
/** A UTF-16 surrogate without its pair: no character at all (bytes decoded as UTF-8 never hold one). */
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Decodes and size-checks the input; returns the text to parse. */
export function decodeInput(input: string | Buffer, maxBytes: number): string {
  let text: string;
  if (typeof input === "string") {
    // A string of n UTF-16 units is at least n UTF-8 bytes: skip the byte count when that already fails.
    if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) {
      throw new CwmpParseError("too_large", `message exceeds ${maxBytes} bytes`);
    }
    // saxes would read a lone high surrogate and the unit after it, even a '<', as one character.
    if (SURROGATE.test(input) && LONE_SURROGATE.test(input)) {
      throw new CwmpParseError("malformed", "malformed XML: lone UTF-16 surrogate");
    }
    text = input;
  } else {
    if (!Buffer.isBuffer(input)) throw new TypeError("parseEnvelope expects a string or a Buffer");
    if (input.length > maxBytes) {
      throw new CwmpParseError("too_large", `message of ${input.length} bytes exceeds ${maxBytes} bytes`);
    }
    text = input.toString("utf8");
  }
  // A BOM or stray whitespace before the XML declaration makes it ill-formed; some CPEs send both.
  // Nearly every body starts with "<": skip the regex replace then.
  return text.charCodeAt(0) === 0x3c ? text : text.replace(LEADING_JUNK, "");
}

/**
 * Whether "<!" occurs. CWMP bodies rarely hold one (no comments, CDATA or DTD), and a
 * one-character indexOf scans far faster than the case-insensitive regex (measured on
 * 2 KB / 120 KB bodies: 1.8 / 74 µs for the regex, 0.09 / 2.2 µs for this).
 */
function hasBangMarkup(text: string): boolean {
  for (let i = text.indexOf("!"); i !== -1; i = text.indexOf("!", i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 0x3c) return true;
  }
  return false;
}

export function rejectDtd(text: string): void {
  if (hasBangMarkup(text) && DTD_MARKUP.test(text)) {
    throw new CwmpParseError("dtd", "DOCTYPE/ENTITY declarations are not accepted");
  }
}

/**
 * TreeBuilder: namespaces are resolved here rather than by saxes (`xmlns: true`): saxes allocates a
 * namespace record per element and an attribute record, a Set and a qname split per tag,
 * which a 10,000-device profile put at ~40% of saxes' time (processAttribsNS 2.2% of ACS CPU,
 * resolve 0.7%, pushAttribNS 0.3%, qname 0.3%, of `write` 8.5%). CWMP declares a handful of
 * prefixes, nearly all on the Envelope, so a flat stack of declarations scanned from the top
 * is enough. Every namespace check saxes made in that mode is repeated below with saxes'
 * own message (via parser.fail, so it also carries the position): malformed QNames, an
 * "xmlns" element prefix, reserved xml/xmlns bindings, prefix undeclaration in XML 1.0,
 * attributes duplicated by expanded name, and colons in processing-instruction targets.
 * Measured with the parser reuse, shared empty arrays, DTD prefilter and lazy Reader paths
 * (CPU per parseEnvelope of a Buffer; one process per side, 6 alternations of 20,000 parses
 * of a 2.3 KB periodic Inform and 200 of a 168 KB 1,000-parameter GetParameterValuesResponse,
 * medians, busy 2-core box): Inform 87.9 -> 63.7 µs, GPV response 6.32 -> 4.56 ms (-28% each).
 */
const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * Shared by elements without attributes or children (most of a CWMP document): one array
 * fewer each, 3-5% of an Inform parse (in-process A/B). Frozen, so a stray push throws.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** The same checks saxes' namespace mode makes on a declaration (its nsPairCheck). */
function checkBinding(parser: SaxesParser, prefix: string, uri: string): void {
  if (prefix === "xml" && uri !== XML_NS) parser.fail(`xml prefix must be bound to ${XML_NS}.`);
  if (prefix === "xmlns" && uri !== XMLNS_NS) parser.fail(`xmlns prefix must be bound to ${XMLNS_NS}.`);
  if (uri === XMLNS_NS) {
    parser.fail(
      prefix === ""
        ? `the default namespace may not be set to ${uri}.`
        : `may not assign a prefix (even "xmlns") to the URI ${XMLNS_NS}.`,
    );
  } else if (uri === XML_NS && prefix !== "xml") {
    parser.fail(prefix === "" ? `the default namespace may not be set to ${uri}.` : "may not assign the xml namespace to another prefix.");
  }
}

/**
 * One parser and its scratch state, reused while parses succeed (a parser resets itself
 * on close); any throw discards it, since saxes is then mid-document. Parsing is
 * synchronous and the handlers call nothing outside this file, so it is never re-entered.
 */
class TreeBuilder {
  /**
   * At most 7 handlers: saxes' on() adds each as a keyed property, and an 8th turns the
   * parser into a dictionary-mode object in V8, making every parse ~9x slower (measured:
   * 23 -> 202 µs for a 2 KB Inform with no-op handlers).
   */
  readonly parser = new SaxesParser({ xmlns: false, position: true });
  maxDepth = 0;
  root: XmlElement | undefined;
  /** Open elements; marks[i] is the declaration count before stack[i]'s own declarations. */
  readonly stack: XmlElement[] = [];
  readonly marks: number[] = [];
  /** In-scope namespace declarations, innermost last; declTop of them are live. */
  readonly declPrefix: string[] = [];
  readonly declUri: string[] = [];
  declTop = 0;
  /** Declarations made by the start tag being read. */
  tagDecls = 0;
  /** Attributes of the start tag being read, uri filled in once all its declarations are known. */
  attrs: XmlAttr[] = NONE;
  readonly attrPrefix: string[] = [];

  constructor() {
    const p = this.parser;
    p.on("doctype", () => {
      throw new CwmpParseError("dtd", "DOCTYPE declarations are not accepted");
    });
    p.on("processinginstruction", (pi) => {
      // Namespace mode takes PI targets as NCNames: no colon.
      if (pi.target.includes(":")) p.fail("disallowed character in processing instruction name.");
    });
    p.on("attribute", (a) => this.attribute(a.name, a.value));
    p.on("opentag", (tag) => this.open(tag.name));
    p.on("closetag", () => {
      this.stack.pop();
      this.declTop = this.marks.pop()!;
    });
    const onText = (t: string): void => {
      const top = this.stack[this.stack.length - 1];
      if (top) top.text += t;
    };
    p.on("text", onText);
    p.on("cdata", onText);
  }

  /** Index of the colon of a prefixed name, -1 when unprefixed; fails on a malformed QName. */
  private colon(name: string): number {
    const c = name.indexOf(":");
    if (c !== -1 && (c === 0 || c === name.length - 1 || name.indexOf(":", c + 1) !== -1)) {
      this.parser.fail(`malformed name: ${name}.`);
    }
    return c;
  }

  private declare(prefix: string, uri: string): void {
    this.declPrefix[this.declTop] = prefix;
    this.declUri[this.declTop++] = uri;
    this.tagDecls++;
    checkBinding(this.parser, prefix, uri);
  }

  private attribute(name: string, value: string): void {
    const c = this.colon(name);
    const prefix = c === -1 ? "" : name.slice(0, c);
    const local = c === -1 ? name : name.slice(c + 1);
    if (prefix === "xmlns") {
      const uri = value.trim();
      const version = this.parser.xmlDecl.version;
      if (uri === "" && (version === undefined || version === "1.0")) {
        this.parser.fail("invalid attempt to undefine prefix in XML 1.0");
      }
      this.declare(local, uri);
    } else if (name === "xmlns") {
      this.declare("", value.trim());
    }
    if (this.attrs === NONE) this.attrs = [];
    this.attrs.push({ local, uri: "", value });
    this.attrPrefix.push(prefix);
  }

  /** Innermost declaration wins, then the predefined xml/xmlns, then the usual CWMP prefixes. */
  resolve(prefix: string): string {
    const { declPrefix } = this;
    for (let i = this.declTop - 1; i >= 0; i--) if (declPrefix[i] === prefix) return this.declUri[i]!;
    if (prefix === "xml") return XML_NS;
    if (prefix === "xmlns") return XMLNS_NS;
    return resolveUnboundPrefix(prefix);
  }

  private open(name: string): void {
    const { parser, stack } = this;
    const c = this.colon(name);
    let local = name;
    let uri: string;
    if (c === -1) {
      uri = this.resolve("");
    } else {
      const prefix = name.slice(0, c);
      local = name.slice(c + 1);
      if (prefix === "xmlns") parser.fail('tags may not have "xmlns" as prefix.');
      uri = this.resolve(prefix);
      if (uri === "") parser.fail(`unbound namespace prefix: ${JSON.stringify(prefix)}.`);
    }
    const { attrs, attrPrefix } = this;
    if (attrs !== NONE) {
      let prefixed = 0;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs[i]!;
        const prefix = attrPrefix[i]!;
        // Attributes take no default namespace; an unprefixed xmlns is itself in the xmlns namespace.
        if (prefix === "") {
          if (a.local === "xmlns") a.uri = XMLNS_NS;
          continue;
        }
        a.uri = this.resolve(prefix);
        // saxes has already refused a repeated name; two prefixes bound to one URI remain.
        for (let j = 0; j < i && prefixed > 0; j++) {
          const b = attrs[j]!;
          if (attrPrefix[j] !== "" && b.local === a.local && b.uri === a.uri) parser.fail(`duplicate attribute: {${a.uri}}${a.local}.`);
        }
        prefixed++;
      }
      attrPrefix.length = 0;
    }
    if (stack.length >= this.maxDepth) {
      throw new CwmpParseError("too_deep", `element nesting exceeds ${this.maxDepth} levels`);
    }
    const el: XmlElement = { local, uri, attrs, children: NONE, text: "" };
    this.attrs = NONE;
    const parent = stack[stack.length - 1];
    if (!parent) this.root = el;
    else if (parent.children === NONE) parent.children = [el];
    else (parent.children as XmlElement[]).push(el);
    stack.push(el);
    this.marks.push(this.declTop - this.tagDecls);
    this.tagDecls = 0;
  }

  parse(text: string, maxDepth: number): XmlElement | undefined {
    this.maxDepth = maxDepth;
    this.parser.write(text).close();
    const root = this.root;
    this.root = undefined;
    return root;
  }
}

let builder: TreeBuilder | undefined;

/** Parses well-formed XML into a tree; throws CwmpParseError (malformed, too_deep, dtd). */
export function parseXmlTree(text: string, maxDepth: number): XmlElement {
  const b = builder ?? new TreeBuilder();
  builder = undefined;
  let root: XmlElement | undefined;
  try {
    root = b.parse(text, maxDepth);
  } catch (err) {
    if (err instanceof CwmpParseError) throw err;
    let detail = err instanceof Error ? err.message : String(err);
    // saxes (plain mode) refuses a repeated attribute name before we see the tag; in namespace
    // mode it named a prefixed one by its expanded name: keep that message.
    const dup = / duplicate attribute: ([^:{}]+):([^:]+)\.$/.exec(detail);
    if (dup) detail = `${detail.slice(0, dup.index)} duplicate attribute: {${b.resolve(dup[1]!)}}${dup[2]}.`;
    throw new CwmpParseError("malformed", `malformed XML: ${detail}`, { cause: err });
  }
  builder = b;
  if (!root) throw new CwmpParseError("malformed", "malformed XML: no root element");
  return root;
}
