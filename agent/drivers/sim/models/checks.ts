// Write rules real CPEs enforce beyond the BBF syntax.

import type { DeviceModel } from "../../../datamodel/device-model.ts";
import { expandRanges } from "../../../datamodel/values.ts";

/** A radio only accepts a channel listed in its PossibleChannels (e.g. "1-13" or "36,40,…"). */
export function channelCheck(d: DeviceModel, path: string, value: string): boolean {
  const possible = d.get(path.replace(/Channel$/, "PossibleChannels")) ?? "";
  return expandRanges(possible).includes(String(Number(value)));
}
