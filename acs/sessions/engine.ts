// Runs CWMP sessions: feeds the pure state machine (cwmp/session-state.ts),
// executes its effects against the store and the RPC sources, and keeps one
// session per device. Sessions of one device never interleave: in this
// process a new session waits for the previous one to be aborted; across ACS
// instances sharing a store the lease `session:<deviceId>` decides (renewed as
// the session progresses, released at its end, expiring if this process dies).
// A store serving one ACS process (SQLite) needs no lease.
// Nothing is confirmed to a source unless the CPE answered, so a session that
// dies (idle timeout, preemption, shutdown) loses nothing: sources keep their
// work pending for the next session.

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Envelope, Inform } from "../cwmp/messages.ts";
import { initialState, transition, type SessionEffect, type SessionEvent, type SessionState } from "../cwmp/session-state.ts";
import type { EventBus } from "../events.ts";
import type { Store } from "../store/store.ts";
import { changedParameters, summarizeInform } from "./inform-record.ts";
import type { PlannedRpc, RpcSource, SessionContext } from "./rpc-source.ts";

export interface SessionEngineOptions {
  /** Owner name of this ACS instance in store leases. */
  instanceId: string;
  /** A session with no CPE request for this long is dropped (default 30 s). */
  idleTimeoutMs?: number;
  /** Hard cap on ACS requests in one session; the rest waits for the next session (default 256). */
  maxRpcsPerSession?: number;
  /** Send HoldRequests=true so the ACS's requests go before the CPE's (default false). */
  holdRequests?: boolean;
}

export interface SessionEngineDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  sources: readonly RpcSource[];
  options: SessionEngineOptions;
}

/** What the HTTP layer sends back for one CPE POST. */
export type SessionReply =
  | { kind: "envelope"; envelope: Envelope }
  | { kind: "empty"; close: boolean }
  | { kind: "error"; status: number; text: string };

export class Session {
  /** Also the session cookie value: 122 random bits (randomUUID draws from a cached entropy pool: cheap per session). */
  readonly id = randomUUID().replaceAll("-", "");
  readonly startedAt = Date.now();
  state: SessionState;
  ctx: SessionContext | null = null;
  pending: { source: RpcSource; planned: PlannedRpc } | null = null;
  rpcs = 0;
  leaseAt = 0;
  lastActivity = Date.now();
  busy = 0;
  finished = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly deviceId: string, readonly remoteAddress: string, readonly acsOrigin: string | null, hold: boolean) {
    this.state = initialState(hold);
  }

  /** Runs `fn` after everything queued before it: one step of a session at a time. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    const p = this.tail.then(fn);
    // Inline arrows: a named closure gets an esbuild keepNames call (tsx) each time it is made.
    this.tail = p.then(() => this.settled(), () => this.settled());
    return p;
  }

  private settled(): void {
    this.busy--;
    this.lastActivity = Date.now();
  }
}

/** The reply carried by a list of effects (the last reply-effect wins; there is at most one). */
function replyOf(effects: readonly SessionEffect[], fallback: SessionReply | null): SessionReply | null {
  let reply = fallback;
  for (const e of effects) {
    if (e.type === "send") reply = { kind: "envelope", envelope: e.envelope };
    else if (e.type === "sendEmpty") reply = { kind: "empty", close: e.close };
    else if (e.type === "reject") reply = { kind: "error", status: e.status, text: e.reason };
  }
  return reply;
}

/** Answer to a POST that belongs to no session (its first message is not an Inform). */
export function sessionlessReply(event: SessionEvent): SessionReply {
  return replyOf(transition(initialState(), event).effects, null) ?? { kind: "error", status: 400, text: "no session" };
}

const INTERNAL_ERROR: SessionReply = { kind: "error", status: 500, text: "internal error" };

