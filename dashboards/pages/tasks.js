// Tasks across the fleet, newest first, by status (pending = the queue);
// reloads when the live channel reports finished tasks.

import { taskBadge } from "../components/status-badge.js";
import { dataTable } from "../components/table.js";
import { api } from "../lib/api.js";
import { fill, h, throttle } from "../lib/dom.js";
import { formatDateTime, formatNumber } from "../lib/format.js";
import { deviceHref } from "./registry.js";

const STATUSES = { "": "Any status", pending: "Pending", done: "Done", fault: "Faulted" };
const LIMIT = 500;

export function mount(main, { query }) {
  let destroyed = false;
  let status = Object.hasOwn(STATUSES, query.get("status") ?? "") ? query.get("status") ?? "" : "";
  const select = h("select", { id: "tasks-status" }, Object.entries(STATUSES).map(([v, l]) => h("option", { value: v, selected: v === status }, l)));
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const results = h("div", { id: "tasks-results" });
  fill(main, h("h1", {}, "Tasks"),
    h("form", { "aria-label": "Filter tasks", onSubmit: (e) => e.preventDefault() }, h("div", { class: "field-row" }, h("label", { for: "tasks-status" }, "Status", select))),
    error, results);

  async function load() {
    history.replaceState(null, "", `#/tasks${status ? `?status=${status}` : ""}`);
    try {
      const { items } = await api(`/tasks?limit=${LIMIT}${status ? `&status=${status}` : ""}`);
      if (destroyed) return;
      error.hidden = true;
      fill(results, dataTable({
        caption: `${formatNumber(items.length)} task(s)${items.length === LIMIT ? `, the newest ${LIMIT}` : ""}`,
        columns: [
          { label: "Created (Paris)", cell: (t) => formatDateTime(t.createdAt) },
          { label: "Device", class: "mono", cell: (t) => h("a", { href: deviceHref(t.deviceId) }, t.deviceId) },
          { label: "Task", cell: (t) => t.name },
          { label: "Status", cell: (t) => taskBadge(t.status) },
          { label: "By", cell: (t) => t.createdBy },
          { label: "Outcome", cell: (t) => (t.fault ? `${t.fault.code}: ${t.fault.message}` : t.doneAt ? `done ${formatDateTime(t.doneAt)}` : `${t.attempts} attempt(s)`) },
        ],
        rows: items,
        empty: "No task.",
      }));
    } catch (err) {
      if (destroyed) return;
      fill(error, `Could not load tasks: ${err.message}`);
      error.hidden = false;
    }
  }

  const reload = throttle(load, 2000);
  select.addEventListener("change", () => { status = select.value; load(); });
  load();
  return {
    onLive(message) {
      if (message.type === "batch" && (message.missed || message.counts["task.done"] > 0 || message.counts["task.fault"] > 0)) reload();
    },
    onReconnect: load,
    destroy() {
      destroyed = true;
      reload.cancel();
    },
  };
}
