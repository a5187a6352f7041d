// Path lookups of the profile validator in the BBF extract (whose generation
// test/unit/bbf-extract.test.ts checks).
import { describe, expect, it } from "vitest";
import { templatePath } from "../../agent/datamodel/template.ts";
import { lookupObject, lookupParameter, readDataModels } from "../../acs/provisioning/bbf/data-model.ts";

describe("BBF lookups for the profile validator", () => {
  const { tr181, tr098 } = readDataModels();

  it("finds parameters at concrete instance numbers, with type and access", () => {
    expect(templatePath("Device.WiFi.Radio.12.Channel")).toBe("Device.WiFi.Radio.{i}.Channel");
    const channel = lookupParameter(tr181, "Device.WiFi.Radio.2.Channel");
    expect(channel.ok && [channel.def.t, channel.def.w]).toEqual(["unsignedInt", 1]);
    const beacon = lookupParameter(tr098, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.BeaconType");
    expect(beacon.ok && beacon.def.e).toEqual(["None", "Basic", "WPA", "11i", "WPAand11i"]);
    expect(lookupObject(tr181, "Device.IP.Diagnostics.DownloadDiagnostics.").ok).toBe(true);
  });

  it("explains why a path does not resolve", () => {
    const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? "ok" : r.reason);
    expect(reason(lookupParameter(tr181, "Device.WiFi.Radio.Channel"))).toBe("Device.WiFi.Radio. is a table: the path needs an instance number");
    // Obsoleted in IGD:1.14 (replaced by LocalTimeZoneName), so not extracted.
    expect(reason(lookupParameter(tr098, "InternetGatewayDevice.Time.LocalTimeZone"))).toBe(
      "InternetGatewayDevice:1.14 object InternetGatewayDevice.Time. has no parameter LocalTimeZone (or it is obsoleted/deleted)",
    );
    expect(reason(lookupParameter(tr181, "Device.WiFi.SSID.1."))).toBe("Device.WiFi.SSID.1. is an object path, not a parameter");
    expect(reason(lookupObject(tr181, "Device.Hosts."))).toBe(
      "Device:2.17 has no object Device.Hosts. (among the objects listed in agent/datamodel/bbf/objects.ts)",
    );
  });
});
