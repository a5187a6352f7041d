// Untrusted bytes -> a small namespace-resolved element tree, via saxes.
// Guards run before the XML parser sees anything: size, then DTD markup.
// The tree is built from SAX events on an explicit stack (no recursion), and
// nesting is capped while parsing, so hostile depth never reaches the call stack.
import { SaxesParser, type SaxesTagNS } from "saxes";
import { CwmpParseError } from "./errors.ts";

export interface XmlAttr {
  local: string;
  uri: string;
  value: string;
}

export interface XmlElement {
  local: string;
  uri: string;
  attrs: XmlAttr[];
  children: XmlElement[];
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
 * prefixes always win: saxes consults this only for unbound ones. A Map, so that
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
  return text.replace(LEADING_JUNK, "");
}

export function rejectDtd(text: string): void {
  if (DTD_MARKUP.test(text)) {
    throw new CwmpParseError("dtd", "DOCTYPE/ENTITY declarations are not accepted");
  }
}

/** Parses well-formed XML into a tree; throws CwmpParseError (malformed, too_deep, dtd). */
export function parseXmlTree(text: string, maxDepth: number): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true, resolvePrefix: resolveUnboundPrefix });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  parser.on("doctype", () => {
    throw new CwmpParseError("dtd", "DOCTYPE declarations are not accepted");
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    if (stack.length >= maxDepth) {
      throw new CwmpParseError("too_deep", `element nesting exceeds ${maxDepth} levels`);
    }
    const attrs: XmlAttr[] = [];
    for (const key in tag.attributes) {
      const a = tag.attributes[key]!;
      attrs.push({ local: a.local, uri: a.uri, value: a.value });
    }
    const el: XmlElement = { local: tag.local, uri: tag.uri, attrs, children: [], text: "" };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const onText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof CwmpParseError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new CwmpParseError("malformed", `malformed XML: ${detail}`, { cause: err });
  }
  if (!root) throw new CwmpParseError("malformed", "malformed XML: no root element");
  return root;
}
