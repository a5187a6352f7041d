// One Wi-Fi change pushed by support to a line's router, from the API call to
// its outcome. The record doubles as the line's audit trail: who, when, on
// which line and router, every field from → to (secrets masked from the
// start: the clear passphrase lives only in the line's desired settings),
// and each status with its time.
//
// Statuses:
//   queued      the router cannot be reached now (offline since …, or never
//               seen); the change is applied at its next contact
//   waking      a wake (channel, HTTP or UDP connection request) is under way or succeeded
//   applying    the router opened a session since the change was made
//   applied     the router confirmed it (SetParameterValues status + ParameterKey)
//   failed      fault code and text, the value the router rejected, or a
//               timeout; a failure that is not final (timeout, transient
//               fault) still turns into applied if a later session applies it
//   superseded  later changes on the line set every field this one set
// Transitions are pure (moveTo); the tracker decides which one happens.

import type { WakeChannel, WakeFailure } from "../connreq/requester.ts";
import type { Band } from "../provisioning/settings-catalogue.ts";

export const CHANGE_STATUSES = ["queued", "waking", "applying", "applied", "failed", "superseded"] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** One field as the client named it ("bands.2.4GHz.ssid"); secret values are masked. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface ChangeFailure {
  /** rejected: the router refused the value; fault: the session failed; timeout: woken, but nothing applied in time. */
  kind: "rejected" | "fault" | "timeout";
  /** "cwmp.9007", "provisioning.verify", "timeout", ... */
  code: string;
  message: string;
  /** False when a later session may still apply the change. */
  final: boolean;
}

export interface WakeOutcome {
  ok: boolean;
  via: WakeChannel | null;
  ms: number | null;
  reason: WakeFailure | null;
  detail: string | null;
  at: number;
}

export interface HistoryEntry {
  status: ChangeStatus;
  at: number;
  note: string;
}

export interface WifiChange {
  id: string;
  lineId: string;
  routerSerial: string;
  /** The router's device id, once it has contacted the ACS. */
  deviceId: string | null;
  /** API token name. */
  actor: string;
  createdAt: number;
  /** The line version this change produced. */
  lineVersion: number;
  changes: FieldChange[];
  /** Bands switched to an insecure mode (WEP, open) with explicit confirmation. */
  insecure: Band[];
  /** Catalogue keys not confirmed yet; a later change of the same key on the line takes it over. */
  keys: string[];
  status: ChangeStatus;
  statusAt: number;
  /** The current status in words. */
  note: string;
  /** The router's last contact, when the change is queued because it is offline. */
  offlineSince: number | null;
  wake: WakeOutcome | null;
  /** Wakes sent for this change. */
  wakes: number;
  appliedAt: number | null;
  failure: ChangeFailure | null;
  supersededBy: string | null;
  history: HistoryEntry[];
}

const MAX_HISTORY = 50;

/** Still waiting for an outcome (a non-final failure may still become applied). */
export const isOpen = (c: Pick<WifiChange, "status" | "failure">): boolean =>
  c.status === "queued" || c.status === "waking" || c.status === "applying" || (c.status === "failed" && c.failure?.final === false);

/** The change in `status` at `at`; a closed change never moves again. */
export function moveTo(c: WifiChange, status: ChangeStatus, at: number, note: string, patch: Partial<WifiChange> = {}): WifiChange {
  if (!isOpen(c)) return c;
  const history = [...c.history, { status, at, note }].slice(-MAX_HISTORY);
  return { ...c, ...patch, status, statusAt: at, note, history };
}
