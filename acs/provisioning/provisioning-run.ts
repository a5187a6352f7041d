// What one session's provisioning carries from step to step (provisioning-source.ts):
// the state read and as last written, the desired state, the step in flight and
// what the device refused in this session.
import type { AcsRequest, ParameterValue } from "../cwmp/messages.ts";
import type { Line } from "../lines/line.ts";
import type { DesiredState, Scope } from "./desired-state.ts";
import type { Profile } from "./profile.ts";
import type { SessionFacts } from "./provision-plan.ts";
import type { ProvisioningState } from "./provisioning-state.ts";

export type Step =
  /** A read; `probe`: on 0 BOOTSTRAP of a device given credentials before, does it still hold them? */
  | { kind: "check"; keys: string[]; probe?: true }
  | { kind: "apply"; keys: string[] }
  | { kind: "verify"; keys: string[] }
  | { kind: "addObject"; table: string; instance: number; keys: string[] }
  | { kind: "deleteObject"; table: string; instance: number; keys: string[]; created: string };

export type Sent = Step & { rpc: AcsRequest; values?: ParameterValue[] };

export interface Run {
  state: ProvisioningState;
  /** The state as last written (a copy the run does not change): a session that changes nothing writes nothing. */
  written: ProvisioningState | null;
  /** The `applied` of the state read, shared with it (a store's cache may hand it to other readers): copied before a change. */
  readApplied: Readonly<Record<string, string>> | null;
  profile: Profile;
  /** What the desired state is computed from besides the run's state (see desire). */
  scope: Scope;
  line: Line | null;
  periodicInformInterval: number;
  desired: DesiredState;
  facts: SessionFacts;
  tags: readonly string[];
  next: Step | null;
  /** Tables an AddObject was tried on in this session (once each); NO_KEYS until the first. */
  added: Set<string>;
  /** Keys the device refused for good in this session: the rest is applied without them. NO_KEYS until the first. */
  refused: Set<string>;
  /** Rounds of skipping refused keys so far. */
  rounds: number;
}

/** The empty `added` / `refused` of a run, never added to: most sessions need neither, and a Set per session is garbage. */
export const NO_KEYS: ReadonlySet<string> = new Set();
export const keySet = (s: Set<string>): Set<string> => (s === NO_KEYS ? new Set() : s);

export type Fault = { code: string; message: string; detail: unknown; permanent: boolean };
