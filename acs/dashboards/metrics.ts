// Prometheus metrics (prom-client, text exposition format), one registry per
// ACS (no module-level default registry, so two ACS in one process, as in
// tests, do not mix). Counters come from the event bus of this instance;
// gauges are read from the store at scrape time, so they are fleet-wide.
// Capabilities add their own metrics to `registry` (alerts: link-rate issue).

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EventBus } from "../events.ts";
import type { Store } from "../store/store.ts";
import { countDevicesByModel, MAX_MODELS } from "./device-models.ts";
import { countDeviceStates } from "./overview.ts";

export interface MetricsDeps {
  store: Store;
  bus: EventBus;
  onlineWindowMs: number;
  liveClients(): number;
  uiSessions(): number;
}

export interface AcsMetrics {
  registry: Registry;
  close(): void;
}

export function createMetrics(deps: MetricsDeps): AcsMetrics {
  const { store, bus, onlineWindowMs } = deps;
  const registry = new Registry();
  const registers = [registry];

  const informs = new Counter({ name: "flexacs_informs_total", help: "Informs received by this ACS instance", registers });
  const registered = new Counter({ name: "flexacs_devices_registered_total", help: "Devices registered at their first Inform by this instance", registers });
  const sessions = new Counter({ name: "flexacs_sessions_total", help: "CWMP sessions ended on this instance, by result", labelNames: ["result"] as const, registers });
  const duration = new Histogram({
    name: "flexacs_session_duration_seconds",
    help: "CWMP session duration on this instance",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const tasks = new Counter({ name: "flexacs_tasks_finished_total", help: "Tasks finished on this instance, by status", labelNames: ["status"] as const, registers });
  const faults = new Counter({ name: "flexacs_faults_recorded_total", help: "Faults recorded by this instance", registers });

  new Gauge({
    name: "flexacs_devices",
    help: "Devices by state (online: last Inform within the online window; never_seen: no Inform yet)",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const { online, offline, neverSeen } = await countDeviceStates(store, onlineWindowMs, Date.now());
      this.set({ state: "online" }, online);
      this.set({ state: "offline" }, offline);
      this.set({ state: "never_seen" }, neverSeen);
    },
  });
  new Gauge({
    name: "flexacs_devices_by_model",
    help: `Devices per ProductClass (the first ${MAX_MODELS} models; the rest as "(other models)")`,
    labelNames: ["product_class"] as const,
    registers,
    async collect() {
      const { models, otherDevices } = await countDevicesByModel(store);
      this.reset(); // a model whose last device left must disappear
      for (const m of models) this.set({ product_class: m.productClass }, m.count);
      if (otherDevices > 0) this.set({ product_class: "(other models)" }, otherDevices);
    },
  });
  new Gauge({
    name: "flexacs_tasks_pending",
    help: "Tasks queued and not yet done or faulted (queue depth)",
    registers,
    async collect() {
      this.set(await store.countPendingTasks());
    },
  });
  new Gauge({ name: "flexacs_dashboard_live_clients", help: "Open dashboard live sockets", registers, collect() { this.set(deps.liveClients()); } });
  new Gauge({ name: "flexacs_dashboard_sessions", help: "Dashboard login sessions", registers, collect() { this.set(deps.uiSessions()); } });

  const offs = [
    bus.on("device.informed", () => informs.inc()),
    bus.on("device.registered", () => registered.inc()),
    bus.on("session.ended", ({ ok, durationMs }) => {
      sessions.inc({ result: ok ? "ok" : "failed" });
      duration.observe(durationMs / 1000);
    }),
    bus.on("task.done", () => tasks.inc({ status: "done" })),
    bus.on("task.fault", () => tasks.inc({ status: "fault" })),
    bus.on("fault.recorded", () => faults.inc()),
  ];
  // Zero-valued series exist from the start, so rate() works before the first event.
  sessions.inc({ result: "ok" }, 0);
  sessions.inc({ result: "failed" }, 0);
  tasks.inc({ status: "done" }, 0);
  tasks.inc({ status: "fault" }, 0);
  return { registry, close: () => offs.forEach((off) => off()) };
}
