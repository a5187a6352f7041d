// One simulated CPE: its sessions with the ACS (one at a time, requests made
// meanwhile coalesce into exactly one more), what happens after a session
// (reboot, factory reset, download, scheduled Inform, diagnostics), timers
// (periodic Inform, retry back-off), power cuts, and its persisted state.

import type { Agent } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import type { Download, EventStruct, TransferComplete } from "../../acs/cwmp/messages.ts";
import { AcsConnection, type DigestMemo } from "../cwmp-client/acs-connection.ts";
import { retryDelayMs } from "../cwmp-client/backoff.ts";
import { fnv1a } from "../datamodel/fnv1a.ts";
import { buildInform } from "../cwmp-client/inform.ts";
import { runSession, type SessionPlan } from "../cwmp-client/session.ts";
import type { RateWindow } from "../connection-request/rate-limit.ts";
import type { CrTarget } from "../connection-request/server.ts";
import type { DriverDevice, SystemRestartKind } from "../drivers/driver.ts";
import { handleAcsRequest, type DeviceAction } from "../rpc/dispatch.ts";
import { CoalescingWriter } from "../state/atomic-file.ts";
import type { DeviceState, StateStore } from "../state/device-state.ts";
import * as ev from "./events.ts";
import { nextPeriodicInform } from "./periodic.ts";

export interface SessionResult {
  ok: boolean;
  durationMs: number;
  error?: string;
  /** ACS requests answered in the session. */
  rpcs: number;
}

/** What the devices of a fleet share. */
export interface DeviceEnv {
  store: StateStore;
  /** Shared keep-alive pools towards the ACS (http and https). */
  agent: Agent;
  httpsAgent?: HttpsAgent;
  /** Retry failed sessions after the TR-069 back-off (off: the next session carries RetryCount). */
  retry: boolean;
  rebootDelayMs: number;
  random: () => number;
  sessionTimeoutMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Set when the fleet stops: no device powers on again (pending reboots included). */
  closed?: boolean;
  /** Real systems: the driver's reboot / factory-reset command was accepted and the system is going down. */
  onSystemRestart?: (kind: SystemRestartKind) => void;
  /** After each session: the agent channel follows the device's credentials (agent/channel/channel-fleet.ts). */
  onSession?: (device: Device, result: SessionResult) => void;
  /** A power cut (kill): what needs the device up stops too (its agent channel). */
  onPowerOff?: (device: Device) => void;
}

export interface InformOptions {
  /** Simulated power cut right after the n-th ACS request of this session arrives. */
  killAfterAcsRequests?: number;
}

