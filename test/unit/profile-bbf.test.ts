import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { templatePath } from "../../agent/datamodel/template.ts";
import { lookupObject, lookupParameter, profileBbfDir, readDataModels } from "../../acs/provisioning/bbf/data-model.ts";
import { defaultBbfSourceDir, generateProfileBbf } from "../../acs/provisioning/bbf/generate.ts";

describe("BBF extracts for the profile validator", () => {
  it("regenerating from ../shared/data/bbf yields the committed JSON", async () => {
    const files = await generateProfileBbf(defaultBbfSourceDir);
    expect(Object.keys(files).sort()).toEqual(["tr098.json", "tr181.json"]);
    for (const [name, text] of Object.entries(files)) expect(text, name).toBe(readFileSync(join(profileBbfDir, name), "utf8"));
  });

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
      "Device:2.17 has no object Device.Hosts. (among the objects listed in acs/provisioning/bbf/objects.ts)",
    );
  });
});
