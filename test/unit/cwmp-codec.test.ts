// Round trips of every message kind in every CWMP namespace, serialisation details, faults.
import { describe, expect, it } from "vitest";
import { CwmpParseError, makeFault, parseEnvelope, serializeEnvelope } from "../../acs/cwmp/codec.ts";
import { parseXmlTree, type XmlElement } from "../../acs/cwmp/codec/xml-tree.ts";
import { ACS_FAULTS, CPE_FAULTS } from "../../acs/cwmp/faults.ts";
import { CWMP_NAMESPACES, type Envelope } from "../../acs/cwmp/messages.ts";
import { SAMPLES, sampleEnvelopes } from "../fixtures/cwmp/samples.ts";

const NS12 = "urn:dslforum-org:cwmp-1-2";

function roundTrip(env: Envelope, booleanLiteral?: "word" | "digit"): Envelope | null {
  return parseEnvelope(serializeEnvelope(env, booleanLiteral ? { booleanLiteral } : {}));
}

/** All elements of a document, walked with an explicit stack. */
function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const todo = [root];
  for (let el = todo.pop(); el; el = todo.pop()) {
    out.push(el);
    todo.push(...el.children);
  }
  return out;
}

describe("round trip: serialise -> parse gives the same Envelope", () => {
  for (const namespace of CWMP_NAMESPACES) {
    describe(namespace, () => {
      for (const env of sampleEnvelopes(namespace)) {
        it(env.body.kind, () => {
          expect(roundTrip(env)).toStrictEqual(env);
          expect(roundTrip(env, "digit")).toStrictEqual(env);
        });
      }
    });
  }

  it("keeps every CWMP header", () => {
    const env: Envelope = {
      namespace: "urn:dslforum-org:cwmp-1-4",
      id: "42",
      holdRequests: true,
      sessionTimeout: 60,
      supportedCWMPVersions: "1.0,1.1,1.2,1.3,1.4",
      useCWMPVersion: "1.4",
      noMoreRequests: false,
      body: SAMPLES.InformResponse,
    };
    expect(roundTrip(env)).toStrictEqual(env);
    expect(roundTrip(env, "digit")).toStrictEqual(env);
  });

  it("leaves headers out when the Envelope has none", () => {
    const env: Envelope = { namespace: NS12, body: SAMPLES.GetRPCMethods };
    const xml = serializeEnvelope(env);
    expect(xml).not.toContain("Header");
    expect(parseEnvelope(xml)).toStrictEqual(env);
  });

  it("parses a Buffer the same as a string", () => {
    const xml = serializeEnvelope({ namespace: NS12, id: "b", body: SAMPLES.Inform });
    expect(parseEnvelope(Buffer.from(xml, "utf8"))).toStrictEqual(parseEnvelope(xml));
  });
});

