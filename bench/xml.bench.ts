// XML library benchmark for the CWMP codec: parse rate of a realistic Inform and a
// 1,000-parameter GetParameterValuesResponse, every library in the same run, plus
// our parseEnvelope end to end (bytes -> typed message). Also probes robustness:
// does the library reject malformed input, and does it survive 100k nested elements?
// Run alone: npx tsx bench/xml.bench.ts [--quick]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DOMParser, onErrorStopParsing } from "@xmldom/xmldom";
import { XMLParser } from "fast-xml-parser";
import sax from "sax";
// txml/txml: the package root's types re-export without a file extension, which NodeNext cannot follow.
import * as txml from "txml/txml";
import { parseEnvelope, serializeEnvelope } from "../acs/cwmp/codec.ts";
import { parseXmlTree } from "../acs/cwmp/codec/xml-tree.ts";
import type { ParameterValue } from "../acs/cwmp/messages.ts";

type Parse = (xml: string) => unknown;

/** A tree like the one the codec builds, so the sax figure is comparable to saxes'. */
interface Node {
  name: string;
  children: Node[];
  text: string;
}
function saxTree(xml: string): Node {
  const parser = sax.parser(true, { xmlns: true });
  const stack: Node[] = [];
  let root: Node | undefined;
  parser.onopentag = (tag) => {
    const node: Node = { name: tag.name, children: [], text: "" };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.onerror = (err) => {
    throw err;
  };
  parser.write(xml).close();
  if (!root) throw new Error("no root");
  return root;
}

const fxp = new XMLParser({ ignoreAttributes: false });
// Stop at the first error instead of logging it and carrying on.
const xmldom = new DOMParser({ onError: onErrorStopParsing });
const LIBS: Record<string, Parse> = {
  fast_xml_parser: (xml) => fxp.parse(xml),
  saxes: (xml) => parseXmlTree(xml, Number.MAX_SAFE_INTEGER),
  sax: saxTree,
  xmldom: (xml) => xmldom.parseFromString(xml, "text/xml"),
  txml: (xml) => txml.parse(xml),
  codec: (xml) => parseEnvelope(xml),
};

function gpv1000(): string {
  const types = ["xsd:string", "xsd:unsignedInt", "xsd:unsignedLong", "xsd:boolean", "xsd:int"] as const;
  const values = ["ISP-Home-4F2A", "36", "18446744073709551615", "true", "-19870"];
  const parameterList: ParameterValue[] = [];
  for (let i = 0; i < 1000; i++) {
    const k = i % types.length;
    parameterList.push({ name: `Device.IP.Interface.${(i >> 4) + 1}.Stats.Counter${i}`, value: values[k]!, type: types[k]! });
  }
  return serializeEnvelope({
    namespace: "urn:dslforum-org:cwmp-1-2",
    id: "acs-0042",
    body: { kind: "GetParameterValuesResponse", parameterList },
  });
}

function opsPerSecond(parse: Parse, xml: string, ms: number): number {
  const start = performance.now();
  let n = 0;
  let elapsed = 0;
  do {
    parse(xml);
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (n * 1000) / elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** 1 if the library throws on this input (it noticed), 0 if it returned something. */
function rejects(parse: Parse, xml: string): number {
  try {
    parse(xml);
    return 0;
  } catch {
    return 1;
  }
}

/** 1 if parsing 100k nested elements neither overflows the stack nor crashes (a clean rejection counts). */
function survivesDepth(parse: Parse, xml: string): number {
  try {
    parse(xml);
    return 1;
  } catch (err) {
    return err instanceof RangeError ? 0 : 1;
  }
}

export async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const docs = {
    inform: readFileSync(fileURLToPath(new URL("../test/fixtures/cwmp/inform-easycwmp.xml", import.meta.url)), "utf8"),
    gpv1000: gpv1000(),
  };
  const probes = {
    truncated: docs.inform.slice(0, Math.floor(docs.inform.length * 0.6)),
    mismatched: docs.inform.replace("</DeviceId>", "</DeviceID>"),
    deep: "<a>".repeat(100_000) + "</a>".repeat(100_000),
  };
  const rounds = opts.quick ? 3 : 7;
  const roundMs = opts.quick ? 150 : 750;

  const check = parseEnvelope(docs.gpv1000);
  if (check?.body.kind !== "GetParameterValuesResponse" || check.body.parameterList.length !== 1000) {
    throw new Error("codec sanity check failed on the GPV fixture");
  }

  // Rounds interleave the libraries so that machine noise hits all of them alike.
  const samples = new Map<string, number[]>();
  for (let round = -1; round < rounds; round++) {
    for (const [lib, parse] of Object.entries(LIBS)) {
      for (const [doc, xml] of Object.entries(docs)) {
        const ops = opsPerSecond(parse, xml, round < 0 ? roundMs / 3 : roundMs);
        if (round < 0) continue; // warm-up round
        const key = `xml.${lib}.${doc}_ops_s`;
        samples.set(key, [...(samples.get(key) ?? []), ops]);
      }
    }
  }

  const out: Record<string, number> = {};
  const rows: Record<string, Record<string, number | string>> = {};
  for (const [lib, parse] of Object.entries(LIBS)) {
    const row: Record<string, number | string> = {};
    for (const doc of Object.keys(docs)) {
      const ops = Math.round(median(samples.get(`xml.${lib}.${doc}_ops_s`)!));
      out[`xml.${lib}.${doc}_ops_s`] = ops;
      row[`${doc} ops/s`] = ops;
    }
    const rejectsMalformed = rejects(parse, probes.truncated) & rejects(parse, probes.mismatched);
    const depthOk = survivesDepth(parse, probes.deep);
    out[`xml.${lib}.rejects_malformed`] = rejectsMalformed;
    out[`xml.${lib}.survives_100k_depth`] = depthOk;
    row["rejects malformed"] = rejectsMalformed ? "yes" : "no";
    row["100k nesting"] = depthOk ? "ok" : "stack overflow";
    rows[lib] = row;
  }
  console.log(
    `XML parse rate, median of ${rounds} rounds of ${roundMs} ms ` +
      `(inform ${docs.inform.length} B, gpv1000 ${docs.gpv1000.length} B; saxes/sax build the codec's element tree, codec = parseEnvelope to typed message)`,
  );
  console.table(rows);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run({ quick: process.argv.includes("--quick") }).then((r) => console.log(r));
}
