// The dashboards' live channel: domain events from the bus, coalesced and
// sent to logged-in browsers at most once per `flushMs` (500 ms), so a storm
// of 1,500 sessions/s is two small messages a second per browser, not 3,000.
//
// Messages (JSON), server to browser:
//   { type: "hello", name, role }
//   { type: "batch", at, counts: { <event>: n }, events: LiveEvent[], missed? }
//       counts: every event of the period, fleet-wide; events: only those of
//       the devices this browser watches (at most EVENTS_PER_DEVICE each);
//       missed: an earlier batch was dropped (slow link), reload the page's data.
//   { type: "overview", data: Overview }   to browsers watching the overview,
//       computed once per flush for all of them, and every heartbeat.
//   { type: "heartbeat", at }              every heartbeatMs; silence means a dead link.
// Wi-Fi changes (acs/wifi/) go to browsers watching their line: the watch
// list takes "line:<line id>" beside device ids (device ids never hold ":"),
// and such events carry that key as their deviceId.
// Link-rate alerts (raised, cleared, acknowledged) go to browsers watching
// "linkrate:alerts" (LINKRATE_ALERTS_KEY), the Link rates page.
// Browser to server: { type: "watch", overview: boolean, devices: string[] },
//   acknowledged with { type: "watching", overview, devices: <count> }.
// A socket closes with 4401 when its session ends (logout, expiry, revoked token).

import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { EventBus } from "../events.ts";
import type { FaultRecord, Store, Task } from "../store/store.ts";
import { alertView } from "../linkrate/linkrate-views.ts";
import { changeView, type ChangeView } from "../wifi/wifi-views.ts";
import { OfflineWatch } from "./offline-watch.ts";
import type { Overview } from "./overview.ts";
import type { UiSession, UiSessions } from "./ui-sessions.ts";

export const LIVE_EVENT_NAMES = ["device.informed", "session.ended", "task.done", "task.fault", "fault.recorded", "device.offline", "wifi.change", "linkrate.alert"] as const;
export type LiveEventName = (typeof LIVE_EVENT_NAMES)[number];

type TaskLite = Pick<Task, "id" | "name" | "status">;
type FaultLite = Pick<FaultRecord, "id" | "code" | "message" | "channel">;

export type LiveEvent =
  | { name: "device.informed"; deviceId: string; at: number; events: string[] }
  | { name: "session.ended"; deviceId: string; at: number; ok: boolean; durationMs: number; rpcs: number }
  | { name: "task.done"; deviceId: string; at: number; task: TaskLite }
  | { name: "task.fault"; deviceId: string; at: number; task: TaskLite; fault: FaultLite }
  | { name: "fault.recorded"; deviceId: string; at: number; fault: FaultLite }
  | { name: "device.offline"; deviceId: string; at: number }
  /** deviceId: the line's watch key, lineWatchKey(lineId). */
  | { name: "wifi.change"; deviceId: string; at: number; change: ChangeView }
  /** deviceId: LINKRATE_ALERTS_KEY. */
  | { name: "linkrate.alert"; deviceId: string; at: number; transition: string; alert: ReturnType<typeof alertView> };

/** The watch key of a line's Wi-Fi changes. */
export const lineWatchKey = (lineId: string): string => `line:${lineId}`;

/** The watch key of link-rate alerts. */
export const LINKRATE_ALERTS_KEY = "linkrate:alerts";

export const CLOSE_SESSION_ENDED = 4401;
const EVENTS_PER_DEVICE = 20;
const MAX_WATCHED_DEVICES = 500;
/** A browser this far behind skips batches (and is told to reload) rather than queueing them in memory. */
const MAX_BUFFERED_BYTES = 1 << 20;

const WATCH_MESSAGE = z.object({
  type: z.literal("watch"),
  overview: z.boolean(),
  devices: z.array(z.string().min(1).max(256)).max(MAX_WATCHED_DEVICES),
});

interface Client {
  socket: WebSocket;
  session: UiSession;
  overview: boolean;
  devices: Set<string>;
  missed: boolean;
  alive: boolean;
}

