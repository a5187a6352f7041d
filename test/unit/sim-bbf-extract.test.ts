// The committed BBF extracts must be exactly what generate.ts produces from
// the BBF XML (../shared/data/bbf next to the repository).

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { bbfOutDir, generateAll } from "../../agent/drivers/sim/bbf/generate.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const bbfDir = join(resolve(repoRoot, "../shared"), "data/bbf");

describe("BBF extraction", () => {
  it("regenerates the committed JSON byte for byte", async () => {
    const files = await generateAll(bbfDir);
    expect(Object.keys(files).sort()).toEqual(["tr098.json", "tr181.json"]);
    for (const [name, text] of Object.entries(files)) {
      expect(text, `${name} is stale: run npx tsx agent/drivers/sim/bbf/generate.ts`).toBe(readFileSync(join(bbfOutDir, name), "utf8"));
    }
  });

  it("maps BBF syntax to wire types, access, secrets and facets", async () => {
    const tr181 = JSON.parse((await generateAll(bbfDir))["tr181.json"]!);
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
});
