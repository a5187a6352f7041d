// Support desk: find a line (line id, subscriber name, router serial or the
// MAC on the router), see its router (state, how the ACS can reach it) and
// its Wi-Fi, change it, and watch the change go to "applied" live: the page
// watches the line ("line:<id>") and its router on the live channel, so each
// status of the change arrives without a reload.
//   #/support?q=…            search
//   #/support/lines/<id>     one line

import { deviceBadge } from "../components/status-badge.js";
import { dataTable } from "../components/table.js";
import { api, apiWithStatus } from "../lib/api.js";
import { fill, h, throttle } from "../lib/dom.js";
import { formatAgo, formatDateTime } from "../lib/format.js";
import { historyTable, statusBadge, statusText } from "../support/change-status.js";
import { bandSlug, reportedText, wifiForm } from "../support/wifi-form.js";
import { deviceHref } from "./registry.js";

const lineHref = (id) => `#/support/lines/${encodeURIComponent(id)}`;
const panel = (id, title, ...content) => h("section", { class: "panel", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), ...content);
const facts = (rows) => h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
const REACH = {
  channel: "by its agent channel (instant)",
  http: "by HTTP connection request",
  udp: "by UDP connection request",
  none: "not reachable now: changes wait for its next contact",
};

export function mount(main, ctx) {
  return ctx.params.lineId ? mountLine(main, ctx) : mountSearch(main, ctx);
}

function mountSearch(main, { query }) {
  const input = h("input", { id: "support-q", type: "search", value: query.get("q") ?? "", placeholder: "L-1042, Martin, HWA0001234 or a4:b1:c2:…", autocomplete: "off", required: true });
  const results = h("div", { id: "support-results", role: "region", "aria-live": "polite" });
  let seq = 0;
  async function find(q) {
    const mine = ++seq;
    fill(results, h("p", { class: "muted" }, "Searching…"));
    try {
      const { items } = await api(`/support/lines?q=${encodeURIComponent(q)}`);
      if (mine !== seq) return;
      fill(results, dataTable({
        caption: `${items.length} line(s) for “${q}”`,
        columns: [
          { label: "Line", cell: (m) => h("a", { href: lineHref(m.lineId) }, m.lineId) },
          { label: "Subscriber", cell: (m) => m.subscriberName },
          { label: "Address", cell: (m) => m.address },
          { label: "Router serial", class: "mono", cell: (m) => m.routerSerial ?? "customer-owned" },
          { label: "Found by", cell: (m) => m.matchedBy },
        ],
        rows: items,
        empty: "No line matches: try the line id, the subscriber's name, the router serial or its MAC.",
      }));
    } catch (err) {
      if (mine === seq) fill(results, h("p", { class: "message error", role: "alert" }, `Search failed: ${err.message}`));
    }
  }
  const form = h("form", { role: "search", "aria-label": "Find a line" },
    h("div", { class: "field-row" }, h("label", { for: "support-q" }, "Line id, subscriber name, router serial or MAC", input), h("button", { type: "submit" }, "Find")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    history.replaceState(null, "", `#/support?q=${encodeURIComponent(q)}`);
    find(q);
  });
  fill(main, h("h1", {}, "Support: find a line"), form, results);
  if (input.value.trim()) find(input.value.trim());
  input.focus();
  return {};
}

