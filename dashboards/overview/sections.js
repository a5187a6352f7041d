// Overview blocks contributed by capabilities, by the id their server side
// gives (acs/dashboards/overview.ts, OverviewSection). Each renders its
// `data` into a panel: render(data) → Node. Blocks planned by the NOC
// dashboard issue and the capabilities that will fill them:
//   "provisioning.state"    provisioning state            (provisioning)
//   "firmware.compliance"   firmware compliance per model (firmware)
//   "linkrate.alerts"       alerts by type                (link rates)
//   "returns.overdue"       overdue routers, euros at stake (returns)
// A block only appears once its capability sends data: no placeholders.

export const OVERVIEW_SECTIONS = {};