const OFF: SessionResult = { ok: false, durationMs: 0, error: "device is powered off", rpcs: 0 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class Device implements CrTarget {
  online = false;
  crWindow?: RateWindow;
  private events: EventStruct[] = [];
  private transfers: TransferComplete[] = [];
  private scheduled: { at: number; commandKey: string }[] = [];
  private retryCount = 0;
  private bootstrappedUrl?: string;
  private memo?: DigestMemo;
  private running = false;
  private wanted = false;
  private waiters?: ((r: SessionResult) => void)[];
  private killAfter?: number;
  private power = new AbortController();
  private timers?: Map<NodeJS.Timeout, string>;
  /** Hash of the state last written: a session that changed nothing writes nothing. */
  private savedHash?: number;
  private readonly writer = new CoalescingWriter(async () => {
    const json = JSON.stringify(this.snapshot());
    const hash = fnv1a(json);
    if (hash === this.savedHash) return;
    await this.env.store.saveJson(this.serial, json);
    this.savedHash = hash;
  });

  constructor(
    readonly drv: DriverDevice,
    /** The simulated model, e.g. "router-tr181". */
    readonly model: string,
    private readonly env: DeviceEnv,
  ) {}

  get serial(): string {
    return this.drv.model.ident.serial;
  }

  /** A session is running or about to (requests made now will coalesce into one more). */
  get busy(): boolean {
    return this.running;
  }

  get connectionRequestUrl(): string {
    return this.ms("ConnectionRequestURL");
  }

  /** A parameter's real value (secrets included: this is the device's own view), undefined if absent. */
  getValue(path: string): string | undefined {
    return this.drv.model.get(path);
  }

  /**
   * A change made on the device itself (user in the web UI, driver event). With
   * active notification on the parameter, a 4 VALUE CHANGE session follows at once.
   */
  async setLocalValue(path: string, value: string): Promise<void> {
    const r = this.drv.model.resolve(path);
    if (r?.kind !== "param") throw new Error(`no parameter ${path}`);
    this.drv.model.write(r.node, path, value);
    await this.persist();
    if (this.drv.model.notification(r.node, path) === 2) void this.requestSession();
  }

  private ms(name: string): string {
    return this.drv.model.get(`${this.drv.model.root}ManagementServer.${name}`) ?? "";
  }

  crCredentials(): { username: string; password: string } {
    return { username: this.ms("ConnectionRequestUsername"), password: this.ms("ConnectionRequestPassword") };
  }

  // ---- state ---------------------------------------------------------------

  restore(s: DeviceState): void {
    this.savedHash = undefined;
    this.bootstrappedUrl = s.bootstrappedUrl;
    this.events = s.events;
    this.transfers = s.transfers;
    this.scheduled = s.scheduled;
    this.retryCount = s.retryCount;
    this.drv.model.restore(s.data);
  }

  private snapshot(): DeviceState {
    return {
      v: 1,
      serial: this.serial,
      model: this.model,
      crPath: this.drv.model.ident.crPath,
      bootstrappedUrl: this.bootstrappedUrl,
      events: this.events,
      transfers: this.transfers,
      scheduled: this.scheduled,
      retryCount: this.retryCount,
      data: this.drv.model.snapshot(),
    };
  }

  persist(): Promise<void> {
    return this.writer.request();
  }

  /** Resolves once every state write requested so far has finished. */
  persisted(): Promise<void> {
    return this.writer.settled();
  }

  // ---- power ---------------------------------------------------------------

  /** Power on (or come back from a reboot): 1 BOOT plus whatever `extra` events, then a session. */
  boot(extra: EventStruct[] = []): Promise<SessionResult> {
    if (this.env.closed) return Promise.resolve(OFF);
    this.online = true;
    this.power = new AbortController();
    this.drv.boot();
    this.events = ev.afterReboot(this.events);
    for (const e of [{ eventCode: ev.BOOT, commandKey: "" }, ...extra]) this.events = ev.addEvent(this.events, e.eventCode, e.commandKey);
    for (const s of this.scheduled) this.armScheduled(s);
    return this.requestSession();
  }

  /** Power cut: the session in progress dies with its TCP connection, timers stop. */
  kill(): void {
    this.online = false;
    this.env.onPowerOff?.(this);
    this.power.abort();
    for (const t of this.timers?.keys() ?? []) clearTimeout(t);
    this.timers = undefined;
  }

  /** Power back on after kill(): state as last written to disk, then boot. */
  async restart(): Promise<SessionResult> {
    this.kill();
    await this.writer.settled();
    const s = await this.env.store.load(this.serial);
    if (s) this.restore(s);
    else this.forget();
    return this.boot();
  }

  /** Factory state: nothing configured, never bootstrapped, nothing pending. */
  private forget(): void {
    this.drv.model.factoryReset();
    this.bootstrappedUrl = undefined;
    this.events = [];
    this.transfers = [];
    this.scheduled = [];
    this.retryCount = 0;
    this.memo = undefined;
  }

  /**
   * Local (or RPC) reboot: off for rebootDelayMs, then 1 BOOT (+ M Reboot when
   * the ACS asked). M Reboot is on disk before the power goes, so a real system
   * reports it after its own restart.
   */
  async reboot(commandKey?: string): Promise<SessionResult> {
    this.kill();
    const asked = commandKey !== undefined;
    if (asked) this.events = ev.addEvent(this.events, ev.M_REBOOT, commandKey);
    await this.persist();
    if (this.drv.restartSystem) {
      return this.restartSystem("reboot", () => {
        if (asked) this.events = this.events.filter((e) => !(e.eventCode === ev.M_REBOOT && e.commandKey === commandKey));
      });
    }
    await sleep(this.env.rebootDelayMs);
    return this.boot();
  }

  /** Back to factory settings; the next Inform is 0 BOOTSTRAP + 1 BOOT. */
  async factoryReset(): Promise<SessionResult> {
    this.kill();
    const before = this.snapshot();
    this.forget();
    await this.persist();
    if (this.drv.restartSystem) return this.restartSystem("factoryReset", () => this.restore(before));
    await sleep(this.env.rebootDelayMs);
    return this.boot();
  }

  /**
   * Runs the driver's restart command. Accepted: the device stays off until the
   * system takes the process down. Refused: what was recorded for the restart
   * is undone and the device carries on (no 1 BOOT: nothing restarted).
   */
  private async restartSystem(kind: SystemRestartKind, undo: () => void): Promise<SessionResult> {
    const r = await this.drv.restartSystem!(kind);
    if (r.ok) {
      this.env.log?.("system restart", { serial: this.serial, kind });
      this.env.onSystemRestart?.(kind);
      return OFF;
    }
    undo();
    await this.persist();
    this.online = true;
    this.power = new AbortController();
    for (const s of this.scheduled) this.armScheduled(s);
    this.armPeriodic();
    this.env.log?.("system restart failed", { serial: this.serial, kind, error: r.error });
    return { ok: false, durationMs: 0, error: `${kind} failed: ${r.error}`, rpcs: 0 };
  }

  /**
   * Values read from the system change without a write (a new WAN address in
   * ConnectionRequestURL, a new firmware version). With active notification on
   * one of them, a 4 VALUE CHANGE session follows; drivers call this now and then.
   */
  checkActiveNotifications(): void {
    if (!this.online || this.running) return;
    const m = this.drv.model;
    for (const [path, node, level] of m.notified()) {
      const before = level === 2 ? m.baseline?.get(path) : undefined;
      if (before !== undefined && before !== m.read(node, path)) {
        void this.inform(ev.VALUE_CHANGE);
        return;
      }
    }
  }

  // ---- sessions ------------------------------------------------------------

  /** Starts a session with `event` (default 2 PERIODIC) and resolves with its outcome. */
  inform(event: string = ev.PERIODIC, opts: InformOptions = {}, commandKey = ""): Promise<SessionResult> {
    if (!this.online) return Promise.resolve(OFF);
    this.events = ev.addEvent(this.events, event, commandKey);
    if (opts.killAfterAcsRequests !== undefined) this.killAfter = opts.killAfterAcsRequests;
    return this.requestSession();
  }

  /** From the CR server, after the 200 went out. */
  connectionRequest(): void {
    void this.inform(ev.CONNECTION_REQUEST);
  }

  private requestSession(): Promise<SessionResult> {
    if (!this.online) return Promise.resolve(OFF);
    const p = new Promise<SessionResult>((resolve) => (this.waiters ??= []).push(resolve));
    this.wanted = true;
    if (!this.running) void this.loop();
    return p;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.wanted && this.online) {
        this.wanted = false;
        const waiters = this.waiters ?? [];
        this.waiters = undefined;
        const actions: DeviceAction[] = [];
        const diagnostics: string[] = [];
        const result = await this.session(actions, diagnostics).catch(
          (err: unknown): SessionResult => ({ ok: false, durationMs: 0, error: `agent error: ${(err as Error).message}`, rpcs: 0 }),
        );
        for (const w of waiters) w(result);
        this.env.log?.("session", { serial: this.serial, ok: result.ok, error: result.error, rpcs: result.rpcs, ms: Math.round(result.durationMs) });
        this.env.onSession?.(this, result);
        if (this.online) this.afterSession(result, actions, diagnostics);
      }
    } finally {
      this.running = false;
      const waiters = this.waiters ?? [];
      this.waiters = undefined;
      for (const w of waiters) w(OFF);
    }
  }

  private async session(actions: DeviceAction[], diagnostics: string[]): Promise<SessionResult> {
    const started = performance.now();
    const model = this.drv.model;
    let rpcs = 0;
    const url = this.ms("URL");
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      return { ok: false, durationMs: 0, error: `ManagementServer.URL is not an http(s) URL: ${JSON.stringify(url)}`, rpcs };
    }
    if (this.bootstrappedUrl !== url) this.events = ev.addEvent(this.events, ev.BOOTSTRAP);
    const built = buildInform(this.drv, this.events, this.retryCount);
    const delivered = built.inform.events;
    const signal = this.power.signal;
    const conn = new AcsConnection({
      url,
      credentials: { username: this.ms("Username"), password: this.ms("Password") },
      agent: this.env.agent,
      httpsAgent: this.env.httpsAgent,
      memo: (this.memo ??= { nc: 0 }),
      signal,
      timeoutMs: this.env.sessionTimeoutMs,
    });
    const killAfter = this.killAfter;
    this.killAfter = undefined;
    const plan: SessionPlan = {
      inform: built.inform,
      namespace: this.drv.namespace,
      serialize: this.drv.readOptions.booleanDigits ? { booleanLiteral: "digit" } : undefined,
      requests: [...this.transfers],
      informed: () => {
        this.events = ev.withoutDelivered(this.events, delivered);
        for (const [path, value] of built.changed) (model.baseline ??= new Map()).set(path, value);
        if (delivered.some((e) => e.eventCode === ev.BOOTSTRAP)) this.bootstrappedUrl = url;
        return this.persist();
      },
      acked: (req) => {
        this.transfers = this.transfers.filter((t) => t !== req);
        return this.persist();
      },
      handle: async (req) => {
        rpcs++;
        const before = this.drv.commit && req.kind === "SetParameterValues" ? model.snapshot() : undefined;
        const out = handleAcsRequest(model, req, { ...this.drv.readOptions, pendingTransfers: this.transfers.length });
        if (out.changed?.length && this.drv.commit) {
          // Applied to the system before the response: a failure refuses the whole request.
          const refused = await this.drv.commit(out.changed);
          if (refused) {
            model.restore(before!);
            return refused;
          }
        }
        if (out.changed?.length) diagnostics.push(...this.drv.applied(out.changed));
        if (out.action?.kind === "scheduleInform") {
          // Armed now: a short delay simply becomes one more session after this one.
          const entry = { at: Date.now() + out.action.delaySeconds * 1000, commandKey: out.action.commandKey };
          this.scheduled = [...this.scheduled, entry];
          this.armScheduled(entry);
        } else if (out.action) actions.push(out.action);
        // Acknowledged means committed: the state is on disk before the response leaves.
        if (out.mutated) await this.persist();
        return out.response;
      },
      killAfter,
      kill: () => {
        conn.dropConnection();
        this.kill();
      },
    };
    try {
      await runSession(conn, plan);
      this.retryCount = 0;
      await this.persist();
      return { ok: true, durationMs: performance.now() - started, rpcs };
    } catch (err) {
      const durationMs = performance.now() - started;
      // A dead device records nothing: it comes back with what was on disk.
      if (signal.aborted) return { ok: false, durationMs, error: `killed: ${(err as Error).message}`, rpcs };
      this.events = ev.afterFailure(this.events);
      this.retryCount++;
      await this.persist().catch(() => undefined);
      return { ok: false, durationMs, error: (err as Error).message, rpcs };
    }
  }

  private afterSession(result: SessionResult, actions: DeviceAction[], diagnostics: string[]): void {
    for (const a of actions) {
      if (a.kind === "reboot") void this.reboot(a.commandKey);
      else if (a.kind === "factoryReset") void this.factoryReset();
      else if (a.kind === "download") void this.download(a.request);
    }
    for (const obj of diagnostics) void this.runDiagnostic(obj);
    this.armPeriodic();
    if (!result.ok && this.env.retry) {
      const delay = retryDelayMs(this.retryCount, Number(this.ms("CWMPRetryMinimumWaitInterval")) || 5, Number(this.ms("CWMPRetryIntervalMultiplier")) || 2000, this.env.random);
      this.timer("retry", delay, () => void this.requestSession());
    }
  }

  private async download(req: Download): Promise<void> {
    const signal = this.power.signal;
    const r = await this.drv.download(req, signal);
    if (signal.aborted) return;
    this.transfers = [...this.transfers, { kind: "TransferComplete", commandKey: req.commandKey, fault: r.fault, startTime: r.startTime, completeTime: r.completeTime }];
    this.events = ev.addEvent(ev.addEvent(this.events, ev.TRANSFER_COMPLETE), "M Download", req.commandKey);
    await this.persist();
    if (r.reboot) void this.reboot();
    else void this.requestSession();
  }

  private async runDiagnostic(obj: string): Promise<void> {
    const signal = this.power.signal;
    await this.drv.runDiagnostic(obj, signal);
    if (signal.aborted) return;
    void this.inform(ev.DIAGNOSTICS_COMPLETE);
  }

  private armScheduled(s: { at: number; commandKey: string }): void {
    this.timer("scheduled", Math.max(0, s.at - Date.now()), () => {
      this.scheduled = this.scheduled.filter((x) => x !== s);
      this.events = ev.addEvent(this.events, "M ScheduleInform", s.commandKey);
      void this.inform(ev.SCHEDULED);
    });
  }

  private armPeriodic(): void {
    if (this.ms("PeriodicInformEnable") !== "true") return this.cancel("periodic");
    const next = nextPeriodicInform(Date.now(), Number(this.ms("PeriodicInformInterval")), this.ms("PeriodicInformTime"), this.drv.model.ident.seed * 1000);
    this.timer("periodic", next - Date.now(), () => void this.inform(ev.PERIODIC));
  }

  private cancel(purpose: string): void {
    for (const [t, p] of this.timers ?? []) {
      if (p !== purpose) continue;
      clearTimeout(t);
      this.timers!.delete(t);
    }
  }

  /** One timer per purpose ("periodic", "retry"), any number of "scheduled"; unref'd, all cleared by kill(). */
  private timer(purpose: string, ms: number, fn: () => void): void {
    if (purpose !== "scheduled") this.cancel(purpose);
    const timers = (this.timers ??= new Map());
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.min(Math.max(0, ms), 2 ** 31 - 1));
    t.unref();
    timers.set(t, purpose);
  }
}