describe("serialisation", () => {
  const informXml = serializeEnvelope({ namespace: NS12, id: "inf-1", body: SAMPLES.Inform });

  it("declares the five namespaces on the Envelope and uses the sender's cwmp namespace", () => {
    const xml = serializeEnvelope({ namespace: "urn:dslforum-org:cwmp-1-0", id: "1", body: SAMPLES.InformResponse });
    const rootTag = /<soap-env:Envelope[^>]*>/.exec(xml)![0];
    expect(rootTag).toContain('xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"');
    expect(rootTag).toContain('xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/"');
    expect(rootTag).toContain('xmlns:xsd="http://www.w3.org/2001/XMLSchema"');
    expect(rootTag).toContain('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
    expect(rootTag).toContain('xmlns:cwmp="urn:dslforum-org:cwmp-1-0"');
  });

  it("marks cwmp:ID, HoldRequests and UseCWMPVersion mustUnderstand=1, SupportedCWMPVersions 0", () => {
    const xml = serializeEnvelope({
      namespace: NS12,
      id: "7",
      holdRequests: false,
      supportedCWMPVersions: "1.0,1.4",
      useCWMPVersion: "1.4",
      body: SAMPLES.InformResponse,
    });
    expect(xml).toContain('<cwmp:ID soap-env:mustUnderstand="1">7</cwmp:ID>');
    expect(xml).toContain('<cwmp:HoldRequests soap-env:mustUnderstand="1">false</cwmp:HoldRequests>');
    expect(xml).toContain('<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion>');
    expect(xml).toContain('<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.4</cwmp:SupportedCWMPVersions>');
  });

  it("puts exactly one method element in the Body, qualified, with unqualified arguments", () => {
    const body = /<soap-env:Body>(.*)<\/soap-env:Body>/s.exec(informXml)![1]!;
    expect(body.startsWith("<cwmp:Inform><DeviceId>")).toBe(true);
    expect(body.endsWith("</cwmp:Inform>")).toBe(true);
  });

  it("writes soap-enc:arrayType with the element count on every array", () => {
    for (const env of sampleEnvelopes(NS12)) {
      const root = parseXmlTree(serializeEnvelope(env), 64);
      for (const el of allElements(root)) {
        const arrayType = el.attrs.find((a) => a.local === "arrayType")?.value;
        if (arrayType === undefined) continue;
        expect(arrayType, `${env.body.kind}/${el.local}`).toBe(arrayType.replace(/\[\d+\]$/, `[${el.children.length}]`));
      }
    }
    expect(informXml).toContain('<Event soap-enc:arrayType="cwmp:EventStruct[2]">');
    expect(informXml).toContain('<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[10]">');
    const gpv = serializeEnvelope({ namespace: NS12, body: SAMPLES.GetParameterValues });
    expect(gpv).toContain('<ParameterNames soap-enc:arrayType="xsd:string[2]">');
    const gpa = serializeEnvelope({ namespace: NS12, body: SAMPLES.GetParameterAttributesResponse });
    expect(gpa).toContain('<AccessList soap-enc:arrayType="xsd:string[0]"></AccessList>');
  });

  it("writes arguments in XSD sequence order", () => {
    const order = (xml: string, names: string[]) => names.map((n) => xml.indexOf(`<${n}>`));
    const download = serializeEnvelope({ namespace: NS12, body: SAMPLES.Download });
    const downloadOrder = order(download, [
      "CommandKey", "FileType", "URL", "Username", "Password", "FileSize",
      "TargetFileName", "DelaySeconds", "SuccessURL", "FailureURL",
    ]);
    expect(downloadOrder.every((pos, i) => pos > 0 && (i === 0 || pos > downloadOrder[i - 1]!))).toBe(true);
    const informOrder = order(informXml, ["DeviceId", "MaxEnvelopes", "CurrentTime", "RetryCount"]);
    expect(informOrder.every((pos, i) => pos > 0 && (i === 0 || pos > informOrder[i - 1]!))).toBe(true);
  });

  it("escapes values and writes them exactly as given, typed by xsi:type", () => {
    expect(informXml).toContain(`<Value xsi:type="xsd:string">Caf\u00e9 &lt;"Home"&gt; &amp; 'Guests'</Value>`);
    expect(informXml).toContain('<Value xsi:type="xsd:unsignedLong">18446744073709551615</Value>');
    expect(informXml).toContain('<Value xsi:type="xsd:string">  line 1&#13;\nline\t2  </Value>');
    expect(informXml).toContain("<Manufacturer>Fibrelink &amp; Co</Manufacturer>");
    // A boolean parameter value is a value: it is not rewritten by booleanLiteral.
    const spv = serializeEnvelope({ namespace: NS12, body: SAMPLES.SetParameterValues }, { booleanLiteral: "word" });
    expect(spv).toContain('<Value xsi:type="xsd:boolean">1</Value>');
  });

  it("writes typed booleans as words by default and as digits on request", () => {
    const env: Envelope = { namespace: NS12, holdRequests: true, body: SAMPLES.GetParameterNames };
    expect(serializeEnvelope(env)).toContain("<NextLevel>true</NextLevel>");
    expect(serializeEnvelope(env)).toContain('mustUnderstand="1">true</cwmp:HoldRequests>');
    const digits = serializeEnvelope(env, { booleanLiteral: "digit" });
    expect(digits).toContain("<NextLevel>1</NextLevel>");
    expect(digits).toContain('mustUnderstand="1">1</cwmp:HoldRequests>');
  });

  it("refuses data XML cannot carry instead of emitting a broken document", () => {
    const nul = { ...SAMPLES.SetParameterValues, parameterList: [{ name: "A.B", value: "x\u0000y", type: "xsd:string" as const }] };
    expect(() => serializeEnvelope({ namespace: NS12, body: nul })).toThrow(/U\+0000/);
    const nan = { ...SAMPLES.Download, fileSize: Number.NaN };
    expect(() => serializeEnvelope({ namespace: NS12, body: nan })).toThrow(/FileSize must be an integer/);
  });

  it("answers in the namespace and with the ID the CPE used", () => {
    const inform = parseEnvelope(serializeEnvelope({ namespace: "urn:dslforum-org:cwmp-1-3", id: "cpe-9", body: SAMPLES.Inform }))!;
    const reply = serializeEnvelope({ namespace: inform.namespace, id: inform.id!, body: { kind: "InformResponse", maxEnvelopes: 1 } });
    expect(reply).toContain('xmlns:cwmp="urn:dslforum-org:cwmp-1-3"');
    expect(reply).toContain('<cwmp:ID soap-env:mustUnderstand="1">cpe-9</cwmp:ID>');
  });
});

describe("faults", () => {
  it("knows the standard ACS (8000-8006) and CPE (9000-9032) fault codes", () => {
    expect(Object.keys(ACS_FAULTS).map(Number)).toEqual([8000, 8001, 8002, 8003, 8004, 8005, 8006]);
    expect(Object.keys(CPE_FAULTS).map(Number)).toEqual(Array.from({ length: 33 }, (_, i) => 9000 + i));
    expect(ACS_FAULTS[8005]).toBe("Retry request");
    expect(CPE_FAULTS[9008]).toBe("Attempt to set a non-writable parameter");
  });

  it("builds a fault with the standard string and the Client/Server split", () => {
    expect(makeFault(8000)).toStrictEqual({
      kind: "Fault",
      faultCode: "Server",
      faultString: "CWMP fault",
      code: 8000,
      message: "Method not supported",
      setParameterValuesFaults: [],
    });
    for (const code of [8003, 9003, 9005, 9006, 9007, 9008]) expect(makeFault(code).faultCode, String(code)).toBe("Client");
    for (const code of [8000, 8001, 8002, 8004, 8005, 8006, 9000, 9001, 9002, 9004, 9009, 9010, 9019, 9032]) {
      expect(makeFault(code).faultCode, String(code)).toBe("Server");
    }
    expect(makeFault(9850, "vendor says no")).toMatchObject({ faultCode: "Server", message: "vendor says no" });
    expect(makeFault(9850).message).toBe("");
  });

  it("carries SetParameterValuesFault entries through the wire", () => {
    const fault = makeFault(9003, undefined, [
      { parameterName: "Device.WiFi.SSID.1.SSID", faultCode: 9007, faultString: "Invalid parameter value" },
    ]);
    const xml = serializeEnvelope({ namespace: NS12, id: "acs-3", body: fault });
    expect(xml).toContain("<soap-env:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault>");
    expect(parseEnvelope(xml)).toStrictEqual({ namespace: NS12, id: "acs-3", body: fault });
  });

  it("exports CwmpParseError as a real Error subclass", () => {
    const err = new CwmpParseError("unknown_method", "x", { method: "Kicked", id: "1", namespace: NS12 });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: "CwmpParseError", reason: "unknown_method", method: "Kicked", id: "1", namespace: NS12 });
  });
});
