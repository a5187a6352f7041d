// Parameter tree. Decisions pinned here beyond store.ts: a prefix or subtree
// without a trailing "." names one exact node (so "X.1" never reaches "X.10.");
// an empty prefix list returns nothing; deletes apply before sets in one
// updateParameters call; an unknown device has no parameters and gets none.

import { describe, expect, it } from "vitest";
import type { ParamRecord } from "../../acs/store/store.ts";
import { identity, object, param, sorted, type ContractContext } from "./store-contract-helpers.ts";

const TREE: [string, ParamRecord][] = [
  ["Device.WiFi.", object()],
  ["Device.WiFi.SSID.", object()],
  ["Device.WiFi.SSID.1.", object()],
  ["Device.WiFi.SSID.1.SSID", param("Home", "xsd:string", true)],
  ["Device.WiFi.SSID.1.Enable", param("true", "xsd:boolean", true)],
  ["Device.WiFi.SSID.10.", object()],
  ["Device.WiFi.SSID.10.SSID", param("Guest", "xsd:string", true)],
  ["Device.WiFi.SSID.2.", object()],
  ["Device.WiFi.SSID.2.SSID", param("Two", "xsd:string", true)],
  ["Device.DeviceInfo.UpTime", param("42", "xsd:unsignedInt")],
  ["Device.DeviceInfo.SoftwareVersion", param("V5R019")],
];

const pick = (...paths: string[]): [string, ParamRecord][] => TREE.filter(([path]) => paths.includes(path)).sort(([a], [b]) => (a < b ? -1 : 1));
const without = (prefix: string): [string, ParamRecord][] => sorted(new Map(TREE.filter(([p]) => !(p === prefix || p.startsWith(prefix)))));

