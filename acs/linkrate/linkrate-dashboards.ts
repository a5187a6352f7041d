// What link rates add to the dashboards: the overview block "linkrate.alerts"
// (open alerts by kind, lines per verdict) and Prometheus metrics on the
// dashboards' registry (registerDashboards returns it).

import { Counter, Gauge, type Registry } from "prom-client";
import type { OverviewSection } from "../dashboards/overview.ts";
import type { EventBus } from "../events.ts";
import { ALERT_KINDS } from "./measurement.ts";
import type { LinkrateRepository } from "./measurement-repository.ts";

export const LINKRATE_OVERVIEW_ID = "linkrate.alerts";

/** Overview block: open and unacknowledged alerts per kind, lines per download/upload verdict (indexed counts). */
export function linkrateOverviewSection(repo: LinkrateRepository): OverviewSection {
  return {
    id: LINKRATE_OVERVIEW_ID,
    async compute() {
      const [alerts, verdicts] = await Promise.all([repo.countOpenAlerts(), repo.countVerdicts()]);
      const byKind = Object.fromEntries(ALERT_KINDS.map((k) => [k, alerts.find((a) => a.kind === k) ?? { kind: k, open: 0, unacknowledged: 0 }]));
      return {
        open: alerts.reduce((n, a) => n + a.open, 0),
        unacknowledged: alerts.reduce((n, a) => n + a.unacknowledged, 0),
        byKind: Object.values(byKind),
        verdicts,
      };
    },
  };
}

/** Adds the link-rate metrics to `registry`; returns the function that stops following the bus. */
export function registerLinkrateMetrics(registry: Registry, deps: { repo: LinkrateRepository; bus: EventBus }): () => void {
  const registers = [registry];
  new Gauge({
    name: "flexacs_linkrate_alerts_open",
    help: "Open link-rate alerts by kind and acknowledgement (fleet, store)",
    labelNames: ["kind", "acknowledged"] as const,
    registers,
    async collect() {
      const counts = await deps.repo.countOpenAlerts();
      for (const kind of ALERT_KINDS) {
        const c = counts.find((x) => x.kind === kind);
        this.set({ kind, acknowledged: "false" }, c?.unacknowledged ?? 0);
        this.set({ kind, acknowledged: "true" }, (c?.open ?? 0) - (c?.unacknowledged ?? 0));
      }
    },
  });
  new Gauge({
    name: "flexacs_linkrate_lines",
    help: "Lines by direction and primary verdict at their last evaluation (fleet, store)",
    labelNames: ["direction", "verdict"] as const,
    registers,
    async collect() {
      const counts = await deps.repo.countVerdicts();
      this.reset();
      for (const direction of ["download", "upload"] as const) {
        for (const [verdict, n] of Object.entries(counts[direction])) this.set({ direction, verdict }, n ?? 0);
      }
    },
  });
  const transitions = new Counter({
    name: "flexacs_linkrate_alert_transitions_total",
    help: "Link-rate alerts raised, cleared and acknowledged by this instance",
    labelNames: ["kind", "transition"] as const,
    registers,
  });
  const tests = new Counter({ name: "flexacs_linkrate_speedtests_total", help: "Speed tests finished on this instance, by status", labelNames: ["status"] as const, registers });
  for (const kind of ALERT_KINDS) for (const transition of ["raised", "cleared", "acknowledged"]) transitions.inc({ kind, transition }, 0);
  tests.inc({ status: "done" }, 0);
  tests.inc({ status: "failed" }, 0);
  const offs = [
    deps.bus.on("linkrate.alert", ({ alert, transition }) => transitions.inc({ kind: alert.kind, transition })),
    deps.bus.on("linkrate.speedtest", ({ test }) => tests.inc({ status: test.status })),
  ];
  return () => offs.forEach((off) => off());
}