export interface LiveHubDeps {
  bus: EventBus;
  store: Store;
  sessions: UiSessions;
  logger: Logger;
  onlineWindowMs: number;
  computeOverview(): Promise<Overview>;
  flushMs?: number;
  heartbeatMs?: number;
}

const taskLite = (t: Task): TaskLite => ({ id: t.id, name: t.name, status: t.status });
const faultLite = (f: FaultRecord): FaultLite => ({ id: f.id, code: f.code, message: f.message, channel: f.channel });

export class LiveHub {
  private readonly clients = new Set<Client>();
  /** Watchers per device id. */
  private readonly watched = new Map<string, number>();
  private counts = new Map<LiveEventName, number>();
  private events = new Map<string, LiveEvent[]>();
  private overviewDirty = false;
  private overviewInFlight = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly offline: OfflineWatch;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: LiveHubDeps) {
    this.offline = new OfflineWatch({
      store: deps.store,
      onlineWindowMs: deps.onlineWindowMs,
      logger: deps.logger,
      onOffline: (ids, count) => {
        this.count("device.offline", count);
        const at = Date.now();
        for (const deviceId of ids) this.record({ name: "device.offline", deviceId, at });
      },
    });
    const { bus } = deps;
    this.unsubscribe.push(
      bus.on("device.informed", ({ deviceId, events }) => {
        this.offline.informed();
        this.event({ name: "device.informed", deviceId, at: Date.now(), events });
      }),
      bus.on("session.ended", ({ deviceId, ok, durationMs, rpcs }) => this.event({ name: "session.ended", deviceId, at: Date.now(), ok, durationMs, rpcs })),
      bus.on("task.done", ({ task }) => this.event({ name: "task.done", deviceId: task.deviceId, at: Date.now(), task: taskLite(task) })),
      bus.on("task.fault", ({ task, fault }) => this.event({ name: "task.fault", deviceId: task.deviceId, at: Date.now(), task: taskLite(task), fault: faultLite(fault) })),
      bus.on("fault.recorded", ({ fault }) => this.event({ name: "fault.recorded", deviceId: fault.deviceId, at: Date.now(), fault: faultLite(fault) })),
      bus.on("wifi.change", ({ change }) => this.event({ name: "wifi.change", deviceId: lineWatchKey(change.lineId), at: Date.now(), change: changeView(change) })),
      bus.on("linkrate.alert", ({ alert, transition }) => this.event({ name: "linkrate.alert", deviceId: LINKRATE_ALERTS_KEY, at: Date.now(), transition, alert: alertView(alert) })),
      deps.sessions.onEnd((s) => {
        for (const c of this.clients) if (c.session.id === s.id) c.socket.close(CLOSE_SESSION_ENDED, "session ended");
      }),
    );
  }

  get clientCount(): number {
    return this.clients.size;
  }

  attach(socket: WebSocket, session: UiSession): void {
    const client: Client = { socket, session, overview: false, devices: new Set(), missed: false, alive: true };
    this.clients.add(client);
    if (this.clients.size === 1) this.wake();
    socket.on("pong", () => {
      client.alive = true;
    });
    socket.on("message", (data, isBinary) => this.onMessage(client, isBinary ? null : data.toString()));
    socket.on("close", () => {
      this.clients.delete(client);
      this.watch(client, false, []);
      if (this.clients.size === 0) this.sleep();
    });
    socket.on("error", (err) => this.deps.logger.debug({ err }, "live socket error"));
    this.send(client, { type: "hello", name: session.name, role: session.role });
  }

  close(): void {
    this.sleep();
    for (const off of this.unsubscribe.splice(0)) off();
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
  }

  /** First client: start the offline watch and the heartbeat. */
  private wake(): void {
    this.offline.start();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.deps.heartbeatMs ?? 25_000);
    this.heartbeatTimer.unref();
  }

  /** No client left: nothing to compute for anyone. */
  private sleep(): void {
    this.offline.stop();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.heartbeatTimer = this.flushTimer = null;
    this.counts.clear();
    this.events.clear();
  }

  private onMessage(client: Client, text: string | null): void {
    let raw: unknown;
    try {
      raw = text === null ? null : JSON.parse(text);
    } catch {
      raw = null;
    }
    const parsed = WATCH_MESSAGE.safeParse(raw);
    if (!parsed.success) {
      this.send(client, { type: "error", message: `expected {"type":"watch","overview":boolean,"devices":[up to ${MAX_WATCHED_DEVICES} ids]}` });
      return;
    }
    const wasOverview = client.overview;
    this.watch(client, parsed.data.overview, parsed.data.devices);
    this.send(client, { type: "watching", overview: client.overview, devices: client.devices.size });
    if (parsed.data.overview && !wasOverview) void this.pushOverview([client]);
  }

  private watch(client: Client, overview: boolean, devices: readonly string[]): void {
    for (const id of client.devices) {
      const n = (this.watched.get(id) ?? 1) - 1;
      if (n === 0) this.watched.delete(id);
      else this.watched.set(id, n);
    }
    client.devices = new Set(devices);
    for (const id of client.devices) this.watched.set(id, (this.watched.get(id) ?? 0) + 1);
    client.overview = overview;
  }

  private event(e: LiveEvent): void {
    if (this.clients.size === 0) return;
    this.count(e.name, 1);
    this.record(e);
  }

  private count(name: LiveEventName, n: number): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
    this.overviewDirty = true;
    this.scheduleFlush();
  }

  private record(e: LiveEvent): void {
    if (!this.watched.has(e.deviceId)) return;
    const list = this.events.get(e.deviceId) ?? [];
    if (list.length >= EVENTS_PER_DEVICE) list.shift();
    list.push(e);
    this.events.set(e.deviceId, list);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), this.deps.flushMs ?? 500);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = null;
    const counts = Object.fromEntries(this.counts);
    const events = this.events;
    this.counts = new Map();
    this.events = new Map();
    const at = Date.now();
    for (const c of this.clients) {
      const mine: LiveEvent[] = [];
      for (const id of c.devices) mine.push(...(events.get(id) ?? []));
      this.send(c, { type: "batch", at, counts, events: mine });
    }
    if (this.overviewDirty) void this.pushOverview();
  }

  /** Computes the overview once and sends it to `to` (default: every client watching it). */
  private async pushOverview(to?: Client[]): Promise<void> {
    if (!to) {
      if (this.overviewInFlight) return; // overviewDirty stays set: the next flush recomputes
      this.overviewDirty = false;
    }
    const targets = () => to ?? [...this.clients].filter((c) => c.overview);
    if (targets().length === 0) return;
    if (!to) this.overviewInFlight = true;
    try {
      const message = { type: "overview", data: await this.deps.computeOverview() };
      for (const c of targets()) this.send(c, message);
    } catch (err) {
      this.deps.logger.error({ err }, "overview for the live channel failed");
    } finally {
      if (!to) this.overviewInFlight = false;
      if (this.overviewDirty) this.scheduleFlush();
    }
  }

  private async heartbeat(): Promise<void> {
    const at = Date.now();
    for (const c of [...this.clients]) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
      // Keeps a wall screen's session in use, and ends it once expired or its token revoked.
      const session = this.deps.sessions.use(c.session.id, at);
      const valid = session !== null && (await this.deps.store.findTokenByHash(session.tokenHash)) !== null;
      if (!valid) {
        if (session) this.deps.sessions.endByTokenHash(session.tokenHash);
        c.socket.close(CLOSE_SESSION_ENDED, "session ended");
        continue;
      }
      this.send(c, { type: "heartbeat", at });
    }
    // Time alone moves some figures (contacts in the last minute, the per-minute chart).
    await this.pushOverview();
  }

  private send(c: Client, message: { type: string } & Record<string, unknown>): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (message.type === "batch") c.missed = true;
      return;
    }
    if (message.type === "batch" && c.missed) {
      message = { ...message, missed: true };
      c.missed = false;
    }
    c.socket.send(JSON.stringify(message));
  }
}
