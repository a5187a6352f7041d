// Link rates: lines by verdict, the distribution of the latest measured
// speeds against the offer's bounds (30 Mb/s–1 Gb/s down, 10 Mb/s–1 Gb/s up),
// open alerts with "Acknowledge" (noc, admin), and a list of lines with their
// evidence downloads (JSON, CSV). Alerts arrive live ("linkrate:alerts").

import { distributionChart } from "../components/distribution-chart.js";
import { dataTable } from "../components/table.js";
import { api } from "../lib/api.js";
import { fill, h, throttle } from "../lib/dom.js";
import { formatDateTime, formatNumber } from "../lib/format.js";

const VERDICT_LABELS = {
  below_minimum: "Below minimum",
  below_normal: "Below normally available",
  capacity_capped: "Capacity capped",
  optical_out_of_range: "Optical level out of range",
  no_recent_data: "No recent test",
  conforming: "Conforming",
};
const ALERT_LABELS = { below_minimum: "Below minimum", capacity_capped: "Capacity capped (WAN port)", optical_out_of_range: "Optical level out of range" };
const ACK_ROLES = new Set(["noc", "admin"]);
const PAGE = 100;
const mbps = (bps) => (bps === null || bps === undefined ? "—" : `${formatNumber(Math.round(bps / 1e5) / 10)} Mb/s`);
const evidenceHref = (lineId, format) => `/ui/api/linkrate/lines/${encodeURIComponent(lineId)}/evidence?format=${format}`;

