// What we serialise is valid against the Broadband Forum CWMP schemas, checked with
// libxml2 (xmllint-wasm), and a schema-invalid message is caught.
//
// The BBF schemas import the SOAP 1.1 envelope and encoding schemas by URL and 1-3/1-4
// include their predecessors by URL. The tests run offline, so the schema text is read
// from ../shared/data/bbf (unchanged on disk), its schemaLocation URLs are pointed at
// in-memory file names, and the two SOAP schemas are the minimal stubs in
// test/fixtures/xsd/ (see their headers). The envelope stub validates the Body strictly,
// so a Body element the cwmp schema does not declare fails instead of being skipped.
//
// No schema defines urn:dslforum-org:cwmp-1-3 or -1-4: CWMP 1.3 and 1.4 are protocol
// versions inside namespace cwmp-1-2 (cwmp-1-3.xsd/cwmp-1-4.xsd). Messages we write in
// those namespaces are checked by renaming the namespace to cwmp-1-2 and validating
// against cwmp-1-3.xsd / cwmp-1-4.xsd, which also cover their new headers.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateXML, type XMLValidationResult } from "xmllint-wasm";
import { serializeEnvelope } from "../../acs/cwmp/codec.ts";
import type { CwmpNamespace, Envelope } from "../../acs/cwmp/messages.ts";
import { NOT_IN_CWMP_1_0, SAMPLES, sampleEnvelopes } from "../fixtures/cwmp/samples.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bbfDir = path.resolve(repoRoot, "../shared/data/bbf");
const stubDir = path.resolve(repoRoot, "test/fixtures/xsd");

type SchemaVersion = "1-0" | "1-1" | "1-2" | "1-3" | "1-4";

function offline(xsd: string): string {
  return xsd
    .replaceAll('schemaLocation="http://schemas.xmlsoap.org/soap/envelope/"', 'schemaLocation="soap-envelope.xsd"')
    .replaceAll('schemaLocation="http://schemas.xmlsoap.org/soap/encoding/"', 'schemaLocation="soap-encoding.xsd"')
    .replaceAll('schemaLocation="http://www.broadband-forum.org/cwmp/', 'schemaLocation="');
}

const schemaFiles = [
  ...["soap-envelope.xsd", "soap-encoding.xsd"].map((f) => ({ fileName: f, contents: readFileSync(path.join(stubDir, f), "utf8") })),
  ...(["1-0", "1-1", "1-2", "1-3", "1-4"] as const).map((v) => ({
    fileName: `cwmp-${v}.xsd`,
    contents: offline(readFileSync(path.join(bbfDir, `cwmp-${v}.xsd`), "utf8")),
  })),
];

/** Validates whole envelopes against the SOAP stubs plus one BBF schema, in one xmllint run. */
async function validate(version: SchemaVersion, docs: Record<string, string>): Promise<XMLValidationResult> {
  const targetNs = `urn:dslforum-org:cwmp-${version === "1-3" || version === "1-4" ? "1-2" : version}`;
  const driver =
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-flexacs:schema-test">' +
    '<xs:import namespace="http://schemas.xmlsoap.org/soap/envelope/" schemaLocation="soap-envelope.xsd"/>' +
    `<xs:import namespace="${targetNs}" schemaLocation="cwmp-${version}.xsd"/></xs:schema>`;
  return validateXML({
    xml: Object.entries(docs).map(([fileName, contents]) => ({ fileName: `${fileName}.xml`, contents })),
    schema: [{ fileName: "driver.xsd", contents: driver }],
    preload: schemaFiles,
  });
}

function errorsOf(result: XMLValidationResult): string[] {
  return result.errors.map((e) => e.rawMessage);
}

function documents(namespace: CwmpNamespace, skip: readonly string[] = []): Record<string, string> {
  const docs: Record<string, string> = {};
  for (const env of sampleEnvelopes(namespace)) {
    if (skip.includes(env.body.kind)) continue;
    docs[env.body.kind] = serializeEnvelope(env);
    docs[`${env.body.kind}-digits`] = serializeEnvelope(env, { booleanLiteral: "digit" });
  }
  return docs;
}

