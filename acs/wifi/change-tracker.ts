// Support Wi-Fi changes from the API call to their outcome.
//
// A change goes THROUGH provisioning: it validates the request against the
// line and the router's model (wifi-request.ts), writes the line's new
// desired Wi-Fi over the version the client read (a stale version: 409),
// records the change (wifi-change.ts) and wakes the router (channel → HTTP →
// UDP, acs/channel/channel-wake.ts). The router's next session computes its
// desired state from the line and sets only what differs, with the desired
// state's ParameterKey (acs/provisioning/provisioning-source.ts). The tracker
// follows the bus: device.informed (applying), provisioning.status (applied,
// or the fault that holds it: change-outcome.ts), session.ended (a session
// that ended without applying it: wake again, up to maxWakes). Each status
// is persisted, audited when it is an outcome, and published on the bus
// ("wifi.change") for the live support page.
//
// Events and changes of one router are handled one at a time (a promise
// chain per router), so a record is never written by two handlers at once.
// Per process: with several ACS instances a change is followed by the
// instance it was made on (the router's session may run on another; then it
// is resolved by that instance's events only after a restart of this one:
// a known limit, see the report).

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { ConnectionRequester, WakeResult } from "../connreq/requester.ts";
import type { EventBus } from "../events.ts";
import type { Line } from "../lines/line.ts";
import { LineVersionError, type LineRepository } from "../lines/line-repository.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { FieldError } from "../provisioning/settings-entries.ts";
import { redactSecrets } from "../secrets.ts";
import type { Store } from "../store/store.ts";
import type { WifiChangeRepository } from "./change-repository.ts";
import { failureOf, isApplied } from "./change-outcome.ts";
import { routerOf } from "./line-router.ts";
import { isOpen, moveTo, type WakeOutcome, type WifiChange } from "./wifi-change.ts";
import { planWifiChange, type WifiRequest } from "./wifi-request.ts";

export interface WifiTrackerDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  lines: LineRepository;
  profiles: ProfileRegistry;
  changes: WifiChangeRepository;
  requester: ConnectionRequester;
  /** A woken router that has not applied the change after this long makes it failed (timeout, not final). Default 60 s. */
  applyTimeoutMs?: number;
  /** Wakes per change before it waits for the router's next contact (default 3). */
  maxWakes?: number;
}

export type SubmitOutcome =
  | { ok: true; change: WifiChange }
  | { ok: false; status: 400; errors: FieldError[] }
  | { ok: false; status: 404 | 409; message: string };

const OUTCOMES = new Set(["applied", "failed", "superseded"]);
const serialKey = (serial: string): string => `serial:${serial}`;
/** The handler chain and index key of a change: its router's device id, or its serial until the router is known. */
const keyOf = (c: Pick<WifiChange, "deviceId" | "routerSerial">): string => c.deviceId ?? serialKey(c.routerSerial);

export class WifiChangeTracker {
  private readonly open = new Map<string, WifiChange>();
  private readonly byKey = new Map<string, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Open changes whose router has never contacted the ACS. */
  private unknownRouters = 0;
  private closed = false;
  private readonly applyTimeoutMs: number;
  private readonly maxWakes: number;

  private constructor(private readonly deps: WifiTrackerDeps) {
    this.applyTimeoutMs = deps.applyTimeoutMs ?? 60_000;
    this.maxWakes = deps.maxWakes ?? 3;
  }

  /** Resumes the open changes of the store and follows the bus. */
  static async start(deps: WifiTrackerDeps): Promise<WifiChangeTracker> {
    const t = new WifiChangeTracker(deps);
    for (const c of await deps.changes.listOpen()) t.index(c);
    const { bus } = deps;
    t.unsubscribe.push(
      bus.on("device.informed", ({ deviceId, events }) => t.onInformed(deviceId, events)),
      bus.on("provisioning.status", ({ deviceId }) => t.onSettled(deviceId, false)),
      bus.on("session.ended", ({ deviceId }) => t.onSettled(deviceId, true)),
    );
    return t;
  }

