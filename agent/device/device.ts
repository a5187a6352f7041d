// One simulated CPE: its sessions with the ACS (one at a time, requests made
// meanwhile coalesce into exactly one more), what happens after a session
// (reboot, factory reset, download, scheduled Inform, diagnostics) and power
// cuts. The session itself: device-session.ts; what survives a power cut:
// persisted-state.ts; timers: timers.ts.

import type { Download, EventStruct } from "../../acs/cwmp/messages.ts";
import type { AcsConnection, DigestMemo } from "../cwmp-client/acs-connection.ts";
import { retryDelayMs } from "../cwmp-client/backoff.ts";
import type { RateWindow } from "../connection-request/rate-limit.ts";
import type { CrTarget } from "../connection-request/server.ts";
import type { DriverDevice, SystemRestartKind } from "../drivers/driver.ts";
import type { DeviceState } from "../state/device-state.ts";
import { runDeviceSession, type AfterSession } from "./device-session.ts";
import * as ev from "./events.ts";
import { nextPeriodicInform } from "./periodic.ts";
import { PersistedState, type ScheduledInform } from "./persisted-state.ts";
import { DeviceTimers } from "./timers.ts";
import { OFF, type DeviceEnv, type InformOptions, type SessionResult } from "./types.ts";

export type { DeviceEnv, InformOptions, SessionResult } from "./types.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class Device implements CrTarget {
  online = false;
  crWindow?: RateWindow;
  private readonly state: PersistedState;
  private readonly timers = new DeviceTimers();
  private memo?: DigestMemo;
  private running = false;
  private wanted = false;
  private waiters?: ((r: SessionResult) => void)[];
  private killAfter?: number;
  private power = new AbortController();
  /** The session's connection to the ACS, while one runs: a power cut aborts it. */
  private conn?: AcsConnection;

  constructor(
    readonly drv: DriverDevice,
    /** The simulated model, e.g. "router-tr181". */
    readonly model: string,
    private readonly env: DeviceEnv,
  ) {
    this.state = new PersistedState(drv, model, env.store);
  }

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
    this.state.restore(s);
  }

  persist(): Promise<void> {
    return this.state.persist();
  }

  /** Resolves once every state write requested so far has finished. */
  persisted(): Promise<void> {
    return this.state.persisted();
  }

  // ---- power ---------------------------------------------------------------

  /** Power on (or come back from a reboot): 1 BOOT plus whatever `extra` events, then a session. */
  boot(extra: EventStruct[] = []): Promise<SessionResult> {
    if (this.env.closed) return Promise.resolve(OFF);
    this.online = true;
    this.power = new AbortController();
    this.drv.boot();
    const st = this.state;
    st.events = ev.afterReboot(st.events);
    for (const e of [{ eventCode: ev.BOOT, commandKey: "" }, ...extra]) st.events = ev.addEvent(st.events, e.eventCode, e.commandKey);
    for (const s of st.scheduled) this.armScheduled(s);
    return this.requestSession();
  }

  /** Power cut: the session in progress dies with its TCP connection, timers stop. */
  kill(): void {
    this.online = false;
    this.env.onPowerOff?.(this);
    this.power.abort();
    this.conn?.abort();
    this.timers.clear();
  }

  /** Power back on after kill(): state as last written to disk, then boot. */
  async restart(): Promise<SessionResult> {
    this.kill();
    await this.state.persisted();
    const s = await this.env.store.load(this.serial);
    if (s) this.state.restore(s);
    else this.forget();
    return this.boot();
  }

  /** Factory state: nothing configured, never bootstrapped, nothing pending. */
  private forget(): void {
    this.state.forget();
    this.memo = undefined;
  }

  /**
   * Local (or RPC) reboot: off for rebootDelayMs, then 1 BOOT (+ M Reboot when
   * the ACS asked). M Reboot is on disk before the power goes, so a real system
   * reports it after its own restart.
   */
  async reboot(commandKey?: string): Promise<SessionResult> {
    this.kill();
    const st = this.state;
    const asked = commandKey !== undefined;
    if (asked) st.events = ev.addEvent(st.events, ev.M_REBOOT, commandKey);
    await this.persist();
    if (this.drv.restartSystem) {
      return this.restartSystem("reboot", () => {
        if (asked) st.events = st.events.filter((e) => !(e.eventCode === ev.M_REBOOT && e.commandKey === commandKey));
      });
    }
    await sleep(this.env.rebootDelayMs);
    return this.boot();
  }

  /** Back to factory settings; the next Inform is 0 BOOTSTRAP + 1 BOOT. */
  async factoryReset(): Promise<SessionResult> {
    this.kill();
    const before = this.state.snapshot();
    this.forget();
    await this.persist();
    if (this.drv.restartSystem) return this.restartSystem("factoryReset", () => this.state.restore(before));
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
    for (const s of this.state.scheduled) this.armScheduled(s);
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
    this.state.events = ev.addEvent(this.state.events, event, commandKey);
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
        const after: AfterSession = { actions: [], diagnostics: [] };
        const result = await this.session(after).catch(
          (err: unknown): SessionResult => ({ ok: false, durationMs: 0, error: `agent error: ${(err as Error).message}`, rpcs: 0 }),
        );
        for (const w of waiters) w(result);
        this.env.log?.("session", { serial: this.serial, ok: result.ok, error: result.error, rpcs: result.rpcs, ms: Math.round(result.durationMs) });
        this.env.onSession?.(this, result);
        if (this.online) this.afterSession(result, after);
      }
    } finally {
      this.running = false;
      const waiters = this.waiters ?? [];
      this.waiters = undefined;
      for (const w of waiters) w(OFF);
    }
  }

  private session(after: AfterSession): Promise<SessionResult> {
    const killAfter = this.killAfter;
    this.killAfter = undefined;
    return runDeviceSession(
      {
        drv: this.drv,
        env: this.env,
        state: this.state,
        signal: this.power.signal,
        memo: (this.memo ??= { nc: 0 }),
        killAfter,
        ms: (name) => this.ms(name),
        connected: (conn) => (this.conn = conn),
        scheduleInform: (entry) => this.armScheduled(entry),
        kill: () => this.kill(),
      },
      after,
    );
  }

  private afterSession(result: SessionResult, { actions, diagnostics }: AfterSession): void {
    for (const a of actions) {
      if (a.kind === "reboot") void this.reboot(a.commandKey);
      else if (a.kind === "factoryReset") void this.factoryReset();
      else if (a.kind === "download") void this.download(a.request);
    }
    for (const obj of diagnostics) void this.runDiagnostic(obj);
    this.armPeriodic();
    if (!result.ok && this.env.retry) {
      const delay = retryDelayMs(this.state.retryCount, Number(this.ms("CWMPRetryMinimumWaitInterval")) || 5, Number(this.ms("CWMPRetryIntervalMultiplier")) || 2000, this.env.random);
      this.timers.retryIn(delay, () => void this.requestSession());
    }
  }

  private async download(req: Download): Promise<void> {
    const signal = this.power.signal;
    const r = await this.drv.download(req, signal);
    if (signal.aborted) return;
    const st = this.state;
    st.transfers = [...st.transfers, { kind: "TransferComplete", commandKey: req.commandKey, fault: r.fault, startTime: r.startTime, completeTime: r.completeTime }];
    st.events = ev.addEvent(ev.addEvent(st.events, ev.TRANSFER_COMPLETE), "M Download", req.commandKey);
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

  private armScheduled(s: ScheduledInform): void {
    this.timers.scheduledIn(s.at - Date.now(), () => {
      this.state.scheduled = this.state.scheduled.filter((x) => x !== s);
      this.state.events = ev.addEvent(this.state.events, "M ScheduleInform", s.commandKey);
      void this.inform(ev.SCHEDULED);
    });
  }

  private armPeriodic(): void {
    if (this.ms("PeriodicInformEnable") !== "true") return this.timers.cancelPeriodic();
    const next = nextPeriodicInform(Date.now(), Number(this.ms("PeriodicInformInterval")), this.ms("PeriodicInformTime"), this.drv.model.ident.seed * 1000);
    this.timers.periodicAt(next, () => void this.inform(ev.PERIODIC));
  }
}
