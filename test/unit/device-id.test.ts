import { describe, expect, it } from "vitest";
import { deviceIdOf } from "../../acs/sessions/device-id.ts";

describe("deviceIdOf", () => {
  it.each([
    [{ oui: "00D09E", productClass: "HGW-AX3000", serialNumber: "EXC0123456789" }, "00D09E-HGW-AX3000-EXC0123456789"],
    [{ oui: "00D09E", productClass: "", serialNumber: "EXC01" }, "00D09E-EXC01"],
    [{ oui: "00D09E", productClass: "HG 8245", serialNumber: "A/B" }, "00D09E-HG%208245-A%2FB"],
    [{ oui: "00D09E", productClass: "R_1", serialNumber: "x.y:z" }, "00D09E-R_1-x%2Ey%3Az"],
    [{ oui: "00D09E", productClass: "Box", serialNumber: "é%" }, "00D09E-Box-%C3%A9%25"],
    [{ oui: "00D09E", productClass: "Box", serialNumber: "😀" }, "00D09E-Box-%F0%9F%98%80"],
  ])("%j -> %s", (id, expected) => {
    expect(deviceIdOf(id)).toBe(expected);
  });

  it("escapes so that different DeviceIds never share an id", () => {
    expect(deviceIdOf({ oui: "00D09E", productClass: "A B", serialNumber: "1" })).not.toBe(
      deviceIdOf({ oui: "00D09E", productClass: "A%20B", serialNumber: "1" }),
    );
  });

  it.each([
    [{ oui: "", productClass: "HGW", serialNumber: "S1" }],
    [{ oui: "00D09E", productClass: "HGW", serialNumber: "" }],
    [{ oui: "00D09E", productClass: "HGW", serialNumber: "   " }],
  ])("no id without OUI and serial number: %j", (id) => {
    expect(deviceIdOf(id)).toBeNull();
  });
});
