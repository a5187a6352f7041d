// Faults: what went wrong with devices recently (CWMP faults, failed tasks),
// newest first, with a code filter; reloads when the live channel reports new ones.

import { dataTable } from "../components/table.js";
import { api } from "../lib/api.js";
import { fill, h, throttle } from "../lib/dom.js";
import { formatDateTime, formatNumber } from "../lib/format.js";
import { deviceHref } from "./registry.js";

const SINCE = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };
const SINCE_LABELS = { "1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days" };
const LIMIT = 1000;

export function mount(main, { query }) {
  let destroyed = false;
  const state = { since: SINCE[query.get("since")] ? query.get("since") : "1h", code: query.get("code") ?? "" };
  const since = h("select", { id: "faults-since" }, Object.entries(SINCE_LABELS).map(([v, l]) => h("option", { value: v, selected: v === state.since }, l)));
  const code = h("select", { id: "faults-code" }, h("option", { value: "" }, "All codes"));
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const results = h("div", { id: "faults-results" });
  fill(main, h("h1", {}, "Faults"),
    h("form", { "aria-label": "Filter faults", onSubmit: (e) => e.preventDefault() },
      h("div", { class: "field-row" }, h("label", { for: "faults-since" }, "Period", since), h("label", { for: "faults-code" }, "Fault code", code))),
    error, results);

  async function load() {
    history.replaceState(null, "", `#/faults?${new URLSearchParams({ since: state.since, ...(state.code && { code: state.code }) })}`);
    try {
      const { items } = await api(`/faults?since=${Date.now() - SINCE[state.since]}&limit=${LIMIT}`);
      if (destroyed) return;
      error.hidden = true;
      const codes = [...new Set([...items.map((f) => f.code), state.code].filter(Boolean))].sort();
      fill(code, h("option", { value: "" }, "All codes"), codes.map((c) => h("option", { value: c, selected: c === state.code }, c)));
      const rows = state.code ? items.filter((f) => f.code === state.code) : items;
      fill(results, dataTable({
        caption: `${formatNumber(rows.length)} fault(s)${items.length === LIMIT ? `, the newest ${formatNumber(LIMIT)} of the period` : ""}`,
        columns: [
          { label: "Time (Paris)", cell: (f) => formatDateTime(f.timestamp) },
          { label: "Device", class: "mono", cell: (f) => h("a", { href: deviceHref(f.deviceId) }, f.deviceId) },
          { label: "Code", class: "mono", cell: (f) => f.code },
          { label: "Message", cell: (f) => f.message },
          { label: "Cause", cell: (f) => f.channel },
        ],
        rows,
        empty: "No fault in this period.",
      }));
    } catch (err) {
      if (destroyed) return;
      fill(error, `Could not load faults: ${err.message}`);
      error.hidden = false;
    }
  }

  const reload = throttle(load, 2000);
  since.addEventListener("change", () => { state.since = since.value; load(); });
  code.addEventListener("change", () => { state.code = code.value; load(); });
  load();
  return {
    onLive(message) {
      if (message.type === "batch" && (message.missed || message.counts["fault.recorded"] > 0)) reload();
    },
    onReconnect: load,
    destroy() {
      destroyed = true;
      reload.cancel();
    },
  };
}
