// The router of a line as the ACS knows it: its serial (none for a
// customer-owned router), and once it has contacted the ACS its device id,
// provisioning state and firmware profile (its model's Wi-Fi rules).

import { rentedRouterSerial, type Line } from "../lines/line.ts";
import type { LineRepository } from "../lines/line-repository.ts";
import type { Profile } from "../provisioning/profile.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { ProvisioningState } from "../provisioning/provisioning-state.ts";

export interface LineRouter {
  serial: string;
  deviceId: string | null;
  state: ProvisioningState | null;
  profile: Profile | undefined;
}

/** null for a customer-owned router (the ACS does not manage it). */
export async function routerOf(lines: Pick<LineRepository, "listStates">, profiles: ProfileRegistry, line: Pick<Line, "id" | "router">): Promise<LineRouter | null> {
  const serial = rentedRouterSerial(line);
  if (serial === null) return null;
  const states = (await lines.listStates({ serial, limit: 10 })).items;
  const state = states.find((s) => s.lineId === line.id && s.role === "router") ?? states[0] ?? null;
  const profile = state?.profile ? profiles.profiles.find((p) => p.file === state.profile) : undefined;
  return { serial, deviceId: state?.deviceId ?? null, state, profile };
}
