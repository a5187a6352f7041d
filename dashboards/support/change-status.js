// How a Wi-Fi change reads on the support page: its status in words (with
// Paris times) and the line's change history (the audit trail).

import { dataTable } from "../components/table.js";
import { h } from "../lib/dom.js";
import { formatDateTime } from "../lib/format.js";

const VIA = { channel: "the agent channel", http: "HTTP connection request", udp: "UDP connection request" };

/** "applied at 26/11/2026, 14:03:05, after 77 ms", "queued (router offline since …)", … */
export function statusText(c) {
  switch (c.status) {
    case "queued":
      return c.offlineSince ? `queued (router offline since ${formatDateTime(c.offlineSince)}): applied at its next contact`
        : c.deviceId ? `queued: ${c.note}` : "queued (the router has never contacted the ACS): applied at its first contact";
    case "waking":
      return c.wake?.ok ? `waking: the router was woken via ${VIA[c.wake.via] ?? c.wake.via}, waiting for its session` : "waking the router";
    case "applying":
      return "applying: the router is in session";
    case "applied":
      return `applied at ${formatDateTime(c.appliedAt)}, after ${c.appliedAfterMs} ms`;
    case "failed":
      return `failed: ${c.failure?.message ?? c.note}`;
    case "superseded":
      return "superseded by a later change";
    default:
      return c.status;
  }
}

export const statusBadge = (status) => h("span", { class: `badge ${status}` }, status);

const value = (v) => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));
const fieldName = (f) => f.replace(/^bands\./, "").replace(/^(.+GHz)\./, "$1 ");

export function historyTable(items) {
  return dataTable({
    caption: "Wi-Fi changes on this line, newest first",
    columns: [
      { label: "Made (Paris)", cell: (c) => formatDateTime(c.createdAt) },
      { label: "By", cell: (c) => c.by },
      { label: "Changes", cell: (c) => h("ul", { class: "plain" }, c.changes.map((x) => h("li", {}, `${fieldName(x.field)}: ${value(x.from)} → ${value(x.to)}`)),
        c.insecure.length > 0 ? h("li", { class: "warn" }, `insecure mode confirmed on ${c.insecure.join(", ")}`) : null) },
      { label: "Outcome", cell: (c) => h("span", {}, statusBadge(c.status), " ", statusText(c)) },
    ],
    rows: items,
    empty: "No Wi-Fi change made from the support desk yet.",
  });
}