export function mount(main, { session, query, live }) {
  let destroyed = false;
  const state = { direction: query.get("direction") === "upload" ? "upload" : "download", verdict: query.get("verdict") ?? "", offset: 0 };
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const verdictTable = h("div", { id: "linkrate-verdicts" });
  const down = distributionChart({ title: "Latest download test per line", color: "--chart-1" });
  const up = distributionChart({ title: "Latest upload test per line", color: "--chart-2" });
  const alerts = h("div", { id: "linkrate-alerts" });
  const status = h("p", { class: "visually-hidden", role: "status" });
  const direction = h("select", { id: "linkrate-direction" }, ["download", "upload"].map((d) => h("option", { value: d, selected: d === state.direction }, d === "download" ? "Download" : "Upload")));
  const verdict = h("select", { id: "linkrate-verdict" }, h("option", { value: "" }, "Any verdict"),
    Object.entries(VERDICT_LABELS).map(([v, l]) => h("option", { value: v, selected: v === state.verdict }, l)));
  const lines = h("div", { id: "linkrate-lines" });

  fill(main, h("h1", {}, "Link rates"), error, status,
    h("div", { class: "grid" },
      h("section", { class: "panel", "aria-labelledby": "lr-verdicts-title" }, h("h2", { id: "lr-verdicts-title" }, "Lines by verdict"), verdictTable),
      h("section", { class: "panel", "aria-labelledby": "lr-alerts-title" }, h("h2", { id: "lr-alerts-title" }, "Open alerts"), alerts)),
    h("section", { class: "panel", "aria-labelledby": "lr-dist-title" }, h("h2", { id: "lr-dist-title" }, "Measured speeds against the offer's bounds"),
      h("div", { class: "grid" }, down.element, up.element)),
    h("section", { class: "panel", "aria-labelledby": "lr-lines-title" }, h("h2", { id: "lr-lines-title" }, "Lines"),
      h("form", { "aria-label": "Filter lines", onSubmit: (e) => e.preventDefault() },
        h("div", { class: "field-row" }, h("label", { for: "linkrate-direction" }, "Direction", direction), h("label", { for: "linkrate-verdict" }, "Verdict", verdict))),
      lines));

  function renderVerdicts(summary) {
    const codes = summary.verdictOrder;
    fill(verdictTable, dataTable({
      caption: "Lines per primary verdict at their last evaluation",
      columns: [
        { label: "Verdict", cell: (c) => h("a", { href: `#/linkrate?verdict=${c}` }, VERDICT_LABELS[c] ?? c) },
        { label: "Download", cell: (c) => formatNumber(summary.verdicts.download[c] ?? 0) },
        { label: "Upload", cell: (c) => formatNumber(summary.verdicts.upload[c] ?? 0) },
      ],
      rows: codes,
    }));
    down.set(summary.distribution.download);
    up.set(summary.distribution.upload);
  }

  async function acknowledge(alert, button) {
    button.disabled = true;
    try {
      await api(`/linkrate/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { method: "POST" });
      status.textContent = `Alert on line ${alert.lineId} acknowledged`;
      loadAlerts();
    } catch (err) {
      button.disabled = false;
      fill(error, `Could not acknowledge: ${err.message}`);
      error.hidden = false;
    }
  }

  function renderAlerts({ total, items }) {
    const canAck = ACK_ROLES.has(session.role);
    fill(alerts, dataTable({
      caption: `${formatNumber(total)} open alert(s)${total > items.length ? `, the newest ${items.length}` : ""}`,
      columns: [
        { label: "Raised (Paris)", cell: (a) => formatDateTime(a.raisedAt) },
        { label: "Line", class: "mono", cell: (a) => a.lineId },
        { label: "Alert", cell: (a) => `${ALERT_LABELS[a.kind] ?? a.kind}${a.direction ? ` (${a.direction})` : ""}` },
        { label: "Acknowledged", cell: (a) => (a.acknowledgedBy ? `${a.acknowledgedBy}, ${formatDateTime(a.acknowledgedAt)}` : canAck
          ? h("button", { type: "button", class: "secondary", "data-alert": a.id, onClick: (e) => acknowledge(a, e.currentTarget) }, "Acknowledge")
          : "no") },
        { label: "Evidence", cell: (a) => h("a", { href: evidenceHref(a.lineId, "csv"), download: "" }, "CSV") },
      ],
      rows: items,
      empty: "No open alert.",
    }));
  }

  function renderLines({ total, items }) {
    fill(lines, dataTable({
      caption: `${formatNumber(total)} line(s)${state.verdict ? ` with “${VERDICT_LABELS[state.verdict]}” (${state.direction})` : ""}`,
      columns: [
        { label: "Line", class: "mono", cell: (l) => l.lineId },
        { label: "Download verdict", cell: (l) => (l.verdict?.download ?? []).map((c) => VERDICT_LABELS[c] ?? c).join(", ") || "—" },
        { label: "Upload verdict", cell: (l) => (l.verdict?.upload ?? []).map((c) => VERDICT_LABELS[c] ?? c).join(", ") || "—" },
        { label: "Latest download", cell: (l) => mbps(l.lastDownloadBps) },
        { label: "Latest upload", cell: (l) => mbps(l.lastUploadBps) },
        { label: "Evidence", cell: (l) => [h("a", { href: evidenceHref(l.lineId, "json"), download: "" }, "JSON"), " · ", h("a", { href: evidenceHref(l.lineId, "csv"), download: "" }, "CSV")] },
      ],
      rows: items,
      empty: "No line matches.",
    }));
  }

  const fail = (what, err) => {
    if (destroyed) return;
    fill(error, `Could not load the ${what}: ${err.message}`);
    error.hidden = false;
  };
  const loadSummary = () => api("/linkrate/summary").then((s) => !destroyed && renderVerdicts(s), (e) => fail("link-rate summary", e));
  const loadAlerts = () => api("/linkrate/alerts?open=true&limit=200").then((a) => !destroyed && renderAlerts(a), (e) => fail("alerts", e));
  const loadLines = () => {
    history.replaceState(null, "", `#/linkrate?${new URLSearchParams({ direction: state.direction, ...(state.verdict && { verdict: state.verdict }) })}`);
    const q = new URLSearchParams({ direction: state.direction, offset: String(state.offset), limit: String(PAGE), ...(state.verdict && { verdict: state.verdict }) });
    return api(`/linkrate/lines?${q}`).then((l) => !destroyed && renderLines(l), (e) => fail("lines", e));
  };
  const loadAll = () => Promise.all([loadSummary(), loadAlerts(), loadLines()]);
  const reload = throttle(loadAll, 2000);

  direction.addEventListener("change", () => { state.direction = direction.value; loadLines(); });
  verdict.addEventListener("change", () => { state.verdict = verdict.value; loadLines(); });
  live.watch({ overview: false, devices: ["linkrate:alerts"] });
  loadAll();
  return {
    onLive(message) {
      if (message.type !== "batch") return;
      const pushed = message.events.filter((e) => e.name === "linkrate.alert");
      if (pushed.length > 0) status.textContent = pushed.map((e) => `Alert ${e.transition} on line ${e.alert.lineId}`).join(". ");
      if (message.missed || pushed.length > 0) reload();
    },
    onReconnect: loadAll,
    destroy() {
      destroyed = true;
      reload.cancel();
      down.destroy();
      up.destroy();
    },
  };
}
