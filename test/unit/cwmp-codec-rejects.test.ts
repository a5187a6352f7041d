// Hostile and broken input: DTDs/entities, size, depth, malformed XML, non-SOAP XML,
// and a seeded fuzz run proving nothing but CwmpParseError ever escapes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CwmpParseError, parseEnvelope, serializeEnvelope, type CwmpParseErrorReason } from "../../acs/cwmp/codec.ts";
import { sampleEnvelopes } from "../fixtures/cwmp/samples.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/cwmp/${name}`, import.meta.url), "utf8");
const ENVELOPE_OPEN =
  '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">';

function reasonOf(input: string | Buffer, opts?: Parameters<typeof parseEnvelope>[1]): CwmpParseErrorReason {
  try {
    parseEnvelope(input, opts);
  } catch (err) {
    if (err instanceof CwmpParseError) return err.reason;
    throw err;
  }
  throw new Error("expected a CwmpParseError");
}

describe("DTDs and entities", () => {
  it("rejects a DOCTYPE before parsing", () => {
    expect(reasonOf(`<?xml version="1.0"?>\n<!DOCTYPE Envelope>\n${ENVELOPE_OPEN}<soap-env:Body/></soap-env:Envelope>`)).toBe("dtd");
  });

  it("rejects an XXE payload (external entity to a local file)", () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' +
      `${ENVELOPE_OPEN}<soap-env:Body><cwmp:Reboot><CommandKey>&e;</CommandKey></cwmp:Reboot></soap-env:Body></soap-env:Envelope>`;
    expect(reasonOf(xxe)).toBe("dtd");
  });

  it("rejects billion laughs", () => {
    const lol = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE lolz [",
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`),
      "]>",
      `${ENVELOPE_OPEN}<soap-env:Body><cwmp:Reboot><CommandKey>&lol9;</CommandKey></cwmp:Reboot></soap-env:Body></soap-env:Envelope>`,
    ].join("\n");
    expect(reasonOf(lol)).toBe("dtd");
  });

  it("rejects DTD markup whatever its case or place", () => {
    expect(reasonOf(`${ENVELOPE_OPEN}<!doctype x><soap-env:Body/></soap-env:Envelope>`)).toBe("dtd");
    expect(reasonOf(`${ENVELOPE_OPEN}<soap-env:Body><![CDATA[<!ENTITY x "y">]]></soap-env:Body></soap-env:Envelope>`)).toBe("dtd");
  });

  it("never expands an entity it does not know, and decodes only the predefined ones and character references", () => {
    const body = (text: string) =>
      `${ENVELOPE_OPEN}<soap-env:Body><cwmp:Reboot><CommandKey>${text}</CommandKey></cwmp:Reboot></soap-env:Body></soap-env:Envelope>`;
    expect(reasonOf(body("&e;"))).toBe("malformed");
    expect(reasonOf(body("&nbsp;"))).toBe("malformed");
    expect(parseEnvelope(body("&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;"))?.body).toStrictEqual({
      kind: "Reboot",
      commandKey: `<>&"'A\u{1F600}`,
    });
  });
});

describe("size and depth limits", () => {
  it("rejects input over maxBytes, counting UTF-8 bytes", () => {
    const small = serializeEnvelope({ namespace: "urn:dslforum-org:cwmp-1-2", body: { kind: "Reboot", commandKey: "é".repeat(600) } });
    expect(reasonOf(small, { maxBytes: 1000 })).toBe("too_large");
    expect(reasonOf(Buffer.alloc(1001, 0x20), { maxBytes: 1000 })).toBe("too_large");
    expect(parseEnvelope(small, { maxBytes: 2000 })?.body.kind).toBe("Reboot");
  });

  it("rejects anything over 4 MiB by default", () => {
    const padding = " ".repeat(4 * 1024 * 1024);
    expect(reasonOf(`${ENVELOPE_OPEN}${padding}<soap-env:Body/></soap-env:Envelope>`)).toBe("too_large");
  });

  it("rejects 100,000 levels of nesting without overflowing the stack", () => {
    const deep = `${ENVELOPE_OPEN}<soap-env:Body>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</soap-env:Body></soap-env:Envelope>`;
    expect(reasonOf(deep)).toBe("too_deep");
  });

  it("honours maxDepth", () => {
    const xml = serializeEnvelope({ namespace: "urn:dslforum-org:cwmp-1-2", id: "d", body: { kind: "GetParameterNames", parameterPath: "", nextLevel: true } });
    // Envelope > Body > GetParameterNames > NextLevel is 4 levels.
    expect(reasonOf(xml, { maxDepth: 3 })).toBe("too_deep");
    expect(parseEnvelope(xml, { maxDepth: 4 })?.body.kind).toBe("GetParameterNames");
  });
});

