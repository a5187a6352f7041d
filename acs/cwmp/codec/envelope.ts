// SOAP Envelope <-> Envelope: CWMP headers, namespace version, one Body element.
import { CWMP_NAMESPACES, type CwmpMessage, type CwmpNamespace, type Envelope } from "../messages.ts";
import { CwmpParseError } from "./errors.ts";
import { Reader } from "./read.ts";
import { codecFor, writeBody } from "./registry.ts";
import { boolText, escapeAttr, escapeText, type WriteOptions } from "./write.ts";
import { NS, type XmlElement } from "./xml-tree.ts";

const CWMP_NS = /^urn:dslforum-org:cwmp-1-\d+$/;
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
/** When a message names no cwmp namespace at all, answer in the oldest one: every CPE understands it. */
const FALLBACK_NS: CwmpNamespace = "urn:dslforum-org:cwmp-1-0";

function isCwmp(uri: string): boolean {
  return CWMP_NS.test(uri);
}

/**
 * The sender's cwmp namespace: the method element's, else the cwmp:Fault detail's,
 * else a header's, else one declared on the Envelope.
 */
function findNamespace(root: XmlElement, header: XmlElement | undefined, method: XmlElement | undefined): string | undefined {
  const candidates: string[] = [];
  if (method) {
    candidates.push(method.uri);
    const detail = method.children.find((c) => c.local === "detail");
    for (const c of detail?.children ?? []) candidates.push(c.uri);
  }
  for (const h of header?.children ?? []) candidates.push(h.uri);
  for (const a of root.attrs) if (a.uri === XMLNS_NS) candidates.push(a.value);
  return candidates.find(isCwmp);
}

function toKnownNamespace(uri: string | undefined): CwmpNamespace {
  if (uri === undefined) return FALLBACK_NS;
  const known = CWMP_NAMESPACES.find((ns) => ns === uri);
  if (!known) throw new CwmpParseError("invalid", `unsupported CWMP namespace ${uri}`);
  return known;
}

type Headers = Omit<Envelope, "namespace" | "body">;

function readHeaders(header: XmlElement | undefined): Headers {
  const h: Headers = {};
  if (!header) return h;
  const r = new Reader(header, "Header");
  // ID is echoed back byte for byte, so it is kept untrimmed.
  if (r.has("ID")) h.id = r.raw("ID");
  if (r.has("HoldRequests")) h.holdRequests = r.bool("HoldRequests");
  if (r.has("SessionTimeout")) h.sessionTimeout = r.int("SessionTimeout", { min: 0 });
  if (r.has("SupportedCWMPVersions")) h.supportedCWMPVersions = r.str("SupportedCWMPVersions");
  if (r.has("UseCWMPVersion")) h.useCWMPVersion = r.str("UseCWMPVersion");
  if (r.has("NoMoreRequests")) h.noMoreRequests = r.bool("NoMoreRequests");
  return h;
}

/** Reads a parsed document; null when the SOAP Body is empty (same meaning as an empty POST). */
export function readEnvelope(root: XmlElement): Envelope | null {
  if (root.local !== "Envelope") {
    throw new CwmpParseError("not_soap", `root element <${root.local}> is not a SOAP Envelope`);
  }
  const header = root.children.find((c) => c.local === "Header");
  const body = root.children.find((c) => c.local === "Body");
  if (!body) throw new CwmpParseError("not_soap", "SOAP Body is missing");
  if (body.children.length > 1) {
    throw new CwmpParseError("invalid", `SOAP Body holds ${body.children.length} elements; CWMP allows one`);
  }
  const methodEl = body.children[0];
  const namespace = toKnownNamespace(findNamespace(root, header, methodEl));
  let headers: Headers;
  try {
    headers = readHeaders(header);
  } catch (err) {
    if (err instanceof CwmpParseError) err.namespace = namespace;
    throw err;
  }
  if (!methodEl) return null;

  const method = methodEl.local;
  const context = { method, namespace, ...(headers.id !== undefined && { id: headers.id }) };
  const codec = codecFor(method);
  if (!codec) throw new CwmpParseError("unknown_method", `unknown CWMP method ${method}`, context);
  let msg: CwmpMessage;
  try {
    msg = codec.read(new Reader(methodEl, method));
  } catch (err) {
    // "invalid" carries the same context so the ACS can fault in the right namespace with the right ID.
    if (err instanceof CwmpParseError) Object.assign(err, context);
    throw err;
  }
  return { namespace, ...headers, body: msg };
}

function writeHeaders(env: Envelope, o: WriteOptions): string {
  let h = "";
  if (env.id !== undefined) h += `<cwmp:ID soap-env:mustUnderstand="1">${escapeText(env.id)}</cwmp:ID>`;
  if (env.holdRequests !== undefined) {
    h += `<cwmp:HoldRequests soap-env:mustUnderstand="1">${boolText(env.holdRequests, o)}</cwmp:HoldRequests>`;
  }
  if (env.sessionTimeout !== undefined) {
    if (!Number.isSafeInteger(env.sessionTimeout)) throw new TypeError("sessionTimeout must be an integer");
    h += `<cwmp:SessionTimeout soap-env:mustUnderstand="0">${env.sessionTimeout}</cwmp:SessionTimeout>`;
  }
  if (env.supportedCWMPVersions !== undefined) {
    h +=
      `<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">` +
      `${escapeText(env.supportedCWMPVersions)}</cwmp:SupportedCWMPVersions>`;
  }
  if (env.useCWMPVersion !== undefined) {
    h += `<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">${escapeText(env.useCWMPVersion)}</cwmp:UseCWMPVersion>`;
  }
  if (env.noMoreRequests !== undefined) {
    h += `<cwmp:NoMoreRequests>${boolText(env.noMoreRequests, o)}</cwmp:NoMoreRequests>`;
  }
  return h === "" ? "" : `<soap-env:Header>${h}</soap-env:Header>`;
}

export function writeEnvelope(env: Envelope, o: WriteOptions): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap-env:Envelope xmlns:soap-env="${NS.soapEnv}" xmlns:soap-enc="${NS.soapEnc}"` +
    ` xmlns:xsd="${NS.xsd}" xmlns:xsi="${NS.xsi}" xmlns:cwmp="${escapeAttr(env.namespace)}">` +
    writeHeaders(env, o) +
    `<soap-env:Body>${writeBody(env.body, o)}</soap-env:Body></soap-env:Envelope>`
  );
}
