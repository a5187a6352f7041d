// Devices: search, filters, sorting and paging all done by the server
// (GET /api/devices), so it stays fast on 100,000 devices; CSV export of the
// same selection. The filters live in the address (#/devices?online=false…),
// so the overview's figures link straight to a filtered list.

import { pager } from "../components/pager.js";
import { deviceBadge } from "../components/status-badge.js";
import { dataTable } from "../components/table.js";
import { api } from "../lib/api.js";
import { fill, h, throttle } from "../lib/dom.js";
import { formatAgo, formatDateTime, formatNumber } from "../lib/format.js";
import { deviceHref } from "./registry.js";

const SEEN = { "1m": 60_000, "10m": 600_000, "1h": 3_600_000, "24h": 86_400_000 };
const SEEN_LABELS = { "": "Any time", "1m": "Last minute", "10m": "Last 10 minutes", "1h": "Last hour", "24h": "Last 24 hours" };
const PAGE_SIZES = [25, 50, 100, 200];
const FILTERS = ["search", "online", "seen", "productClass", "softwareVersion", "tag"];

export function mount(main, { query, live }) {
  let destroyed = false;
  let seq = 0;
  const state = {
    search: query.get("search") ?? "",
    online: query.get("online") ?? "",
    seen: SEEN[query.get("seen")] ? query.get("seen") : "",
    productClass: query.get("productClass") ?? "",
    softwareVersion: query.get("softwareVersion") ?? "",
    tag: query.get("tag") ?? "",
    sort: query.get("sort") ?? "id",
    order: query.get("order") === "desc" ? "desc" : "asc",
    offset: Math.max(0, Number(query.get("offset")) || 0),
    limit: PAGE_SIZES.includes(Number(query.get("limit"))) ? Number(query.get("limit")) : 50,
  };

  const field = (id, label, control) => h("label", { for: id }, label, control);
  const search = h("input", { id: "devices-search", type: "search", value: state.search, placeholder: "ID, serial or model", autocomplete: "off" });
  const online = h("select", { id: "devices-online" }, [["", "Any status"], ["true", "Online"], ["false", "Offline"]].map(([v, l]) => h("option", { value: v, selected: state.online === v }, l)));
  const seen = h("select", { id: "devices-seen" }, Object.entries(SEEN_LABELS).map(([v, l]) => h("option", { value: v, selected: state.seen === v }, l)));
  const model = h("select", { id: "devices-model" }, h("option", { value: "" }, "All models"), state.productClass ? h("option", { value: state.productClass, selected: true }, state.productClass) : null);
  const software = h("input", { id: "devices-software", type: "text", value: state.softwareVersion, autocomplete: "off" });
  const tag = h("input", { id: "devices-tag", type: "text", value: state.tag, autocomplete: "off" });
  const size = h("select", { id: "devices-limit" }, PAGE_SIZES.map((n) => h("option", { value: n, selected: state.limit === n }, n)));
  const exportLink = h("a", { class: "button secondary", id: "devices-export", download: "" }, "Export CSV");
  const clear = h("button", { type: "button", class: "secondary" }, "Clear filters");
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const results = h("div", { id: "devices-results", "aria-busy": "true" });

  fill(main,
    h("h1", {}, "Devices"),
    h("form", { role: "search", "aria-label": "Filter devices", onSubmit: (e) => e.preventDefault() },
      h("div", { class: "field-row" },
        field("devices-search", "Search", search),
        field("devices-online", "Status", online),
        field("devices-seen", "Last contact", seen),
        field("devices-model", "Model", model),
        field("devices-software", "Software version", software),
        field("devices-tag", "Tag", tag),
        field("devices-limit", "Per page", size)),
      h("div", { class: "actions" }, clear, exportLink)),
    error,
    results);

  /** The API query of the current state: `seen` becomes lastInformAfter, counted from now. */
  function apiQuery(withPaging) {
    const q = new URLSearchParams();
    if (state.search) q.set("search", state.search);
    if (state.online) q.set("online", state.online);
    if (state.seen) q.set("lastInformAfter", String(Date.now() - SEEN[state.seen]));
    for (const key of ["productClass", "softwareVersion", "tag"]) if (state[key]) q.set(key, state[key]);
    q.set("sort", state.sort);
    q.set("order", state.order);
    if (withPaging) {
      q.set("offset", String(state.offset));
      q.set("limit", String(state.limit));
    }
    return q;
  }

  function syncAddress() {
    const q = new URLSearchParams();
    for (const key of FILTERS) if (state[key]) q.set(key, state[key]);
    if (state.sort !== "id" || state.order !== "asc") {
      q.set("sort", state.sort);
      q.set("order", state.order);
    }
    if (state.offset) q.set("offset", String(state.offset));
    if (state.limit !== 50) q.set("limit", String(state.limit));
    history.replaceState(null, "", `#/devices${q.size ? `?${q}` : ""}`);
    exportLink.href = exportHref();
  }

  const exportHref = () => `/ui/export/devices.csv?${apiQuery(false)}`;

  const columns = [
    { label: "Status", cell: (d) => deviceBadge(d) },
    { label: "Device ID", sort: "id", class: "mono", cell: (d) => h("a", { href: deviceHref(d.id) }, d.id) },
    { label: "Model", sort: "productClass", cell: (d) => d.productClass },
    { label: "Serial", cell: (d) => d.serialNumber },
    { label: "Software", sort: "softwareVersion", cell: (d) => d.softwareVersion || "—" },
    { label: "Last contact (Paris)", sort: "lastInformAt", cell: (d) => (d.lastInformAt ? h("span", { title: formatAgo(d.lastInformAt) }, formatDateTime(d.lastInformAt)) : "never") },
    { label: "Address", class: "mono", cell: (d) => d.lastRemoteAddress ?? "—" },
  ];

  async function load() {
    const mine = ++seq;
    syncAddress();
    results.setAttribute("aria-busy", "true");
    try {
      const page = await api(`/devices?${apiQuery(true)}`);
      if (destroyed || mine !== seq) return;
      error.hidden = true;
      live.watch({ devices: page.items.map((d) => d.id) });
      const onSort = (key) => {
        state.order = state.sort === key && state.order === "asc" ? "desc" : "asc";
        state.sort = key;
        state.offset = 0;
        load();
      };
      const onPage = (offset) => {
        state.offset = offset;
        load();
      };
      fill(results,
        pager({ offset: state.offset, limit: state.limit, total: page.total, onChange: onPage, label: "Device list pages" }),
        dataTable({ caption: `Devices (${formatNumber(page.total)} match)`, columns, rows: page.items, empty: "No device matches these filters.", sort: { key: state.sort, order: state.order }, onSort }));
    } catch (err) {
      if (destroyed || mine !== seq) return;
      fill(error, `Could not load devices: ${err.message}`);
      error.hidden = false;
    } finally {
      if (mine === seq) results.setAttribute("aria-busy", "false");
    }
  }

  const reloadFromLive = throttle(load, 2000);
  let typing = null;
  const changed = (key, value) => {
    state[key] = value;
    state.offset = 0;
    load();
  };
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => changed("search", search.value.trim()), 300);
  });
  online.addEventListener("change", () => changed("online", online.value));
  seen.addEventListener("change", () => changed("seen", seen.value));
  model.addEventListener("change", () => changed("productClass", model.value));
  software.addEventListener("change", () => changed("softwareVersion", software.value.trim()));
  tag.addEventListener("change", () => changed("tag", tag.value.trim()));
  size.addEventListener("change", () => changed("limit", Number(size.value)));
  // "Last contact within" counts from now: the link is recomputed at the moment of the click.
  exportLink.addEventListener("click", () => {
    exportLink.href = exportHref();
  });
  clear.addEventListener("click", () => {
    for (const key of FILTERS) state[key] = "";
    search.value = software.value = tag.value = "";
    online.value = seen.value = model.value = "";
    state.offset = 0;
    load();
  });

  api("/device-models").then(({ items }) => {
    if (destroyed) return;
    fill(model, h("option", { value: "" }, "All models"),
      items.map((m) => h("option", { value: m.productClass, selected: m.productClass === state.productClass }, `${m.productClass} (${formatNumber(m.count)})`)));
  }).catch(() => {}); // the free-text filters still work without the model list

  load();
  return {
    onLive(message) {
      if (message.type === "batch" && (message.missed || message.events.length > 0)) reloadFromLive();
    },
    onReconnect: load,
    destroy() {
      destroyed = true;
      reloadFromLive.cancel();
      clearTimeout(typing);
    },
  };
}
