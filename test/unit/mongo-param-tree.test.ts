// The MongoDB store's parameter-tree encoding: the exact update documents sent
// for updateParameters (targeted, never the whole tree) and the decoding of a
// stored tree. The round trip through a real server is in
// test/integration/mongo-store.test.ts.

import { describe, expect, it } from "vitest";
import { projectionFor, readTree, treeUpdate, type TreeNode } from "../../acs/store/mongodb/param-tree.ts";
import type { ParamRecord } from "../../acs/store/store.ts";

const rec = (value: string, type: ParamRecord["type"] = "xsd:string"): ParamRecord => ({ value, type, writable: true, ts: 5 });
const stored = (value: string, type = "xsd:string") => ({ v: value, t: type, w: true, ts: 5 });

describe("treeUpdate", () => {
  it("sets exactly the given nodes, one field per record", () => {
    const update = treeUpdate(
      new Map([
        ["Device.WiFi.SSID.1.SSID", rec("Home")],
        ["Device.WiFi.SSID.10.", rec("", "object")],
      ]),
      [],
    );
    expect(update).toEqual({
      $set: {
        "p.Device.WiFi.SSID.1.SSID._p": stored("Home"),
        "p.Device.WiFi.SSID.10._o": stored("", "object"),
      },
    });
  });

  it("deletes a subtree as one $unset of its node, an exact name as its record only", () => {
    expect(treeUpdate(new Map(), ["Device.WiFi.SSID.1.", "Device.DeviceInfo.UpTime"])).toEqual({
      $unset: { "p.Device.WiFi.SSID.1": "", "p.Device.DeviceInfo.UpTime._p": "" },
    });
  });

  it("drops deletes inside a deleted subtree (MongoDB rejects overlapping paths)", () => {
    expect(treeUpdate(new Map(), ["Device.WiFi.SSID.1.SSID", "Device.WiFi.", "Device.WiFi.SSID.1."])).toEqual({
      $unset: { "p.Device.WiFi": "" },
    });
  });

  it("writes a deleted subtree that also gets sets as its new content, in the same update", () => {
    const update = treeUpdate(
      new Map([
        ["Device.WiFi.SSID.1.", rec("", "object")],
        ["Device.WiFi.SSID.1.SSID", rec("Renamed")],
        ["Device.DeviceInfo.UpTime", rec("7", "xsd:unsignedInt")],
      ]),
      ["Device.WiFi.SSID.1.", "Device.DeviceInfo.UpTime"],
    );
    expect(update).toEqual({
      $set: {
        "p.Device.WiFi.SSID.1": { _o: stored("", "object"), SSID: { _p: stored("Renamed") } },
        "p.Device.DeviceInfo.UpTime._p": stored("7", "xsd:unsignedInt"),
      },
    });
  });

  it("escapes segments that would clash with metadata keys or MongoDB operators", () => {
    const update = treeUpdate(new Map([["Device._p.$x.%41.a_b", rec("1")]]), []);
    expect(Object.keys(update.$set!)).toEqual(["p.Device.%5Fp.%24x.%2541.a_b._p"]);
  });

  it("rejects names with empty segments with a clear error", () => {
    expect(() => treeUpdate(new Map([["Device..X", rec("1")]]), [])).toThrow(/invalid parameter path for set: "Device..X"/);
    expect(() => treeUpdate(new Map(), [""])).toThrow(/invalid parameter path for delete/);
  });
});

describe("readTree and projectionFor", () => {
  const tree = {
    Device: {
      _o: stored("", "object"),
      "%5Fp": { _p: stored("underscore") },
      SSID: { "1": { _p: stored("one"), _o: stored("", "object") }, "10": { Name: { _p: stored("ten") } } },
    },
  } as TreeNode;

  it("names records by decoded segments, the parameter X and the object X. apart", () => {
    expect([...readTree(tree).keys()].sort()).toEqual(["Device.", "Device.SSID.1", "Device.SSID.1.", "Device.SSID.10.Name", "Device._p"]);
    expect([...readTree(tree, ["Device.SSID.1"]).keys()]).toEqual(["Device.SSID.1"]);
    expect([...readTree(tree, ["Device.SSID.1."]).keys()]).toEqual(["Device.SSID.1."]);
    expect(readTree(tree, ["Device.SSID.1.Name", "Device..", "Nope."]).size).toBe(0);
  });

  it("projects each prefix once, never a field inside another projected one", () => {
    expect(projectionFor(["Device.SSID.", "Device.SSID.1.Name", "Device.X", "Device..Y", "Device.SSID.10."])).toEqual([
      "p.Device.SSID",
      "p.Device.X._p",
    ]);
  });
});
