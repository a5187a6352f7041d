// The FlexACS router agent polls its ONT's IF-MIB over SNMP and shows the
// rates as Device.X_FLEXACS_ONT. (agent/drivers/linux/ont.ts): the link-rate
// source reads that object with the device's readings and stores the rates as
// "snmp" samples; a device without it answers 9005 once and is not asked again.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope, GetParameterValues } from "../../acs/cwmp/messages.ts";
import { BOOTSTRAP, LinkrateAcs, testLine } from "./helpers/linkrate-acs.ts";
import { DEVICE, ScriptedCpe } from "./helpers/scripted-cpe.ts";

const ONT = "Device.X_FLEXACS_ONT.";

describe("SNMP rates of the ONT, through the router agent's vendor object", () => {
  let acs: LinkrateAcs;
  beforeAll(async () => {
    acs = await LinkrateAcs.start({ windows: [{ name: "peak", start: "18:00", end: "23:00" }], normalShareOfMax: 0.8, downloadBytes: 1_000_000, uploadBytes: 1_000_000 });
    await acs.lines.addLines([
      testLine("L-SNMP", { download: { min: 30, max: 1000 }, upload: { min: 10, max: 500 } }, { router: "SN0001" }),
      testLine("L-PLAIN", { download: { min: 30, max: 1000 }, upload: { min: 10, max: 500 } }, { router: "SN0002" }),
    ]);
  });
  afterAll(async () => {
    await acs?.close();
  });

  /** One session: Inform, then answers each ACS request with `answer`; returns the requests. */
  async function session(cpe: ScriptedCpe, answer: (req: Envelope) => Envelope["body"]): Promise<Envelope["body"][]> {
    expect((await cpe.inform(["2 PERIODIC"])).envelope?.body.kind).toBe("InformResponse");
    const asked: Envelope["body"][] = [];
    let r = await cpe.emptyPost();
    while (r.envelope) {
      asked.push(r.envelope.body);
      r = await cpe.respond(r.envelope, answer(r.envelope));
    }
    expect(r.status).toBe(204);
    return asked;
  }

  it("stores the ONT's receive and send rates as snmp samples of the router's line", async () => {
    const cpe = new ScriptedCpe({ url: acs.cwmpUrl, ...BOOTSTRAP });
    const asked = await session(cpe, (req) => {
      expect((req.body as GetParameterValues).parameterNames).toEqual([ONT]);
      const v = (name: string, value: string, type: string) => ({ name: ONT + name, value, type: `xsd:${type}` as never });
      return {
        kind: "GetParameterValuesResponse",
        parameterList: [
          v("Host", "192.0.2.1", "string"), v("IfIndex", "3", "unsignedInt"), v("Status", "Up", "string"), v("CurrentBitRate", "1000", "unsignedInt"),
          v("ReceiveRate", "734000000", "long"), v("SendRate", "-1", "long"), v("RateWindow", "60000", "unsignedInt"),
        ],
      };
    });
    expect(asked.map((b) => b.kind)).toEqual(["GetParameterValues"]);
    const samples = await acs.repo.listSamples({ lineId: "L-SNMP" });
    // SendRate -1: no rate over that window, so no sample rather than a false 0.
    expect(samples.map((s) => ({ method: s.method, direction: s.direction, value: s.value, context: s.context }))).toEqual([
      { method: "snmp", direction: "download", value: 734e6, context: { ifIndex: 3, windowMs: 60000, linkMbps: 1000 } },
    ]);
  });

  it("asks a device without the vendor object once, then no more", async () => {
    const cpe = new ScriptedCpe({ url: acs.cwmpUrl, ...BOOTSTRAP, deviceId: { ...DEVICE, serialNumber: "SN0002" } });
    const fault = (): Envelope["body"] => ({ kind: "Fault", faultCode: "Client", faultString: "CWMP fault", code: 9005, message: "Invalid parameter name", setParameterValuesFaults: [] });
    expect((await session(cpe, fault)).map((b) => b.kind)).toEqual(["GetParameterValues"]);
    expect(await session(cpe, fault)).toEqual([]);
    expect(await acs.repo.listSamples({ lineId: "L-PLAIN" })).toEqual([]);
  });
});