export function parameterContract(ctx: ContractContext): void {
  describe("parameters", () => {
    async function seed(id = "dev-1"): Promise<void> {
      await ctx.store.upsertDevice(identity(id), { dataModel: "tr181" });
      await ctx.store.updateParameters(id, new Map(TREE));
    }

    it("returns the whole tree, every record field intact", async () => {
      await seed();
      expect(sorted(await ctx.store.getParameters("dev-1"))).toEqual(sorted(new Map(TREE)));
    });

    it("returns a subtree by prefix without its numbered siblings (SSID.1. vs SSID.10.)", async () => {
      await seed();
      expect(sorted(await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.1."]))).toEqual(
        pick("Device.WiFi.SSID.1.", "Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.1.Enable"),
      );
      expect(sorted(await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.10."]))).toEqual(
        pick("Device.WiFi.SSID.10.", "Device.WiFi.SSID.10.SSID"),
      );
    });

    it("treats a name without trailing dot as one exact parameter", async () => {
      await seed();
      expect(sorted(await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.1.SSID"]))).toEqual(pick("Device.WiFi.SSID.1.SSID"));
      expect((await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.1"])).size).toBe(0);
      expect((await ctx.store.getParameters("dev-1", ["Device.DeviceInfo.Up"])).size).toBe(0);
    });

    it("merges several, overlapping prefixes", async () => {
      await seed();
      const got = await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.2.", "Device.WiFi.SSID.2.SSID", "Device.DeviceInfo.UpTime"]);
      expect(sorted(got)).toEqual(pick("Device.WiFi.SSID.2.", "Device.WiFi.SSID.2.SSID", "Device.DeviceInfo.UpTime"));
    });

    it("returns nothing for an unknown prefix, an empty prefix list or an unknown device", async () => {
      await seed();
      expect((await ctx.store.getParameters("dev-1", ["Device.Hosts."])).size).toBe(0);
      expect((await ctx.store.getParameters("dev-1", [])).size).toBe(0);
      expect((await ctx.store.getParameters("ghost")).size).toBe(0);
    });

    it("targeted update changes the given nodes and leaves the rest as it was", async () => {
      await seed();
      const changed = new Map([
        ["Device.DeviceInfo.UpTime", param("43", "xsd:unsignedInt", false, 1_700_000_060_000)],
        ["Device.WiFi.SSID.1.SSID", param("Home", "xsd:string", false, 1_700_000_060_000)], // writable and ts change
        ["Device.WiFi.SSID.3.", object(1_700_000_060_000)],
      ]);
      await ctx.store.updateParameters("dev-1", changed);
      expect(sorted(await ctx.store.getParameters("dev-1"))).toEqual(sorted(new Map([...TREE, ...changed])));
    });

    it("deletes a subtree and nothing beside it", async () => {
      await seed();
      await ctx.store.updateParameters("dev-1", new Map(), ["Device.WiFi.SSID.1."]);
      expect(sorted(await ctx.store.getParameters("dev-1"))).toEqual(without("Device.WiFi.SSID.1."));
      await ctx.store.updateParameters("dev-1", new Map(), ["Device.WiFi."]);
      expect(sorted(await ctx.store.getParameters("dev-1"))).toEqual(pick("Device.DeviceInfo.UpTime", "Device.DeviceInfo.SoftwareVersion"));
    });

    it("deletes one exact node when the name has no trailing dot", async () => {
      await seed();
      await ctx.store.updateParameters("dev-1", new Map(), ["Device.WiFi.SSID.1", "Device.DeviceInfo.UpTime"]);
      expect(sorted(await ctx.store.getParameters("dev-1"))).toEqual(without("Device.DeviceInfo.UpTime"));
    });

    it("replaces a subtree in one call: deletes apply before sets", async () => {
      await seed();
      const fresh = new Map([
        ["Device.WiFi.SSID.1.", object(1_700_000_060_000)],
        ["Device.WiFi.SSID.1.SSID", param("Renamed", "xsd:string", true, 1_700_000_060_000)],
      ]);
      await ctx.store.updateParameters("dev-1", fresh, ["Device.WiFi.SSID.1."]);
      expect(sorted(await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.1."]))).toEqual(sorted(fresh));
      expect((await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID.10.SSID"])).get("Device.WiFi.SSID.10.SSID")?.value).toBe("Guest");
    });

    it("keeps each device's tree separate", async () => {
      await seed("dev-1");
      await seed("dev-2");
      await ctx.store.updateParameters("dev-2", new Map([["Device.WiFi.SSID.1.SSID", param("Other")]]), ["Device.WiFi.SSID.10."]);
      expect(sorted(await ctx.store.getParameters("dev-1"))).toEqual(sorted(new Map(TREE)));
      const two = await ctx.store.getParameters("dev-2");
      expect(two.get("Device.WiFi.SSID.1.SSID")?.value).toBe("Other");
      expect(two.has("Device.WiFi.SSID.10.SSID")).toBe(false);
    });

    it("stores nothing for an unknown device and does not create it", async () => {
      await ctx.store.updateParameters("ghost", new Map([["Device.DeviceInfo.UpTime", param("1")]]));
      expect((await ctx.store.getParameters("ghost")).size).toBe(0);
      expect(await ctx.store.getDevice("ghost")).toBeNull();
    });

    it("keeps values as exact strings: 64-bit counters, signs, zeros, blanks", async () => {
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      const values = new Map([
        ["Device.IP.Interface.1.Stats.BytesReceived", param("18446744073709551615", "xsd:unsignedLong")],
        ["Device.IP.Interface.1.Stats.BytesSent", param("9007199254740993", "xsd:unsignedLong")],
        ["Device.X_TEST.Min", param("-9223372036854775808", "xsd:long")],
        ["Device.X_TEST.Zeros", param("007", "xsd:string")],
        ["Device.X_TEST.Decimal", param("1.50")],
        ["Device.X_TEST.Exponent", param("1e3")],
        ["Device.X_TEST.Empty", param("")],
        ["Device.X_TEST.Spaces", param("  padded  ")],
        ["Device.X_TEST.Hex", param("00ff", "xsd:hexBinary")],
        ["Device.X_TEST.Time", param("2024-03-31T02:30:00+02:00", "xsd:dateTime")],
      ]);
      await ctx.store.updateParameters("dev-1", values);
      const got = await ctx.store.getParameters("dev-1");
      expect(got.get("Device.IP.Interface.1.Stats.BytesReceived")).toEqual(param("18446744073709551615", "xsd:unsignedLong"));
      expect(sorted(got)).toEqual(sorted(values));
    });

    it("keeps unicode SSIDs byte for byte, without normalising them", async () => {
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      const ssids = ["Café ☕", "Cafe\u0301 (decomposed)", "日本語のWi-Fi", "🚀🔥 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ελληνικά", "שלום wifi", "emoji‍👩‍👩‍👧"];
      const set = new Map(ssids.map((ssid, i) => [`Device.WiFi.SSID.${i + 1}.SSID`, param(ssid, "xsd:string", true)]));
      await ctx.store.updateParameters("dev-1", set);
      const got = await ctx.store.getParameters("dev-1", ["Device.WiFi.SSID."]);
      expect(ssids.map((_, i) => got.get(`Device.WiFi.SSID.${i + 1}.SSID`)?.value)).toEqual(ssids);
    });

    it("handles a large tree in one call", async () => {
      await ctx.store.upsertDevice(identity("dev-1"), { dataModel: "tr181" });
      const big = new Map<string, ParamRecord>();
      for (let i = 1; i <= 2000; i++) big.set(`Device.Hosts.Host.${i}.IPAddress`, param(`10.0.${i >> 8}.${i & 255}`));
      await ctx.store.updateParameters("dev-1", big);
      expect((await ctx.store.getParameters("dev-1", ["Device.Hosts."])).size).toBe(2000);
      expect((await ctx.store.getParameters("dev-1", ["Device.Hosts.Host.1."])).size).toBe(1);
      await ctx.store.updateParameters("dev-1", new Map(), ["Device.Hosts.Host.1."]);
      expect((await ctx.store.getParameters("dev-1", ["Device.Hosts."])).size).toBe(1999);
    });
  });
}