export class SessionEngine {
  private readonly byId = new Map<string, Session>();
  private readonly byDevice = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly leaseTtlMs: number;
  private readonly maxRpcs: number;
  private readonly leases: boolean;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: SessionEngineDeps) {
    this.idleMs = deps.options.idleTimeoutMs ?? 30_000;
    // Outlives an idle session, so only a dead instance's lease ever expires under a live session.
    this.leaseTtlMs = this.idleMs * 2 + 5_000;
    this.maxRpcs = deps.options.maxRpcsPerSession ?? 256;
    this.leases = deps.store.sharedByInstances;
    this.sweeper = setInterval(() => this.sweep(), Math.min(1_000, Math.max(this.idleMs / 4, 20)));
    this.sweeper.unref();
  }

  get(sessionId: string): Session | undefined {
    return this.byId.get(sessionId);
  }

  /**
   * Starts a session for an authenticated Inform. A session the device still
   * has here is aborted first (the CPE only opens a new one when it gave up on
   * the old). `session` is null when no session remains open after the reply.
   */
  start(deviceId: string, envelope: Envelope, remoteAddress: string, acsOrigin: string | null): Promise<{ session: Session | null; reply: SessionReply }> {
    const previous = this.byDevice.get(deviceId);
    const s = new Session(deviceId, remoteAddress, acsOrigin, this.deps.options.holdRequests ?? false);
    // Registered synchronously so a concurrent Inform of the same device queues behind this one.
    this.byDevice.set(deviceId, s);
    this.byId.set(s.id, s);
    return s.run(async () => {
      try {
        if (previous) await this.abort(previous, "preempted");
        if (!(await this.renewLease(s))) {
          this.forget(s);
          s.finished = true;
          this.deps.logger.info({ deviceId, remoteAddress }, "device in session on another ACS instance");
          return { session: null, reply: { kind: "error", status: 503, text: "device already in session" } };
        }
      } catch (err) {
        this.forget(s);
        s.finished = true;
        this.deps.logger.error({ err, deviceId }, "cannot open session");
        return { session: null, reply: INTERNAL_ERROR };
      }
      const reply = await this.step(s, { type: "message", envelope });
      return { session: s.finished ? null : s, reply };
    });
  }

  /** Feeds one CPE POST (or an unreadable one) to its session. */
  handle(s: Session, event: SessionEvent): Promise<SessionReply> {
    return s.run(async () => {
      if (s.finished) return { kind: "error", status: 400, text: "session closed" };
      if (this.leases && Date.now() - s.leaseAt > this.leaseTtlMs / 3) {
        let renewed: boolean;
        try {
          renewed = await this.renewLease(s);
        } catch (err) {
          this.deps.logger.error({ err, deviceId: s.deviceId }, "lease renewal failed");
          await this.step(s, { type: "abort", reason: "internal_error" });
          return INTERNAL_ERROR;
        }
        if (!renewed) {
          await this.step(s, { type: "abort", reason: "lease_lost" });
          return { kind: "error", status: 503, text: "session taken over by another ACS instance" };
        }
      }
      return this.step(s, event);
    });
  }

  /** Ends a session without the CPE: its outstanding request stays unconfirmed. */
  abort(s: Session, reason: string): Promise<void> {
    return s.run(async () => {
      if (!s.finished) await this.step(s, { type: "abort", reason });
    });
  }

  /** Aborts every session (shutdown): tasks in flight stay pending. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.byId.values()].map((s) => this.abort(s, "shutdown")));
  }

  private sweep(): void {
    const now = Date.now();
    for (const s of this.byId.values()) {
      if (s.busy === 0 && now - s.lastActivity > this.idleMs) void this.abort(s, "timeout");
    }
  }

  private async renewLease(s: Session): Promise<boolean> {
    if (!this.leases) return true;
    const now = Date.now();
    const ok = await this.deps.store.acquireLease(`session:${s.deviceId}`, this.deps.options.instanceId, this.leaseTtlMs);
    if (ok) s.leaseAt = now;
    return ok;
  }

  private forget(s: Session): void {
    this.byId.delete(s.id);
    if (this.byDevice.get(s.deviceId) === s) this.byDevice.delete(s.deviceId);
  }

  /** Runs the state machine from `event` until it needs the CPE again; returns the HTTP reply. */
  private async step(s: Session, event: SessionEvent): Promise<SessionReply> {
    let reply: SessionReply | null = null;
    let ev: SessionEvent | null = event;
    try {
      while (ev) {
        const { state, effects } = transition(s.state, ev);
        s.state = state;
        ev = null;
        reply = replyOf(effects, reply);
        for (const e of effects) {
          switch (e.type) {
            case "inform":
              s.ctx = await this.recordInform(s, e.inform);
              break;
            case "cpeRequest":
              for (const source of this.deps.sources) if (source.onCpeRequest) await source.onCpeRequest(this.ctxOf(s), e.request);
              break;
            case "plan":
              ev = await this.plan(s);
              break;
            case "response": {
              const pending = s.pending;
              s.pending = null;
              if (pending) await pending.source.onResponse(this.ctxOf(s), pending.planned, e.response);
              break;
            }
            case "unanswered":
              s.pending = null;
              this.deps.logger.debug({ deviceId: s.deviceId, rpc: e.outstanding.request.kind }, "request left unanswered");
              break;
            case "end":
              await this.finish(s, e.ok, e.reason);
              break;
          }
        }
      }
    } catch (err) {
      this.deps.logger.error({ err, deviceId: s.deviceId }, "session failed");
      s.state = { kind: "closed", ok: false, reason: "internal_error" };
      await this.finish(s, false, "internal_error");
      return INTERNAL_ERROR;
    }
    return reply ?? INTERNAL_ERROR;
  }

  private ctxOf(s: Session): SessionContext {
    if (!s.ctx) throw new Error("session has no Inform context");
    return s.ctx;
  }

  private async plan(s: Session): Promise<SessionEvent> {
    if (s.rpcs >= this.maxRpcs) {
      this.deps.logger.warn({ deviceId: s.deviceId, rpcs: s.rpcs }, "RPC cap reached; the rest waits for the next session");
      return { type: "nothingPlanned" };
    }
    const ctx = this.ctxOf(s);
    for (const source of this.deps.sources) {
      const planned = await source.next(ctx);
      if (planned) {
        s.pending = { source, planned };
        s.rpcs++;
        return { type: "planned", id: `${s.id.slice(0, 8)}.${s.rpcs}`, request: planned.rpc };
      }
    }
    return { type: "nothingPlanned" };
  }

  private async recordInform(s: Session, inform: Inform): Promise<SessionContext> {
    const { store, bus, logger } = this.deps;
    const now = Date.now();
    const summary = summarizeInform(s.deviceId, inform, s.remoteAddress, now);
    const device = await store.upsertDevice(summary.identity, summary.update);
    // The store stamps registeredAt when it creates the record, never before `now`.
    const registered = device.registeredAt >= now;
    const stored = registered ? null : await store.getParameters(s.deviceId, inform.parameterList.map((p) => p.name));
    const changed = changedParameters(inform.parameterList, stored, now);
    if (changed.size > 0) await store.updateParameters(s.deviceId, changed);
    if (registered) bus.emit("device.registered", { deviceId: s.deviceId });
    bus.emit("device.informed", { deviceId: s.deviceId, serialNumber: device.serialNumber, events: summary.events, remoteAddress: s.remoteAddress, bootstrap: summary.bootstrap });
    return {
      sessionId: s.id, deviceId: s.deviceId, device, inform, remoteAddress: s.remoteAddress, acsOrigin: s.acsOrigin,
      startedAt: s.startedAt, store, bus, logger,
    };
  }

  /** Closes the books of a session; never throws (it runs on error paths too). */
  private async finish(s: Session, ok: boolean, reason: string): Promise<void> {
    if (s.finished) return;
    s.finished = true;
    s.pending = null;
    this.forget(s);
    const { store, bus, logger, options } = this.deps;
    if (s.leaseAt > 0) {
      try {
        await store.releaseLease(`session:${s.deviceId}`, options.instanceId);
      } catch (err) {
        logger.warn({ err, deviceId: s.deviceId }, "lease release failed; it expires by itself");
      }
    }
    const durationMs = Date.now() - s.startedAt;
    if (s.ctx) bus.emit("session.ended", { deviceId: s.deviceId, ok, durationMs, rpcs: s.rpcs });
    if (ok) logger.debug({ deviceId: s.deviceId, rpcs: s.rpcs, durationMs }, "session done");
    else logger.info({ deviceId: s.deviceId, reason, rpcs: s.rpcs, durationMs }, "session ended incomplete");
  }
}
