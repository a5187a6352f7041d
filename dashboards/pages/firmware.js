// Firmware: every campaign with its status, image, devices per state and its
// waves (size, concurrency, status, per-state counts, failure rate). Admins
// get Pause (running) and Resume (paused); noc and support see no button, and
// the API refuses them the calls with 403 anyway.

import { dataTable } from "../components/table.js";
import { api } from "../lib/api.js";
import { fill, h } from "../lib/dom.js";
import { formatDateTime, formatNumber } from "../lib/format.js";

/** Per-device states (acs/firmware/campaign-types.ts), in rollout order. */
const STATES = ["pending", "scheduled", "downloading", "rebooting", "verifying", "succeeded", "failed", "skipped", "cancelled"];
const STATE_LABELS = {
  pending: "Pending", scheduled: "Scheduled", downloading: "Downloading", rebooting: "Rebooting", verifying: "Verifying",
  succeeded: "Succeeded", failed: "Failed", skipped: "Skipped", cancelled: "Cancelled",
};
const STATUS_TONE = { running: "pending", paused: "fault", completed: "done", cancelled: "never" };
const percent = (rate) => `${formatNumber(Math.round(rate * 1000) / 10)} %`;
const countColumns = STATES.map((s) => ({ label: STATE_LABELS[s], cell: (row) => formatNumber(row.counts[s] ?? 0) }));

export function mount(main, { session }) {
  let destroyed = false;
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const status = h("p", { class: "visually-hidden", role: "status" });
  const list = h("div", { id: "firmware-campaigns" });
  const isAdmin = session.role === "admin";

  fill(main, h("h1", {}, "Firmware"), error, status, list);

  async function control(campaign, action, button) {
    button.disabled = true;
    try {
      await api(`/campaigns/${encodeURIComponent(campaign.id)}/${action}`, { method: "POST" });
      status.textContent = `Campaign ${campaign.name} ${action === "pause" ? "paused" : "resumed"}`;
      await load();
    } catch (err) {
      button.disabled = false;
      fill(error, `Could not ${action} ${campaign.name}: ${err.message}`);
      error.hidden = false;
    }
  }

  function campaignPanel(c) {
    const titleId = `campaign-${c.id}-title`;
    const actions = !isAdmin ? null
      : c.status === "running" ? h("button", { type: "button", class: "secondary", onClick: (e) => control(c, "pause", e.currentTarget) }, `Pause ${c.name}`)
        : c.status === "paused" ? h("button", { type: "button", onClick: (e) => control(c, "resume", e.currentTarget) }, `Resume ${c.name}`)
          : null;
    const pause = c.pause && (c.pause.reason === "threshold"
      ? `Paused on wave ${c.pause.wave + 1}: ${formatNumber(c.pause.failed)} of ${formatNumber(c.pause.finished)} failed (${percent(c.pause.failureRate)}, threshold ${percent(c.failureThreshold)})`
      : `Paused by ${c.pause.by} at ${formatDateTime(c.pause.at)}`);
    return h("section", { class: "panel", "aria-labelledby": titleId, "data-campaign": c.id },
      h("h2", { id: titleId }, c.name, " ", h("span", { class: `badge ${STATUS_TONE[c.status] ?? ""}`, "data-status": c.status }, c.status)),
      h("dl", { class: "facts" },
        h("dt", {}, "Image"), h("dd", { class: "mono" }, `${c.firmware.name} (version ${c.firmware.version})`),
        h("dt", {}, "Target"), h("dd", {}, `${c.target.productClass}${c.target.versions?.max ? `, up to ${c.target.versions.max}` : ""}`),
        h("dt", {}, "Devices"), h("dd", {}, formatNumber(c.deviceCount)),
        h("dt", {}, "Wave"), h("dd", {}, `${formatNumber(c.currentWave + 1)} of ${formatNumber(c.waves.length)}`),
        h("dt", {}, "Created"), h("dd", {}, `${formatDateTime(c.createdAt)} by ${c.createdBy}`)),
      pause && h("p", { class: "message" }, pause),
      actions && h("div", { class: "actions spaced" }, actions),
      dataTable({ caption: `Devices of ${c.name} per state`, columns: [{ label: "All waves", cell: () => formatNumber(c.deviceCount) }, ...countColumns], rows: [c] }),
      h("div", { class: "spaced" }, dataTable({
        caption: `Waves of ${c.name}`,
        columns: [
          { label: "Wave", cell: (w) => formatNumber(w.index + 1) },
          { label: "Status", cell: (w) => w.status },
          { label: "Size", cell: (w) => formatNumber(w.size) },
          { label: "At once", cell: (w) => formatNumber(w.concurrency) },
          ...countColumns,
          { label: "Failure rate", cell: (w) => (w.finished > 0 ? percent(w.failureRate) : "—") },
        ],
        rows: c.waves,
      })));
  }

  async function load() {
    try {
      const { items } = await api("/campaigns");
      // The list has no waves: each campaign's detail brings them (without its device list).
      const details = await Promise.all(items.map((c) => api(`/campaigns/${encodeURIComponent(c.id)}?limit=0`)));
      if (destroyed) return;
      error.hidden = true;
      fill(list, details.length === 0 ? h("p", { class: "panel muted" }, "No firmware campaign yet.") : details.map(campaignPanel));
    } catch (err) {
      if (destroyed) return;
      fill(error, `Could not load the campaigns: ${err.message}`);
      error.hidden = false;
    }
  }

  load();
  return {
    onReconnect: load,
    destroy() {
      destroyed = true;
    },
  };
}
