// The one BBF extract (agent/datamodel/bbf/): the committed JSON must be exactly
// what generate.ts produces from the BBF XML (../shared/data/bbf next to the
// repository), and both its users, the simulated models and the ACS profile
// validator, read that same extract.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readDataModels } from "../../acs/provisioning/bbf/data-model.ts";
import { bbfOutDir, defaultBbfSourceDir, generateAll } from "../../agent/datamodel/bbf/generate.ts";
import { TR098_OBJECTS, TR181_OBJECTS } from "../../agent/datamodel/bbf/objects.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";

describe("BBF extraction", () => {
  let files: Record<string, string>;
  beforeAll(async () => {
    files = await generateAll(defaultBbfSourceDir);
  });

  it("regenerates the committed JSON byte for byte", () => {
    expect(Object.keys(files).sort()).toEqual(["tr098.json", "tr181.json"]);
    for (const [name, text] of Object.entries(files)) {
      expect(text, `${name} is stale: run npx tsx agent/datamodel/bbf/generate.ts`).toBe(readFileSync(join(bbfOutDir, name), "utf8"));
    }
  });

  it("holds exactly the listed objects, in list order", () => {
    expect(Object.keys(JSON.parse(files["tr181.json"]!).objects)).toEqual([...TR181_OBJECTS]);
    expect(Object.keys(JSON.parse(files["tr098.json"]!).objects)).toEqual([...TR098_OBJECTS]);
  });

  it("maps BBF syntax to wire types, access, secrets and facets", () => {
    const tr181 = JSON.parse(files["tr181.json"]!);
    const p = (o: string, n: string) => tr181.objects[o].p[n];
    // dataType ref StatsCounter64 -> unsignedLong; Dbm1000 -> int with its range
    expect(p("Device.Ethernet.Interface.{i}.Stats.", "BytesSent")).toMatchObject({ t: "unsignedLong", an: "c" });
    expect(p("Device.Optical.Interface.{i}.", "OpticalSignalLevel")).toEqual({ t: "int", r: [[-65536, 65534]] });
    // secured, writable, string length 8..63
    expect(p("Device.WiFi.AccessPoint.{i}.Security.", "KeyPassphrase")).toEqual({ t: "string", w: 1, s: 1, min: 8, max: 63 });
    // enumerationRef, list, forcedInform, activeNotify
    expect(p("Device.WiFi.AccessPoint.{i}.Security.", "ModeEnabled").er).toBe("ModesSupported");
    expect(p("Device.WiFi.Radio.{i}.", "PossibleChannels")).toMatchObject({ t: "string", l: 1024 });
    expect(p("Device.DeviceInfo.", "SoftwareVersion")).toMatchObject({ fi: 1, an: "f" });
    // read-only enumeration values and deleted ones dropped (TR-181 "Completed")
    const ds = p("Device.IP.Diagnostics.DownloadDiagnostics.", "DiagnosticsState");
    expect(ds.ro).toContain("Complete");
    expect(ds.e).not.toContain("Completed");
    expect(tr181.objects["Device.WiFi.SSID.{i}."]).toMatchObject({ w: 1, n: "SSIDNumberOfEntries" });
  });

  it("is the extract the simulated models are built from and the profile validator checks against", () => {
    const models = readDataModels();
    expect(MODELS["router-tr181"].defs).toBe(models.tr181);
    expect(MODELS["ont-tr181"].defs).toBe(models.tr181);
    expect(MODELS["router-tr098"].defs).toBe(models.tr098);
  });
});
