// Namespace resolution done by acs/cwmp/codec/xml-tree.ts itself (saxes runs without its
// namespace mode): prefixes declared on inner elements, redeclared and undeclared prefixes,
// default namespaces, attribute namespaces, the namespace well-formedness errors, and
// that no scope survives from one parse to the next.
import { describe, expect, it } from "vitest";
import { CwmpParseError, parseEnvelope } from "../../acs/cwmp/codec.ts";
import { parseXmlTree, type XmlElement } from "../../acs/cwmp/codec/xml-tree.ts";
import { CWMP_NAMESPACES } from "../../acs/cwmp/messages.ts";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const XMLNS = "http://www.w3.org/2000/xmlns/";
const XML = "http://www.w3.org/XML/1998/namespace";
const GET_RPC_RESPONSE = "<MethodList><string>Inform</string></MethodList>";

function reason(input: string): string {
  try {
    parseEnvelope(input);
  } catch (err) {
    if (err instanceof CwmpParseError) return `${err.reason}: ${err.message}`;
    throw err;
  }
  throw new Error("expected a CwmpParseError");
}

/** [local, uri] of every element, depth first. */
function names(el: XmlElement): [string, string][] {
  return [[el.local, el.uri], ...el.children.flatMap(names)];
}

describe("cwmp prefix declared below the Envelope", () => {
  for (const ns of CWMP_NAMESPACES) {
    it(`finds ${ns} declared on the Body`, () => {
      const xml =
        `<s:Envelope xmlns:s="${SOAP}"><s:Body xmlns:c="${ns}">` +
        `<c:GetRPCMethodsResponse>${GET_RPC_RESPONSE}</c:GetRPCMethodsResponse></s:Body></s:Envelope>`;
      expect(parseEnvelope(xml)).toStrictEqual({
        namespace: ns,
        body: { kind: "GetRPCMethodsResponse", methodList: ["Inform"] },
      });
    });

    it(`finds ${ns} declared on the method element itself, under any prefix`, () => {
      const xml =
        `<soap-env:Envelope xmlns:soap-env="${SOAP}"><soap-env:Body>` +
        `<x9:GetRPCMethodsResponse xmlns:x9="${ns}">${GET_RPC_RESPONSE}</x9:GetRPCMethodsResponse>` +
        `</soap-env:Body></soap-env:Envelope>`;
      expect(parseEnvelope(xml)?.namespace).toBe(ns);
    });
  }

  it("finds the namespace of a header element that declares it, with an empty Body", () => {
    const xml =
      `<soap-env:Envelope xmlns:soap-env="${SOAP}"><soap-env:Header>` +
      `<cwmp:ID xmlns:cwmp="urn:dslforum-org:cwmp-1-3" soap-env:mustUnderstand="1">h-1</cwmp:ID>` +
      `</soap-env:Header><soap-env:Body/></soap-env:Envelope>`;
    expect(parseEnvelope(xml)).toBeNull();
    const root = parseXmlTree(xml, 64);
    expect(root.children[0]!.children[0]).toMatchObject({ local: "ID", uri: "urn:dslforum-org:cwmp-1-3", text: "h-1" });
  });
});

describe("scopes", () => {
  it("lets an inner redeclaration win, and restores the outer binding when its element closes", () => {
    const xml =
      `<soap-env:Envelope xmlns:soap-env="${SOAP}" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Body>` +
      `<cwmp:GetRPCMethodsResponse xmlns:cwmp="urn:dslforum-org:cwmp-1-4">${GET_RPC_RESPONSE}</cwmp:GetRPCMethodsResponse>` +
      `</soap-env:Body></soap-env:Envelope>`;
    expect(parseEnvelope(xml)?.namespace).toBe("urn:dslforum-org:cwmp-1-4");

    const tree = parseXmlTree('<p:a xmlns:p="urn:outer"><p:b xmlns:p="urn:inner"><p:c/></p:b><p:d/></p:a>', 64);
    expect(names(tree)).toStrictEqual([
      ["a", "urn:outer"],
      ["b", "urn:inner"],
      ["c", "urn:inner"],
      ["d", "urn:outer"],
    ]);
  });

  it("ends a prefix declared on an element with that element (a later sibling sees it unbound)", () => {
    const tree = parseXmlTree('<r><a xmlns:p="urn:p"><p:x/></a><p:y/><xsi:z/></r>', 64);
    expect(names(tree)).toStrictEqual([
      ["r", ""],
      ["a", ""],
      ["x", "urn:p"],
      ["y", "urn:x-unbound-prefix:p"],
      ["z", "http://www.w3.org/2001/XMLSchema-instance"],
    ]);
  });

  it("a declared prefix wins over the well-known meaning of its name", () => {
    const tree = parseXmlTree('<xsi:a xmlns:xsi="urn:not-xsi"><xsi:b/></xsi:a>', 64);
    expect(names(tree)).toStrictEqual([
      ["a", "urn:not-xsi"],
      ["b", "urn:not-xsi"],
    ]);
  });

  it("applies a default namespace to unprefixed elements only, and xmlns=\"\" undeclares it", () => {
    const tree = parseXmlTree(
      '<a xmlns="urn:d" xmlns:p="urn:p" x="1" p:y="2"><b><c xmlns=""><d/></c><e/></b><p:f/></a>',
      64,
    );
    expect(names(tree)).toStrictEqual([
      ["a", "urn:d"],
      ["b", "urn:d"],
      ["c", ""],
      ["d", ""],
      ["e", "urn:d"],
      ["f", "urn:p"],
    ]);
    // Attributes never take the default namespace; declarations are in the xmlns namespace.
    expect(tree.attrs).toStrictEqual([
      { local: "xmlns", uri: XMLNS, value: "urn:d" },
      { local: "p", uri: XMLNS, value: "urn:p" },
      { local: "x", uri: "", value: "1" },
      { local: "y", uri: "urn:p", value: "2" },
    ]);
  });

  it("resolves an attribute prefix declared later in the same start tag, and the xml prefix", () => {
    const tree = parseXmlTree('<a q:v="1" xml:lang="fr" xmlns:q=" urn:q "/>', 64);
    expect(tree.attrs).toStrictEqual([
      { local: "v", uri: "urn:q", value: "1" },
      { local: "lang", uri: XML, value: "fr" },
      // The binding is trimmed; the attribute keeps its value as sent.
      { local: "q", uri: XMLNS, value: " urn:q " },
    ]);
  });

  it("keeps nothing from one parse to the next, after a success or a failure", () => {
    expect(names(parseXmlTree('<a xmlns:p="urn:first"><p:b/></a>', 64))).toStrictEqual([
      ["a", ""],
      ["b", "urn:first"],
    ]);
    expect(() => parseXmlTree('<a xmlns:p="urn:second" xmlns="urn:d"><p:b>', 64)).toThrow(CwmpParseError);
    expect(() => parseXmlTree('<a xmlns:p="urn:third"><b><c><d/></c></b></a>', 3)).toThrow(/nesting exceeds 3/);
    expect(names(parseXmlTree("<p:a><b/></p:a>", 64))).toStrictEqual([
      ["a", "urn:x-unbound-prefix:p"],
      ["b", ""],
    ]);
  });
});