  /** Stops following the bus; work still in flight (a wake under way) records nothing more. */
  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }

  async get(id: string): Promise<WifiChange | null> {
    return this.open.get(id) ?? this.deps.changes.get(id);
  }

  /** The change once it has an outcome (applied, failed, superseded), or as it stands after `timeoutMs`. */
  async waitFor(id: string, timeoutMs: number): Promise<WifiChange | null> {
    const c = await this.get(id);
    if (!c || OUTCOMES.has(c.status) || timeoutMs <= 0) return c;
    await new Promise<void>((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
      this.waiters.set(id, set);
    });
    return this.get(id);
  }

  async submit(lineId: string, req: WifiRequest, actor: string): Promise<SubmitOutcome> {
    const { lines, profiles } = this.deps;
    const line = await lines.getLine(lineId);
    if (!line) return { ok: false, status: 404, message: `line ${lineId} not found` };
    const stale = (actual: number) => `line ${lineId} is at version ${actual}, not ${req.version}: read it again and re-apply the change`;
    if (req.version !== line.version) return { ok: false, status: 409, message: stale(line.version) };
    const router = await routerOf(lines, profiles, line);
    if (!router) return { ok: false, status: 409, message: `line ${lineId} has the customer's own router: the ACS does not manage its Wi-Fi` };
    const plan = planWifiChange(line, req, router.profile);
    if (!plan.ok) return { ok: false, status: 400, errors: plan.errors };

    const now = Date.now();
    let stored: Line | null;
    try {
      stored = await lines.replaceLine({ ...line, wifi: plan.value.wifi, updatedAt: now }, line.version);
    } catch (err) {
      if (err instanceof LineVersionError) return { ok: false, status: 409, message: stale(err.actual) };
      throw err;
    }
    if (!stored) return { ok: false, status: 404, message: `line ${lineId} not found` };

    const base: WifiChange = {
      id: randomUUID(), lineId, routerSerial: router.serial, deviceId: router.deviceId, actor, createdAt: now, lineVersion: stored.version,
      changes: plan.value.changes, insecure: plan.value.insecure, keys: plan.value.keys,
      status: "queued", statusAt: now, note: "", offlineSince: null, wake: null, wakes: 0, appliedAt: null, failure: null, supersededBy: null, history: [],
    };
    const change = router.deviceId === null
      ? moveTo(base, "queued", now, "the router has never contacted the ACS: the change is applied at its first contact")
      : isApplied(base, stored, router.state)
        ? moveTo(base, "applied", now, "the router already holds these values", { appliedAt: now })
        : moveTo(base, "waking", now, "waking the router", { wakes: 1 });

    await this.chain(keyOf(change), async () => {
      await this.supersede(change);
      await this.deps.store.addAudit({
        timestamp: now, actor, action: "wifi.change", deviceId: change.deviceId,
        detail: redactSecrets({ changeId: change.id, lineId, routerSerial: router.serial, lineVersion: stored.version, changes: change.changes, insecure: change.insecure }),
      });
      await this.update(change);
    });
    if (change.status === "waking") void this.wake(change.id);
    return { ok: true, change };
  }

  // ---- delivery ----------------------------------------------------------------

  /** Runs the wake outside the router's chain (it may take seconds), then records its outcome inside it. */
  private async wake(id: string): Promise<void> {
    const deviceId = this.open.get(id)?.deviceId;
    if (!deviceId) return;
    let r: WakeResult;
    try {
      r = await this.deps.requester.wake(deviceId);
    } catch (err) {
      r = { ok: false, reason: "offline", detail: (err as Error).message };
    }
    const at = Date.now();
    await this.chain(deviceId, async () => {
      const c = this.open.get(id);
      if (!c) return;
      const wake: WakeOutcome = r.ok
        ? { ok: true, via: r.via, ms: r.ms, reason: null, detail: null, at }
        : { ok: false, via: null, ms: null, reason: r.reason, detail: r.detail, at };
      if (r.ok) {
        this.armTimeout(c);
        await this.update(c.status === "waking" ? moveTo(c, "waking", at, `woken via ${r.via} in ${r.ms} ms: waiting for its session`, { wake }) : { ...c, wake });
      } else if (c.status === "waking") {
        const device = await this.deps.store.getDevice(deviceId);
        const note = `the router cannot be reached now (${r.detail}): the change is applied at its next contact`;
        await this.update(moveTo(c, "queued", at, note, { wake, offlineSince: device?.lastInformAt ?? null }));
      } else {
        await this.update({ ...c, wake });
      }
    }).catch((err: unknown) => this.deps.logger.error({ err, changeId: id }, "cannot record a Wi-Fi change wake"));
  }

  private armTimeout(c: WifiChange): void {
    clearTimeout(this.timers.get(c.id));
    const timer = setTimeout(() => {
      this.timers.delete(c.id);
      void this.chain(keyOf(c), async () => {
        const cur = this.open.get(c.id);
        if (!cur || (cur.status !== "waking" && cur.status !== "applying")) return;
        const message = `the router was woken but did not apply the change within ${Number((this.applyTimeoutMs / 1000).toFixed(1))} s; it is applied at its next contact`;
        await this.update(moveTo(cur, "failed", Date.now(), message, { failure: { kind: "timeout", code: "timeout", message, final: false } }));
      }).catch((err: unknown) => this.deps.logger.error({ err, changeId: c.id }, "Wi-Fi change timeout failed"));
    }, this.applyTimeoutMs);
    timer.unref();
    this.timers.set(c.id, timer);
  }

  // ---- bus events --------------------------------------------------------------

  private onInformed(deviceId: string, events: string[]): void {
    if (!this.byKey.has(deviceId) && this.unknownRouters === 0) return;
    void this.chain(deviceId, async () => {
      await this.adopt(deviceId);
      const at = Date.now();
      for (const c of this.openOf(deviceId)) {
        if (c.status === "applying") continue;
        await this.update(moveTo(c, "applying", at, `the router opened a session (${events.join(", ") || "no event"})`));
      }
    }).catch((err: unknown) => this.deps.logger.error({ err, deviceId }, "Wi-Fi change tracking failed"));
  }

  /** After a provisioning run (or a whole session): applied, failed, or wake again. */
  private onSettled(deviceId: string, sessionEnded: boolean): void {
    if (!this.byKey.has(deviceId)) return;
    void this.chain(deviceId, () => this.settle(deviceId, sessionEnded))
      .catch((err: unknown) => this.deps.logger.error({ err, deviceId }, "Wi-Fi change tracking failed"));
  }

  private async settle(deviceId: string, sessionEnded: boolean): Promise<void> {
    const list = this.openOf(deviceId);
    if (list.length === 0) return;
    const { lines } = this.deps;
    const state = await lines.getState(deviceId);
    const linesById = new Map<string, Line | null>();
    const at = Date.now();
    for (const c of list) {
      if (!linesById.has(c.lineId)) linesById.set(c.lineId, await lines.getLine(c.lineId));
      if (isApplied(c, linesById.get(c.lineId)!, state)) {
        await this.update(moveTo(c, "applied", at, `applied after ${at - c.createdAt} ms`, { appliedAt: at, failure: null }));
        continue;
      }
      const failure = c.status === "applying" ? failureOf(c, state) : null;
      if (failure) {
        await this.update(moveTo(c, "failed", at, failure.message, { failure }));
        continue;
      }
      if (!sessionEnded) continue;
      // A session ran without applying it (it began before the change, or the router answered "busy"): wake again.
      const retry = c.status === "applying" || (c.status === "queued" && c.wake?.reason === "busy");
      if (!retry) continue;
      if (c.wakes < this.maxWakes) {
        await this.update(moveTo(c, "waking", at, "the router's session ended before the change was applied: waking it again", { wakes: c.wakes + 1 }));
        void this.wake(c.id);
      } else {
        const message = `the router ended ${c.wakes} sessions without applying the change; it is applied at its next contact`;
        await this.update(moveTo(c, "failed", at, message, { failure: { kind: "timeout", code: "timeout", message, final: false } }));
      }
    }
  }

  /** Changes made before the router's first contact now follow it under its device id. */
  private async adopt(deviceId: string): Promise<void> {
    if (this.unknownRouters === 0) return;
    const device = await this.deps.store.getDevice(deviceId);
    const ids = device ? this.byKey.get(serialKey(device.serialNumber)) : undefined;
    for (const id of [...(ids ?? [])]) {
      const c = this.open.get(id)!;
      this.unindex(c);
      this.index({ ...c, deviceId });
      await this.deps.changes.put({ ...c, deviceId });
    }
  }

  // ---- records -----------------------------------------------------------------

  /** Earlier open changes of the line stop tracking the keys `change` sets; one left with none is superseded. */
  private async supersede(change: WifiChange): Promise<void> {
    for (const c of [...this.open.values()]) {
      if (c.lineId !== change.lineId || c.id === change.id) continue;
      const keys = c.keys.filter((k) => !change.keys.includes(k));
      if (keys.length === c.keys.length) continue;
      await this.update(keys.length > 0 ? { ...c, keys } : moveTo(c, "superseded", change.createdAt, `replaced by a later change (${change.id})`, { keys, supersededBy: change.id }));
    }
  }

  private async update(c: WifiChange): Promise<void> {
    if (this.closed) return;
    const previous = this.open.get(c.id);
    await this.deps.changes.put(c);
    if (previous) this.unindex(previous);
    if (isOpen(c)) this.index(c);
    else {
      clearTimeout(this.timers.get(c.id));
      this.timers.delete(c.id);
    }
    if (OUTCOMES.has(c.status) && previous?.status !== c.status) {
      for (const w of [...(this.waiters.get(c.id) ?? [])]) w();
      this.waiters.delete(c.id);
      await this.deps.store.addAudit({
        timestamp: c.statusAt, actor: "acs", action: `wifi.change.${c.status}`, deviceId: c.deviceId,
        detail: { changeId: c.id, lineId: c.lineId, routerSerial: c.routerSerial, note: c.note, failure: c.failure, appliedAfterMs: c.appliedAt === null ? null : c.appliedAt - c.createdAt },
      });
    }
    this.deps.bus.emit("wifi.change", { change: c });
  }

  private index(c: WifiChange): void {
    this.open.set(c.id, c);
    const key = keyOf(c);
    const set = this.byKey.get(key) ?? new Set();
    set.add(c.id);
    this.byKey.set(key, set);
    if (c.deviceId === null) this.unknownRouters++;
  }

  private unindex(c: WifiChange): void {
    this.open.delete(c.id);
    const key = keyOf(c);
    const set = this.byKey.get(key);
    set?.delete(c.id);
    if (set?.size === 0) this.byKey.delete(key);
    if (c.deviceId === null) this.unknownRouters--;
  }

  private openOf(key: string): WifiChange[] {
    return [...(this.byKey.get(key) ?? [])].map((id) => this.open.get(id)!);
  }

  /** Runs `fn` after everything queued for `key`: one handler at a time per router. */
  private chain<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}