describe("serialised messages are valid against the BBF schemas", () => {
  it("cwmp-1-0: every message kind CWMP 1.0 defines", async () => {
    const docs = documents("urn:dslforum-org:cwmp-1-0", NOT_IN_CWMP_1_0);
    const result = await validate("1-0", docs);
    expect(errorsOf(result)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  for (const version of ["1-1", "1-2"] as const) {
    it(`cwmp-${version}: every message kind`, async () => {
      const docs = documents(`urn:dslforum-org:cwmp-${version}`);
      expect(Object.keys(docs)).toHaveLength(2 * Object.keys(SAMPLES).length);
      const result = await validate(version, docs);
      expect(errorsOf(result)).toEqual([]);
      expect(result.valid).toBe(true);
    });
  }

  for (const version of ["1-3", "1-4"] as const) {
    it(`cwmp-${version}: every message kind, with the ${version} headers, against cwmp-${version}.xsd`, async () => {
      const namespace = `urn:dslforum-org:cwmp-${version}` as const;
      const docs: Record<string, string> = {};
      for (const env of sampleEnvelopes(namespace)) {
        const withHeaders: Envelope = {
          ...env,
          holdRequests: false,
          sessionTimeout: 30,
          ...(version === "1-4" && { supportedCWMPVersions: "1.0,1.1,1.2,1.3,1.4", useCWMPVersion: "1.4" }),
        };
        docs[env.body.kind] = serializeEnvelope(withHeaders).replace(namespace, "urn:dslforum-org:cwmp-1-2");
      }
      const result = await validate(version, docs);
      expect(errorsOf(result)).toEqual([]);
      expect(result.valid).toBe(true);
    });
  }
});

describe("schema-invalid messages are detected", () => {
  const ns = "urn:dslforum-org:cwmp-1-2";
  const inform = serializeEnvelope({ namespace: ns, id: "1", body: SAMPLES.Inform });

  it("flags each broken message, and only those", async () => {
    const docs = {
      valid: inform,
      // The serialiser writes what it is given: a bad OUI and a bad event code reach the wire.
      badValues: serializeEnvelope({
        namespace: ns,
        body: { ...SAMPLES.Inform, deviceId: { ...SAMPLES.Inform.deviceId, oui: "a0b1c2" }, events: [{ eventCode: "BOOT", commandKey: "" }] },
      }),
      reordered: inform.replace(/(<MaxEnvelopes>1<\/MaxEnvelopes>)(<CurrentTime>[^<]*<\/CurrentTime>)/, "$2$1"),
      noArrayType: inform.replace(' soap-enc:arrayType="cwmp:EventStruct[2]"', ""),
      idWithoutMustUnderstand: inform.replace('<cwmp:ID soap-env:mustUnderstand="1">', "<cwmp:ID>"),
      undeclaredMethod: inform.replace(/cwmp:Inform>/g, "cwmp:Infrom>"),
      badSessionTimeout: serializeEnvelope({ namespace: ns, body: SAMPLES.InformResponse }).replace(
        "<soap-env:Body>",
        "<soap-env:Header><cwmp:SessionTimeout>soon</cwmp:SessionTimeout></soap-env:Header><soap-env:Body>",
      ),
    };
    for (const [name, xml] of Object.entries(docs)) if (name !== "valid") expect(xml, name).not.toBe(inform);

    const result = await validate("1-3", docs);
    expect(result.valid).toBe(false);
    // Errors with a location name the failing file ("<file> fails to validate" lines have none).
    const failed = new Set(result.errors.flatMap((e) => (e.loc ? [e.loc.fileName] : [])));
    expect([...failed].sort()).toEqual(
      Object.keys(docs)
        .filter((d) => d !== "valid")
        .map((d) => `${d}.xml`)
        .sort(),
    );
    const messages = errorsOf(result).join("\n");
    expect(messages).toMatch(/badValues\.xml.*'OUI'.*pattern/);
    expect(messages).toMatch(/badValues\.xml.*'EventCode'/);
    expect(messages).toMatch(/reordered\.xml.*'CurrentTime': This element is not expected/);
    expect(messages).toMatch(/noArrayType\.xml.*arrayType.*required/);
    expect(messages).toMatch(/idWithoutMustUnderstand\.xml.*mustUnderstand.*required/);
    expect(messages).toMatch(/undeclaredMethod\.xml.*Infrom/);
    expect(messages).toMatch(/badSessionTimeout\.xml.*SessionTimeout/);
  });
});
