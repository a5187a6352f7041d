// WAN codecs: how the connection is made (PPPoE or IPoE) and its VLAN.
import { parseBoolean } from "../../agent/datamodel/values.ts";
import type { ValueCodec } from "./types.ts";

type WanMode = "pppoe" | "ipoe";
type Vlan = "untagged" | number;

/** An Enable parameter that is true exactly in one mode (TR-098 WANPPPConnection vs WANIPConnection). Only "true" is decisive on read. */
export const modeFlag = (mode: WanMode): ValueCodec<WanMode> => ({
  kind: "value",
  name: `modeFlag(${mode})`,
  type: "boolean",
  encode: (v) => (v === mode ? "true" : "false"),
  decode: (raw, acc) => (parseBoolean(raw) === "true" ? mode : acc),
});

/** TR-181 interface stacking: the WAN IP interface's LowerLayers names the PPP or the Ethernet interface. */
export const stackedOn = (lowerLayer: Readonly<Record<WanMode, string>>): ValueCodec<WanMode> => ({
  kind: "value",
  name: "stackedOn",
  type: "string",
  values: Object.values(lowerLayer),
  encode: (v) => lowerLayer[v],
  decode: (raw, acc) => (Object.keys(lowerLayer) as WanMode[]).find((m) => lowerLayer[m] === raw) ?? acc,
});

/** The VLAN ID; "untagged" leaves it alone (see vlanEnabled). */
export const vlanId: ValueCodec<Vlan> = {
  kind: "value",
  name: "vlanId",
  type: "unsignedInt",
  encode: (v) => (v === "untagged" ? undefined : String(v)),
  decode: (raw, acc) => (/^\d+$/.test(raw) && raw !== "0" ? Number(raw) : acc),
};

/** Whether frames are tagged at all. Folded after vlanId: disabled reads as "untagged". */
export const vlanEnabled: ValueCodec<Vlan> = {
  kind: "value",
  name: "vlanEnabled",
  type: "boolean",
  encode: (v) => (v === "untagged" ? "false" : "true"),
  decode: (raw, acc) => (parseBoolean(raw) === "false" ? "untagged" : acc),
};
