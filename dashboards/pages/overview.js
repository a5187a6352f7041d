// Overview: fleet figures that link to the lists they count, the session rate
// of the last hour, the last hour's faults by code, and the blocks other
// capabilities contribute (overview/sections.js). Kept current by the live
// channel ("overview" snapshots pushed by the server), not by polling.

import { timeChart } from "../components/chart.js";
import { figure } from "../components/figure.js";
import { api } from "../lib/api.js";
import { fill, h } from "../lib/dom.js";
import { formatDateTime, formatDuration, formatNumber, formatTime } from "../lib/format.js";
import { OVERVIEW_SECTIONS } from "../overview/sections.js";

const FIGURES = [
  { id: "online", label: "Online", href: "#/devices?online=true" },
  { id: "offline", label: "Offline", href: "#/devices?online=false" },
  { id: "never-seen", label: "Never seen", href: "#/devices?sort=lastInformAt&order=asc" },
  { id: "total", label: "Devices", href: "#/devices" },
  { id: "contacts", label: "In contact, last minute", href: "#/devices?seen=1m" },
  { id: "faults", label: "Faults, last hour", href: "#/faults" },
  { id: "pending", label: "Pending tasks", href: "#/tasks?status=pending" },
];

export function mount(main, { live }) {
  let destroyed = false;
  const updated = h("p", { class: "muted", id: "overview-updated" }, "Loading…");
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const figures = Object.fromEntries(FIGURES.map((f) => [f.id, figure(f)]));
  const chart = timeChart({
    title: "CWMP sessions per minute, last hour (this ACS instance)",
    yLabel: "sessions",
    series: [{ label: "Completed", color: "--chart-1", bars: true }, { label: "Failed", color: "--chart-2" }],
  });
  const faultCodes = h("div", { id: "overview-fault-codes" });
  const sections = h("div", { class: "grid", id: "overview-sections" });
  fill(main,
    h("h1", {}, "Overview"),
    updated,
    error,
    h("section", { "aria-label": "Fleet figures", class: "figures" }, Object.values(figures).map((f) => f.element)),
    h("div", { class: "grid" },
      h("section", { class: "panel" }, chart.element),
      h("section", { class: "panel", "aria-labelledby": "fault-codes-title" }, h("h2", { id: "fault-codes-title" }, "Faults in the last hour, by code"), faultCodes)),
    sections);

  let shownAt = "";
  function render(o) {
    // A slow fetch must not overwrite a newer snapshot from the live channel.
    if (o.generatedAt < shownAt) return;
    shownAt = o.generatedAt;
    const d = o.devices;
    const windowText = `last Inform within ${formatDuration(o.onlineWindowMs)}`;
    figures.online.set({ value: d.online, note: windowText, tone: "ok" });
    figures.offline.set({ value: d.offline, note: "informed before, not since", tone: d.offline > 0 ? "bad" : "" });
    figures["never-seen"].set({ value: d.neverSeen, note: "listed first", tone: d.neverSeen > 0 ? "warn" : "" });
    figures.total.set({ value: d.total });
    figures.contacts.set({ value: o.contacts.lastMinute, note: "devices that informed" });
    figures.faults.set({ value: o.faults.atLeast ? `≥ ${formatNumber(o.faults.lastHour)}` : o.faults.lastHour, tone: o.faults.lastHour > 0 ? "bad" : "" });
    figures.pending.set({ value: o.tasks.pending, tone: o.tasks.pending > 0 ? "warn" : "" });
    const perMinute = o.contacts.perMinute;
    const total = perMinute.reduce((sum, m) => sum + m.ok + m.failed, 0);
    const failed = perMinute.reduce((sum, m) => sum + m.failed, 0);
    chart.set(perMinute.map((m) => ({ t: m.t, values: [m.ok, m.failed] })), `${formatNumber(total)} sessions in the last hour, ${formatNumber(failed)} failed`);
    fill(faultCodes, o.faults.byCode.length === 0
      ? h("p", { class: "muted" }, "No fault in the last hour.")
      : h("ul", {}, o.faults.byCode.map((f) => h("li", {}, h("a", { href: `#/faults?code=${encodeURIComponent(f.code)}` }, f.code), `: ${formatNumber(f.count)}`))));
    fill(sections, o.sections.map((s) => {
      if (s.error) return h("section", { class: "panel", "data-section": s.id }, h("p", { class: "message error" }, `${s.id}: ${s.error}`));
      const render = OVERVIEW_SECTIONS[s.id];
      return render ? h("section", { class: "panel", "data-section": s.id }, render(s.data)) : null;
    }));
    fill(updated, `Updated ${formatTime(o.generatedAt)} (Paris time) · ${formatDateTime(o.generatedAt).split(",")[0]}`);
    updated.dataset.generatedAt = o.generatedAt;
  }

  async function load() {
    try {
      const o = await api("/overview");
      if (!destroyed) render(o);
      error.hidden = true;
    } catch (err) {
      if (destroyed) return;
      fill(error, `Could not load the overview: ${err.message}`);
      error.hidden = false;
    }
  }

  live.watch({ overview: true });
  load();
  return {
    onLive(message) {
      if (message.type === "overview") render(message.data);
    },
    onReconnect: load,
    destroy() {
      destroyed = true;
      chart.destroy();
    },
  };
}