describe("namespace well-formedness errors stay malformed", () => {
  const env = (inner: string, decl = "") =>
    `${decl}<soap-env:Envelope xmlns:soap-env="${SOAP}" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap-env:Body>${inner}</soap-env:Body></soap-env:Envelope>`;

  for (const [what, xml, message] of [
    ["a name with two colons", env("<cwmp:a:b/>"), "malformed name: cwmp:a:b."],
    ["an attribute name with an empty prefix", env('<cwmp:Reboot :k="1"/>'), "malformed name: :k."],
    ["an attribute name with an empty local part", env('<cwmp:Reboot k:="1"/>'), "malformed name: k:."],
    ["an element in the xmlns prefix", env("<xmlns:Reboot/>"), 'tags may not have "xmlns" as prefix.'],
    ["undeclaring a prefix in XML 1.0", env('<cwmp:Reboot xmlns:p=""/>'), "invalid attempt to undefine prefix in XML 1.0"],
    ["rebinding xml", env('<a xmlns:xml="urn:x"/>'), "xml prefix must be bound to"],
    ["binding xmlns", env('<a xmlns:xmlns="urn:x"/>'), "xmlns prefix must be bound to"],
    ["binding a prefix to the xmlns namespace", env(`<a xmlns:q="${XMLNS}"/>`), 'may not assign a prefix (even "xmlns")'],
    ["a default namespace of xml", env(`<a xmlns="${XML}"/>`), "the default namespace may not be set to"],
    ["binding another prefix to the xml namespace", env(`<a xmlns:q="${XML}"/>`), "may not assign the xml namespace to another prefix."],
    [
      "one attribute under two prefixes of one namespace",
      env('<a xmlns:p="urn:s" xmlns:q="urn:s" p:k="1" q:k="2"/>'),
      "duplicate attribute: {urn:s}k.",
    ],
    ["a repeated prefixed attribute, named by its namespace", env('<a xmlns:p="urn:s" p:k="1" p:k="2"/>'), "duplicate attribute: {urn:s}k."],
    ["a colon in a processing instruction target", env("<?a:b data?>"), "disallowed character in processing instruction name."],
    [
      "using a prefix undeclared in XML 1.1",
      env('<p:a xmlns:p="urn:p"><p:b xmlns:p=""/></p:a>', '<?xml version="1.1"?>'),
      'unbound namespace prefix: "p".',
    ],
  ] as const) {
    it(`rejects ${what}`, () => {
      const got = reason(xml);
      expect(got.startsWith("malformed: malformed XML: ")).toBe(true);
      expect(got).toContain(message);
    });
  }

  it("still accepts what namespaces allow: xml bound to its own namespace, undeclaring in XML 1.1", () => {
    expect(parseXmlTree(`<a xmlns:xml="${XML}" xml:lang="fr"/>`, 64).attrs[1]).toStrictEqual({ local: "lang", uri: XML, value: "fr" });
    const tree = parseXmlTree('<?xml version="1.1"?><p:a xmlns:p="urn:p"><b xmlns:p=""/></p:a>', 64);
    expect(names(tree)).toStrictEqual([
      ["a", "urn:p"],
      ["b", ""],
    ]);
  });
});
