// One session of a device with the ACS: the Inform with its pending events
// (plus 0 BOOTSTRAP when ManagementServer.URL is not the one it bootstrapped
// with), its TransferCompletes, then the ACS's requests applied to it. What
// the device records (delivered events, acknowledged transfers, changed
// values, RetryCount) is on disk before the ACS sees it acknowledged.

import { AcsConnection, parseAcsUrl, type DigestMemo } from "../cwmp-client/acs-connection.ts";
import { buildInform } from "../cwmp-client/inform.ts";
import { runSession, type SessionPlan } from "../cwmp-client/session.ts";
import type { DriverDevice } from "../drivers/driver.ts";
import { handleAcsRequest, type DeviceAction } from "../rpc/dispatch.ts";
import * as ev from "./events.ts";
import type { PersistedState, ScheduledInform } from "./persisted-state.ts";
import type { DeviceEnv, SessionResult } from "./types.ts";

/** What a session needs from its device. */
export interface SessionHost {
  readonly drv: DriverDevice;
  readonly env: DeviceEnv;
  readonly state: PersistedState;
  /** The device's power: aborted by a power cut. */
  readonly signal: AbortSignal;
  readonly memo: DigestMemo;
  /** Simulated power cut right after the n-th ACS request. */
  readonly killAfter?: number;
  /** A ManagementServer parameter's value ("" when absent). */
  ms(name: string): string;
  /** The session's connection (undefined once it is over): a power cut aborts it. */
  connected(conn: AcsConnection | undefined): void;
  scheduleInform(entry: ScheduledInform): void;
  kill(): void;
}

/** What the device does once the session is over. */
export interface AfterSession {
  actions: DeviceAction[];
  /** Diagnostics objects to run. */
  diagnostics: string[];
}

export async function runDeviceSession(host: SessionHost, after: AfterSession): Promise<SessionResult> {
  const started = performance.now();
  const { drv, env, state, signal } = host;
  const model = drv.model;
  let rpcs = 0;
  const url = host.ms("URL");
  if (!parseAcsUrl(url)) {
    return { ok: false, durationMs: 0, error: `ManagementServer.URL is not an http(s) URL: ${JSON.stringify(url)}`, rpcs };
  }
  if (state.bootstrappedUrl !== url) state.events = ev.addEvent(state.events, ev.BOOTSTRAP);
  const built = buildInform(drv, state.events, state.retryCount);
  const delivered = built.inform.events;
  const conn = new AcsConnection({
    url,
    credentials: { username: host.ms("Username"), password: host.ms("Password") },
    pool: env.acsPool,
    tls: env.acsTls,
    memo: host.memo,
    timeoutMs: env.sessionTimeoutMs,
  });
  host.connected(conn);
  const plan: SessionPlan = {
    inform: built.inform,
    namespace: drv.namespace,
    serialize: drv.readOptions.booleanDigits ? { booleanLiteral: "digit" } : undefined,
    requests: [...state.transfers],
    informed: () => {
      state.events = ev.withoutDelivered(state.events, delivered);
      for (const [path, value] of built.changed) model.setBaseline(path, value);
      if (delivered.some((e) => e.eventCode === ev.BOOTSTRAP)) state.bootstrappedUrl = url;
      return state.persist();
    },
    acked: (req) => {
      state.transfers = state.transfers.filter((t) => t !== req);
      return state.persist();
    },
    handle: async (req) => {
      rpcs++;
      const before = drv.commit && req.kind === "SetParameterValues" ? model.snapshot() : undefined;
      const out = handleAcsRequest(model, req, { ...drv.readOptions, pendingTransfers: state.transfers.length });
      if (out.changed?.length && drv.commit) {
        // Applied to the system before the response: a failure refuses the whole request.
        const refused = await drv.commit(out.changed);
        if (refused) {
          model.restore(before!);
          return refused;
        }
      }
      if (out.changed?.length) after.diagnostics.push(...drv.applied(out.changed));
      if (out.action?.kind === "scheduleInform") {
        // Armed now: a short delay simply becomes one more session after this one.
        const entry = { at: Date.now() + out.action.delaySeconds * 1000, commandKey: out.action.commandKey };
        state.scheduled = [...state.scheduled, entry];
        host.scheduleInform(entry);
      } else if (out.action) after.actions.push(out.action);
      // Acknowledged means committed: the state is on disk before the response leaves.
      if (out.mutated) await state.persist();
      return out.response;
    },
    killAfter: host.killAfter,
    kill: () => {
      conn.dropConnection();
      host.kill();
    },
  };
  try {
    await runSession(conn, plan);
    state.retryCount = 0;
    await state.persist();
    return { ok: true, durationMs: performance.now() - started, rpcs };
  } catch (err) {
    const durationMs = performance.now() - started;
    // A dead device records nothing: it comes back with what was on disk.
    if (signal.aborted) return { ok: false, durationMs, error: `killed: ${(err as Error).message}`, rpcs };
    state.events = ev.afterFailure(state.events);
    state.retryCount++;
    await state.persist().catch(() => undefined);
    return { ok: false, durationMs, error: (err as Error).message, rpcs };
  } finally {
    // The connection is the session's (TR-069 §3.4.1): it does not outlive it.
    conn.dropConnection();
    host.connected(undefined);
  }
}