function mountLine(main, { params, session, live }) {
  const lineId = params.lineId;
  const enc = encodeURIComponent(lineId);
  const canEdit = session.role === "support" || session.role === "admin";
  let destroyed = false;
  let wifi = null;
  /** The change submitted from this page, followed live. */
  let tracked = null;
  /** The latest record of each change of the line seen on the live channel (one may arrive before the PATCH answer). */
  const seen = new Map();
  const newer = (a, b) => (b && b.history.length > a.history.length ? b : a);

  const heading = h("h1", {}, `Line ${lineId}`);
  const subtitle = h("p", { class: "muted", id: "support-line-subtitle" });
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const router = panel("support-router", "Router");
  const status = h("div", { id: "support-change-status", role: "status", "aria-live": "polite" });
  const wifiPanel = panel("support-wifi", "Wi-Fi", h("p", { class: "muted" }, "Loading…"));
  const statusPanel = panel("support-status", "Last change", status);
  const history = panel("support-history", "Change history (audit trail)");
  statusPanel.hidden = true;
  fill(main, h("p", {}, h("a", { href: "#/support" }, "← Find another line")), heading, subtitle, error, h("div", { class: "grid" }, router, statusPanel), wifiPanel, history);

  function renderRouter(w) {
    const r = w.router;
    const device = { lastInformAt: r.lastInformAt, online: r.online };
    const reach = r.reachability;
    fill(router, h("h2", { id: "support-router-title" }, "Router"), r.customerOwned
      ? h("p", {}, "The subscriber's own router: the ACS does not manage it.")
      : facts([
        ["Serial", r.deviceId ? h("a", { href: deviceHref(r.deviceId), class: "mono" }, r.serial) : h("span", { class: "mono" }, r.serial)],
        ["Model", r.model ?? "unknown until its first contact"],
        ["State", r.deviceId ? h("span", {}, deviceBadge(device), ` last contact ${formatAgo(r.lastInformAt)}`) : "never contacted the ACS"],
        ["Last contact (Paris)", formatDateTime(r.lastInformAt)],
        ["Reachable", h("span", { id: "support-reachable", "data-via": reach?.via ?? "none" }, REACH[reach?.via ?? "none"])],
        ["Provisioning", r.provisioning ? `${r.provisioning}${r.fault ? ` (${r.fault.code}: ${r.fault.message})` : ""}` : null],
        ["Software", r.softwareVersion],
      ]));
  }

  function renderStatus(c) {
    statusPanel.hidden = false;
    fill(status, h("p", {}, statusBadge(c.status), " ", h("span", { id: "support-change-text" }, statusText(c))),
      h("p", { class: "muted" }, c.changes.map((x) => x.field.replace(/^bands\./, "")).join(", "), ` · by ${c.by} at ${formatDateTime(c.createdAt)}`));
  }

  async function submit(form, body) {
    form.setBusy(true);
    try {
      const { body: out } = await apiWithStatus(`/lines/${enc}/wifi`, { method: "PATCH", body: { version: wifi.version, ...body } });
      tracked = newer(out.change, seen.get(out.change.id));
      renderStatus(tracked);
      await load();
    } catch (err) {
      if (err.status === 409) {
        form.showErrors([], `${err.message}. The page was reloaded with the current settings: check them and apply again.`);
        await load(false);
        return;
      }
      if (err.status === 400) form.showErrors(err.body?.errors ?? [], err.message);
      else form.showErrors([], err.status === 403 ? `Refused: ${err.message}` : `The change failed: ${err.message}`);
    } finally {
      form.setBusy(false);
    }
  }

  async function load(renderForm = true) {
    let w;
    try {
      w = await api(`/lines/${enc}/wifi`);
    } catch (err) {
      fill(error, err.status === 404 ? `Line ${lineId} does not exist.` : `Could not load the line: ${err.message}`);
      error.hidden = false;
      return;
    }
    if (destroyed) return;
    error.hidden = true;
    wifi = w;
    fill(heading, `Line ${w.lineId} · ${w.subscriber.name}`);
    fill(subtitle, `${w.address}, ${w.commune} · subscriber ${w.subscriber.id} · line version ${w.version}`);
    renderRouter(w);
    live.watch({ devices: [`line:${w.lineId}`, ...(w.router.deviceId ? [w.router.deviceId] : [])] });
    if (renderForm || !wifiPanel.querySelector("form")) {
      const form = wifiForm(w, { canEdit: canEdit && !w.router.customerOwned, onSubmit: (body) => submit(form, body) });
      fill(wifiPanel, h("h2", { id: "support-wifi-title" }, "Wi-Fi"),
        w.modelKnown ? null : h("p", { class: "muted" }, "The router's model is not known yet: France's channels are offered; its own limits are checked at its first contact."),
        form.element);
    }
    const audit = await api(`/lines/${enc}/audit?limit=20`).catch(() => ({ items: [] }));
    if (!destroyed) fill(history, h("h2", { id: "support-history-title" }, "Change history (audit trail)"), historyTable(audit.items));
  }

  const refreshRouter = throttle(async () => {
    if (!wifi || destroyed) return;
    const w = await api(`/lines/${enc}/wifi`).catch(() => null);
    if (w && !destroyed) {
      renderRouter(w);
      // The form keeps what is being typed (and the version it was loaded with); only the router's report moves.
      for (const band of Object.keys(w.supported)) {
        const p = document.getElementById(`wifi-${bandSlug(band)}-reported`);
        if (p) p.textContent = reportedText(w.device[band]);
      }
      const audit = await api(`/lines/${enc}/audit?limit=20`).catch(() => null);
      if (audit && !destroyed) fill(history, h("h2", { id: "support-history-title" }, "Change history (audit trail)"), historyTable(audit.items));
    }
  }, 1000);

  load();
  return {
    onLive(message) {
      if (message.type !== "batch") return;
      let touched = message.missed;
      for (const e of message.events) {
        if (e.name === "wifi.change" && e.deviceId === `line:${lineId}`) {
          seen.set(e.change.id, newer(e.change, seen.get(e.change.id)));
          if (tracked && e.change.id === tracked.id) {
            tracked = newer(tracked, e.change);
            renderStatus(tracked);
          }
          touched = true;
        } else if (wifi?.router.deviceId && e.deviceId === wifi.router.deviceId) touched = true;
      }
      if (touched) refreshRouter();
    },
    onReconnect: () => load(false),
    destroy() {
      destroyed = true;
      refreshRouter.cancel();
    },
  };
}