describe("malformed and non-SOAP input", () => {
  const inform = fixture("inform-easycwmp.xml");

  for (const [what, input] of [
    ["truncated", inform.slice(0, inform.length / 2)],
    ["mismatched tags", inform.replace("</DeviceId>", "</DeviceID>")],
    ["plain text", "hello, ACS"],
    ["JSON", '{"kind":"Inform"}'],
    ["two roots", `${ENVELOPE_OPEN}<soap-env:Body/></soap-env:Envelope><x/>`],
    ["unquoted attribute", `<soap-env:Envelope xmlns:soap-env=http://x><soap-env:Body/></soap-env:Envelope>`],
    ["a control character", `${ENVELOPE_OPEN}<soap-env:Body>\u0001</soap-env:Body></soap-env:Envelope>`],
    ["a lone '<'", `${ENVELOPE_OPEN}<soap-env:Body>a < b</soap-env:Body></soap-env:Envelope>`],
    // saxes alone would take the surrogate and the '<' after it as one character and accept the document.
    ["a lone UTF-16 surrogate in a string", `${ENVELOPE_OPEN}<soap-env:Body>\uD800<</soap-env:Body></soap-env:Envelope>`],
    ["a lone low surrogate in a string", `${ENVELOPE_OPEN}<soap-env:Body>\uDC00</soap-env:Body></soap-env:Envelope>`],
  ] as const) {
    it(`rejects ${what} as malformed`, () => expect(reasonOf(input)).toBe("malformed"));
  }

  it("rejects XML that is not a SOAP envelope", () => {
    expect(reasonOf("<html><body>hi</body></html>")).toBe("not_soap");
    expect(reasonOf(`${ENVELOPE_OPEN}<soap-env:Header/></soap-env:Envelope>`)).toBe("not_soap");
  });
});

/** mulberry32: a tiny seeded PRNG so every run fuzzes the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("fuzz: truncations and mutations of valid messages", () => {
  const seeds = [
    ...sampleEnvelopes("urn:dslforum-org:cwmp-1-2").map((env) => serializeEnvelope(env)),
    fixture("inform-easycwmp.xml"),
    fixture("inform-genieacs-sim.xml"),
    fixture("inform-default-ns.xml"),
    fixture("spv-fault.xml"),
  ];
  const SPICE = ["<", ">", "&", ";", "/", '"', "'", "=", "!", "?", "[", "]", ":", "<!--", "]]>", "&#0;", "&#x110000;", "\u0000", "\uD800", "é", "\r\n"];

  function mutate(xml: string, rnd: () => number): string {
    const at = Math.floor(rnd() * xml.length);
    const len = 1 + Math.floor(rnd() * 12);
    switch (Math.floor(rnd() * 5)) {
      case 0:
        return xml.slice(0, at); // truncate
      case 1:
        return xml.slice(0, at) + xml.slice(at + len); // delete
      case 2:
        return xml.slice(0, at) + SPICE[Math.floor(rnd() * SPICE.length)] + xml.slice(at); // insert
      case 3: {
        const from = Math.floor(rnd() * xml.length);
        return xml.slice(0, at) + xml.slice(from, from + len * 4) + xml.slice(at); // duplicate a chunk
      }
      default:
        return xml.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x80)) + xml.slice(at + 1); // replace
    }
  }

  it("only ever returns an Envelope/null or throws CwmpParseError", () => {
    const rnd = prng(0x5eed);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      let input = seeds[i % seeds.length]!;
      const rounds = 1 + Math.floor(rnd() * 3);
      for (let r = 0; r < rounds; r++) input = mutate(input, rnd);
      let outcome: string;
      try {
        const env = i % 2 ? parseEnvelope(Buffer.from(input, "utf8")) : parseEnvelope(input);
        outcome = env === null ? "null" : "parsed";
      } catch (err) {
        expect(err, `input #${i}: ${input.slice(0, 200)}`).toBeInstanceOf(CwmpParseError);
        outcome = (err as CwmpParseError).reason;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // The run must have exercised both survivable mutations and the main rejection paths.
    expect(outcomes.get("parsed")).toBeGreaterThan(0);
    expect(outcomes.get("malformed")).toBeGreaterThan(0);
    expect(outcomes.get("invalid")).toBeGreaterThan(0);
  });

  it("survives random bytes", () => {
    const rnd = prng(42);
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
      try {
        parseEnvelope(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(CwmpParseError);
      }
    }
  });
});
