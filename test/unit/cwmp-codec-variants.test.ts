// Real-world message shapes: prefixes, default namespaces, CRLF, missing ID, qualified
// children, 1/0 booleans, odd xsi:types, vendor stacks' fixtures; and what is "invalid".
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CwmpParseError, parseEnvelope, serializeEnvelope } from "../../acs/cwmp/codec.ts";
import { parseXmlTree } from "../../acs/cwmp/codec/xml-tree.ts";
import type { CwmpNamespace, Envelope, Inform } from "../../acs/cwmp/messages.ts";
import { SAMPLES } from "../fixtures/cwmp/samples.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/cwmp/${name}`, import.meta.url), "utf8");
const NS = {
  env: 'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"',
  xsi: 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
};

/** A minimal envelope around `body`, with optional header content, in the given cwmp namespace. */
function wrap(body: string, opts: { header?: string; ns?: string } = {}): string {
  const ns = opts.ns ?? "urn:dslforum-org:cwmp-1-2";
  const header = opts.header === undefined ? "" : `<soap-env:Header>${opts.header}</soap-env:Header>`;
  return `<soap-env:Envelope ${NS.env} ${NS.xsi} xmlns:cwmp="${ns}">${header}<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
}

function parseError(input: string): CwmpParseError {
  try {
    parseEnvelope(input);
  } catch (err) {
    if (err instanceof CwmpParseError) return err;
    throw err;
  }
  throw new Error("expected a CwmpParseError");
}

function inform(env: Envelope | null): Inform {
  if (env?.body.kind !== "Inform") throw new Error(`expected an Inform, got ${env?.body.kind}`);
  return env.body;
}

describe("vendor-style Informs", () => {
  it("reads an easycwmp-style Inform (soap_env prefixes, indentation, 64-bit counter)", () => {
    const env = parseEnvelope(fixture("inform-easycwmp.xml"))!;
    expect(env.namespace).toBe("urn:dslforum-org:cwmp-1-2");
    expect(env.id).toBe("17");
    const msg = inform(env);
    expect(msg.deviceId).toStrictEqual({
      manufacturer: "OpenWrtLab",
      oui: "A0B1C2",
      productClass: "OWL-AC1200",
      serialNumber: "OWL0000A1B2C3",
    });
    expect(msg.events).toStrictEqual([
      { eventCode: "1 BOOT", commandKey: "" },
      { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
      { eventCode: "M Download", commandKey: "fw-2.4.1" },
    ]);
    expect(msg.currentTime).toBe("2025-06-02T08:41:07+02:00");
    expect(msg.parameterList).toHaveLength(10);
    expect(msg.parameterList).toContainEqual({
      name: "InternetGatewayDevice.WANDevice.1.WANCommonInterfaceConfig.TotalBytesReceived",
      value: "18446744073709551615",
      type: "xsd:unsignedLong",
    });
    expect(msg.parameterList).toContainEqual({
      name: "InternetGatewayDevice.ManagementServer.PeriodicInformEnable",
      value: "1",
      type: "xsd:boolean",
    });
  });

  it("reads a genieacs-sim-style Inform (one line, cwmp-1-0, self-closing empty elements)", () => {
    const env = parseEnvelope(fixture("inform-genieacs-sim.xml"))!;
    expect(env.namespace).toBe("urn:dslforum-org:cwmp-1-0");
    expect(env.id).toBe("4zp1g2w8xo");
    const msg = inform(env);
    expect(msg.deviceId.serialNumber).toBe("S180Y23051234");
    expect(msg.events).toStrictEqual([{ eventCode: "2 PERIODIC", commandKey: "" }]);
    expect(msg.parameterList.find((p) => p.name.endsWith("ProvisioningCode"))).toStrictEqual({
      name: "InternetGatewayDevice.DeviceInfo.ProvisioningCode",
      value: "",
      type: "xsd:string",
    });
  });

  it("reads CRLF line ends exactly like LF", () => {
    const lf = fixture("inform-easycwmp.xml");
    expect(parseEnvelope(lf.replace(/\n/g, "\r\n"))).toStrictEqual(parseEnvelope(lf));
  });

  it("reads default namespaces without prefixes, no cwmp:ID, 0/1 headers, odd xsi:types and entities", () => {
    const env = parseEnvelope(fixture("inform-default-ns.xml"))!;
    expect(env.namespace).toBe("urn:dslforum-org:cwmp-1-2");
    expect("id" in env).toBe(false);
    expect(env.holdRequests).toBe(false);
    expect(env.noMoreRequests).toBe(true);
    const msg = inform(env);
    expect(msg.deviceId.productClass).toBe("");
    expect(msg.retryCount).toBe(2);
    expect(msg.currentTime).toBe("0001-01-01T00:00:00Z");
    expect(msg.parameterList).toStrictEqual([
      { name: "Device.RootDataModelVersion", value: "2.12", type: "xsd:string" },
      // 2^53 + 1: would silently become ...992 as a JS number.
      { name: "Device.Optical.Interface.1.Stats.BytesReceived", value: "9007199254740993", type: "xsd:unsignedLong" },
      { name: "Device.Optical.Interface.1.OpticalSignalLevel", value: "-19870", type: "xsd:int" },
      { name: "Device.X_FL_Vendor.Blob", value: "a & b <c> AB", type: "xsd:string" },
    ]);
  });

  it("reads an SPV fault with SOAP-ENV prefix, CRLF and a qualified faultcode", () => {
    const env = parseEnvelope(fixture("spv-fault.xml"))!;
    expect(env.namespace).toBe("urn:dslforum-org:cwmp-1-1");
    expect(env.id).toBe("acs-0043");
    expect(env.body).toStrictEqual({
      kind: "Fault",
      faultCode: "Client",
      faultString: "CWMP fault",
      code: 9003,
      message: "Invalid arguments",
      setParameterValuesFaults: [
        {
          parameterName: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase",
          faultCode: 9007,
          faultString: "Invalid parameter value",
        },
        {
          parameterName: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel",
          faultCode: 9008,
          faultString: "Attempt to set a non-writable parameter",
        },
      ],
    });
  });
});

describe("prefixes, qualification and lexical variants", () => {
  const reference: Envelope = { namespace: "urn:dslforum-org:cwmp-1-2", id: "p-1", body: SAMPLES.Inform };
  const xml = serializeEnvelope(reference);

  for (const [envPrefix, cwmpPrefix] of [
    ["soap", "cwmp"],
    ["SOAP-ENV", "ns"],
    ["soapenv", "c"],
    ["s", "cwmp12"],
  ] as const) {
    it(`reads ${envPrefix}:Envelope with ${cwmpPrefix}: methods`, () => {
      const renamed = xml
        .replace(/soap-env:/g, `${envPrefix}:`)
        .replace(/xmlns:soap-env=/, `xmlns:${envPrefix}=`)
        .replace(/cwmp:(?!ParameterValueStruct|EventStruct)/g, `${cwmpPrefix}:`)
        .replace(/xmlns:cwmp=/, `xmlns:${cwmpPrefix}=`);
      expect(renamed).toContain(`<${cwmpPrefix}:Inform>`);
      expect(parseEnvelope(renamed)).toStrictEqual(reference);
    });
  }

  it("reads method children that are namespace-qualified", () => {
    const body =
      "<cwmp:GetParameterNamesResponse><cwmp:ParameterList>" +
      "<cwmp:ParameterInfoStruct><cwmp:Name>Device.WiFi.</cwmp:Name><cwmp:Writable>0</cwmp:Writable></cwmp:ParameterInfoStruct>" +
      "<cwmp:ParameterInfoStruct><cwmp:Name>Device.WiFi.SSID.1.SSID</cwmp:Name><cwmp:Writable>1</cwmp:Writable></cwmp:ParameterInfoStruct>" +
      "</cwmp:ParameterList></cwmp:GetParameterNamesResponse>";
    expect(parseEnvelope(wrap(body))?.body).toStrictEqual({
      kind: "GetParameterNamesResponse",
      parameterList: [
        { name: "Device.WiFi.", writable: false },
        { name: "Device.WiFi.SSID.1.SSID", writable: true },
      ],
    });
  });

  it("reads booleans as true/false/1/0 in any case, with surrounding whitespace", () => {
    for (const [text, value] of [["true", true], ["TRUE", true], [" 1 ", true], ["false", false], ["0", false]] as const) {
      const env = parseEnvelope(
        wrap(`<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>${text}</NextLevel></cwmp:GetParameterNames>`, {
          header: `<cwmp:HoldRequests soap-env:mustUnderstand="1">${text}</cwmp:HoldRequests>`,
        }),
      );
      expect(env?.holdRequests, text).toBe(value);
      expect(env?.body, text).toStrictEqual({ kind: "GetParameterNames", parameterPath: "Device.", nextLevel: value });
    }
  });

  it("reads CWMP 1.3/1.4 headers (SessionTimeout, SupportedCWMPVersions, UseCWMPVersion)", () => {
    const env = parseEnvelope(
      wrap("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>", {
        header:
          '<cwmp:ID soap-env:mustUnderstand="1">9</cwmp:ID><cwmp:SessionTimeout>30</cwmp:SessionTimeout>' +
          '<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0, 1.1, 1.2, 1.3</cwmp:SupportedCWMPVersions>' +
          '<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.3</cwmp:UseCWMPVersion>',
      }),
    );
    expect(env).toStrictEqual({
      namespace: "urn:dslforum-org:cwmp-1-2",
      id: "9",
      sessionTimeout: 30,
      supportedCWMPVersions: "1.0, 1.1, 1.2, 1.3",
      useCWMPVersion: "1.3",
      body: { kind: "InformResponse", maxEnvelopes: 1 },
    });
  });

  it("maps xsi:type by its local part whatever the prefix; unknown or missing types read as xsd:string", () => {
    const pvs = (type: string) =>
      `<ParameterValueStruct><Name>A.B</Name><Value${type}>00042</Value></ParameterValueStruct>`;
    const env = parseEnvelope(
      wrap(
        `<cwmp:GetParameterValuesResponse><ParameterList>${pvs(' xsi:type="xs:unsignedInt"')}` +
          `${pvs(' xsi:type="base64Binary"')}${pvs(' xsi:type="xsd:float"')}${pvs(' xsi:type="xsd:constructor"')}${pvs("")}` +
          `</ParameterList></cwmp:GetParameterValuesResponse>`,
      ),
    );
    expect(env?.body).toStrictEqual({
      kind: "GetParameterValuesResponse",
      parameterList: [
        { name: "A.B", value: "00042", type: "xsd:unsignedInt" },
        { name: "A.B", value: "00042", type: "xsd:base64" },
        { name: "A.B", value: "00042", type: "xsd:string" },
        { name: "A.B", value: "00042", type: "xsd:string" },
        { name: "A.B", value: "00042", type: "xsd:string" },
      ],
    });
  });

  it("tolerates an undeclared xsi: prefix, a BOM and whitespace before the XML declaration", () => {
    const body =
      '<cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>A.B</Name><Value xsi:type="xsd:int">-1</Value>' +
      "</ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>";
    const noXsi = `\uFEFF\r\n  <?xml version="1.0"?>\n<soap-env:Envelope ${NS.env} xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
    expect(parseEnvelope(noXsi)?.body).toStrictEqual({
      kind: "GetParameterValuesResponse",
      parameterList: [{ name: "A.B", value: "-1", type: "xsd:int" }],
    });
  });

  it("resolves every element to a string namespace URI, whatever the prefix", () => {
    const root = parseXmlTree(
      '<constructor:a xmlns:p="urn:p"><b/><p:c/><xsi:d/><toString:e __proto__:f="1"/><g xmlns="urn:g"/></constructor:a>',
      64,
    );
    const uris = [root, ...root.children].map((el) => [el.local, el.uri]);
    expect(uris).toStrictEqual([
      ["a", "urn:x-unbound-prefix:constructor"],
      ["b", ""], // unprefixed, no default namespace: no namespace
      ["c", "urn:p"],
      ["d", "http://www.w3.org/2001/XMLSchema-instance"],
      ["e", "urn:x-unbound-prefix:toString"],
      ["g", "urn:g"],
    ]);
    expect(root.children[3]!.attrs).toStrictEqual([{ local: "f", uri: "urn:x-unbound-prefix:__proto__", value: "1" }]);
  });

  it("reads a cwmp:Fault put straight into the Body", () => {
    const env = parseEnvelope(wrap("<cwmp:Fault><FaultCode>9005</FaultCode><FaultString>nope</FaultString></cwmp:Fault>"));
    expect(env?.body).toStrictEqual({
      kind: "Fault",
      faultCode: "Client",
      faultString: "CWMP fault",
      code: 9005,
      message: "nope",
      setParameterValuesFaults: [],
    });
  });

  it("treats an empty POST or an empty SOAP Body as 'nothing to say' (null)", () => {
    expect(parseEnvelope("")).toBeNull();
    expect(parseEnvelope(" \r\n\t ")).toBeNull();
    expect(parseEnvelope(Buffer.alloc(0))).toBeNull();
    expect(parseEnvelope(wrap("", { header: '<cwmp:ID soap-env:mustUnderstand="1">3</cwmp:ID>' }))).toBeNull();
  });

  it("takes the namespace from the cwmp:Fault detail when the method is a SOAP Fault", () => {
    const xml = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode>` +
      `<faultstring>CWMP fault</faultstring><detail><c:Fault xmlns:c="urn:dslforum-org:cwmp-1-4"><FaultCode>9002</FaultCode>` +
      `</c:Fault></detail></s:Fault></s:Body></s:Envelope>`;
    const env = parseEnvelope(xml)!;
    expect(env.namespace).toBe("urn:dslforum-org:cwmp-1-4");
    expect(env.body).toMatchObject({ kind: "Fault", faultCode: "Server", code: 9002, message: "Internal error" });
  });
});

describe("unknown methods and invalid messages", () => {
  for (const [method, ns] of [
    ["Kicked", "urn:dslforum-org:cwmp-1-0"],
    ["RequestDownload", "urn:dslforum-org:cwmp-1-2"],
    ["X_ACME_Garbage", "urn:dslforum-org:cwmp-1-4"],
  ] as const) {
    it(`reports ${method} as unknown_method with method, ID and namespace for a fault 8000`, () => {
      const err = parseError(
        wrap(`<cwmp:${method}><Command>x</Command></cwmp:${method}>`, {
          ns,
          header: '<cwmp:ID soap-env:mustUnderstand="1">k-1</cwmp:ID>',
        }),
      );
      expect(err).toMatchObject({ reason: "unknown_method", method, id: "k-1", namespace: ns as CwmpNamespace });
    });
  }

  const informBody = (deviceId: string, extra = "") =>
    `<cwmp:Inform>${deviceId}<Event/><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2025-01-01T00:00:00Z</CurrentTime>` +
    `<RetryCount>0</RetryCount><ParameterList/>${extra}</cwmp:Inform>`;

  for (const [what, deviceId, field] of [
    ["without DeviceId", "", "Inform/DeviceId is missing"],
    ["without SerialNumber", "<DeviceId><Manufacturer>M</Manufacturer><OUI>A0B1C2</OUI></DeviceId>", "Inform/DeviceId/SerialNumber is missing"],
    ["with an empty OUI", "<DeviceId><OUI> </OUI><SerialNumber>S1</SerialNumber></DeviceId>", "Inform/DeviceId/OUI is empty"],
  ] as const) {
    it(`rejects an Inform ${what} as invalid, naming the field`, () => {
      const err = parseError(wrap(informBody(deviceId), { header: '<cwmp:ID soap-env:mustUnderstand="1">i-1</cwmp:ID>' }));
      expect(err.reason).toBe("invalid");
      expect(err.message).toContain(field);
      expect(err).toMatchObject({ method: "Inform", id: "i-1", namespace: "urn:dslforum-org:cwmp-1-2" });
    });
  }

  it("rejects bad numbers and booleans as invalid, naming the field", () => {
    const deviceId = "<DeviceId><OUI>A0B1C2</OUI><SerialNumber>S1</SerialNumber></DeviceId>";
    const badRetry = wrap(informBody(deviceId).replace("<RetryCount>0</RetryCount>", "<RetryCount>many</RetryCount>"));
    expect(parseError(badRetry)).toMatchObject({ reason: "invalid", message: expect.stringContaining("Inform/RetryCount") });
    const badBool = wrap("<cwmp:GetParameterNames><ParameterPath/><NextLevel>maybe</NextLevel></cwmp:GetParameterNames>");
    expect(parseError(badBool)).toMatchObject({ reason: "invalid", message: expect.stringContaining("GetParameterNames/NextLevel") });
    const badHeader = wrap("<cwmp:GetRPCMethods/>", { header: "<cwmp:HoldRequests>yes</cwmp:HoldRequests>" });
    expect(parseError(badHeader)).toMatchObject({ reason: "invalid", message: expect.stringContaining("Header/HoldRequests") });
    const badSpv = wrap("<cwmp:SetParameterValuesResponse><Status>-1</Status></cwmp:SetParameterValuesResponse>");
    expect(parseError(badSpv)).toMatchObject({ reason: "invalid", message: expect.stringContaining("Status must be >= 0") });
  });

  it("rejects a Body with two messages and an unknown cwmp version as invalid", () => {
    expect(parseError(wrap("<cwmp:GetRPCMethods/><cwmp:GetRPCMethods/>")).reason).toBe("invalid");
    const future = parseError(wrap("<cwmp:GetRPCMethods/>", { ns: "urn:dslforum-org:cwmp-1-7" }));
    expect(future).toMatchObject({ reason: "invalid", message: expect.stringContaining("cwmp-1-7") });
  });
});
