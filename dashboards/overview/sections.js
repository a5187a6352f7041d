// Overview blocks contributed by capabilities, by the id their server side
// gives (acs/dashboards/overview.ts, OverviewSection). Each renders its
// `data` into a panel: render(data) → Node. Blocks planned by the NOC
// dashboard issue and the capabilities that will fill them:
//   "provisioning.state"    provisioning state            (provisioning)
//   "firmware.compliance"   firmware compliance per model (firmware)
//   "linkrate.alerts"       alerts by type                (link rates)
//   "returns.overdue"       overdue routers, euros at stake (returns)
//   "firmware.campaigns"    campaigns running or paused  (firmware)
// A block only appears once its capability sends data: no placeholders.

import { h } from "../lib/dom.js";
import { formatEuros, formatNumber } from "../lib/format.js";

const ALERT_LABELS = { below_minimum: "Below minimum", capacity_capped: "Capacity capped", optical_out_of_range: "Optical level" };

/** "linkrate.alerts": open link-rate alerts by kind (unacknowledged in bold), lines below minimum. */
function linkrateAlerts(data) {
  const below = (data.verdicts.download.below_minimum ?? 0) + (data.verdicts.upload.below_minimum ?? 0);
  return [
    h("h2", {}, h("a", { href: "#/linkrate" }, "Link-rate alerts")),
    h("div", { class: "figures" },
      h("a", { class: `figure ${data.unacknowledged > 0 ? "bad" : data.open > 0 ? "warn" : "ok"}`, href: "#/linkrate", "data-figure": "linkrate-open" },
        h("span", { class: "value" }, formatNumber(data.open)), h("span", { class: "label" }, "Open alerts"),
        h("span", { class: "note" }, `${formatNumber(data.unacknowledged)} not acknowledged`)),
      data.byKind.map((k) => h("a", { class: `figure ${k.unacknowledged > 0 ? "bad" : ""}`, href: "#/linkrate", "data-figure": `linkrate-${k.kind}` },
        h("span", { class: "value" }, formatNumber(k.open)), h("span", { class: "label" }, ALERT_LABELS[k.kind] ?? k.kind),
        h("span", { class: "note" }, `${formatNumber(k.unacknowledged)} not acknowledged`))),
      h("a", { class: "figure", href: "#/linkrate?verdict=below_minimum", "data-figure": "linkrate-below-minimum" },
        h("span", { class: "value" }, formatNumber(below)), h("span", { class: "label" }, "Line directions below minimum"))),
  ];
}

/** "returns.overdue": rented routers past their due date and not back, and the euros at stake. */
function returnsOverdue(data) {
  return [
    h("h2", {}, h("a", { href: "#/returns" }, "Rented routers not returned")),
    h("div", { class: "figures" },
      h("a", { class: `figure ${data.overdue > 0 ? "bad" : "ok"}`, href: "#/returns", "data-figure": "returns-overdue" },
        h("span", { class: "value" }, formatNumber(data.overdue)), h("span", { class: "label" }, "Overdue routers"),
        h("span", { class: "note" }, `${formatNumber(data.flagged)} flagged, ${formatNumber(data.exported)} exported`)),
      h("a", { class: `figure ${data.atStakeCents > 0 ? "warn" : ""}`, href: "#/returns", "data-figure": "returns-at-stake" },
        h("span", { class: "value" }, formatEuros(data.atStakeCents)), h("span", { class: "label" }, "At stake (excl. VAT)")),
      h("a", { class: "figure", href: "#/returns", "data-figure": "returns-due-back" },
        h("span", { class: "value" }, formatNumber(data.dueBack)), h("span", { class: "label" }, "Due back, not yet late"))),
  ];
}

/** "firmware.campaigns": campaigns running or paused, devices done and failed. */
function firmwareCampaigns(data) {
  const sum = (state) => data.campaigns.reduce((n, c) => n + (c.counts[state] ?? 0), 0);
  return [
    h("h2", {}, h("a", { href: "#/firmware" }, "Firmware campaigns")),
    h("div", { class: "figures" },
      h("a", { class: "figure", href: "#/firmware", "data-figure": "firmware-running" },
        h("span", { class: "value" }, formatNumber(data.running)), h("span", { class: "label" }, "Campaigns running")),
      h("a", { class: `figure ${data.paused > 0 ? "warn" : ""}`, href: "#/firmware", "data-figure": "firmware-paused" },
        h("span", { class: "value" }, formatNumber(data.paused)), h("span", { class: "label" }, "Campaigns paused")),
      h("a", { class: "figure ok", href: "#/firmware", "data-figure": "firmware-succeeded" },
        h("span", { class: "value" }, formatNumber(sum("succeeded"))), h("span", { class: "label" }, "Devices upgraded")),
      h("a", { class: `figure ${sum("failed") > 0 ? "bad" : ""}`, href: "#/firmware", "data-figure": "firmware-failed" },
        h("span", { class: "value" }, formatNumber(sum("failed"))), h("span", { class: "label" }, "Devices failed"))),
  ];
}

export const OVERVIEW_SECTIONS = {
  "linkrate.alerts": linkrateAlerts,
  "returns.overdue": returnsOverdue,
  "firmware.campaigns": firmwareCampaigns,
};
