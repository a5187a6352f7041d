// Overview blocks contributed by capabilities, by the id their server side
// gives (acs/dashboards/overview.ts, OverviewSection). Each renders its
// `data` into a panel: render(data) → Node. Blocks planned by the NOC
// dashboard issue and the capabilities that will fill them:
//   "provisioning.state"    provisioning state            (provisioning)
//   "firmware.compliance"   firmware compliance per model (firmware)
//   "linkrate.alerts"       alerts by type                (link rates)
//   "returns.overdue"       overdue routers, euros at stake (returns)
// A block only appears once its capability sends data: no placeholders.

import { h } from "../lib/dom.js";
import { formatNumber } from "../lib/format.js";

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

export const OVERVIEW_SECTIONS = {
  "linkrate.alerts": linkrateAlerts,
};
