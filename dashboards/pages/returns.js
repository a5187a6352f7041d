// Returns: rented routers owed back (due back, overdue), charged (flagged)
// and sent to billing (exported): counts, euros (integer cents from the API,
// shown "180,00 €"), a table per state with serial, line, subscriber and due
// date. A flagged charge's evidence (the router's ACS contacts after its due
// date: time and source address) opens in a row under it. "Export to billing"
// is for admins only (the API refuses it to others with 403 anyway).

import { dataTable } from "../components/table.js";
import { api } from "../lib/api.js";
import { fill, h } from "../lib/dom.js";
import { formatDateTime, formatEuros, formatNumber } from "../lib/format.js";

/** One page of the router list per state: more shows as "at least". */
const LIMIT = 1000;
const STATES = [
  { state: "due_back", title: "Due back", note: "not yet past the due date" },
  { state: "overdue", title: "Overdue", note: "past the due date, charge not yet flagged" },
  { state: "charge_flagged", title: "Flagged", note: "non-return charge flagged, not yet sent to billing" },
  { state: "exported", title: "Exported", note: "charge sent to billing" },
];

const count = (items) => `${items.length >= LIMIT ? "at least " : ""}${formatNumber(items.length)}`;
const sumCents = (charges) => charges.reduce((n, c) => n + c.amountCents, 0);

export function mount(main, { session }) {
  let destroyed = false;
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const status = h("p", { class: "message ok", role: "status", hidden: true });
  const figures = h("div", { class: "figures", id: "returns-figures" });
  const tables = Object.fromEntries(STATES.map(({ state }) => [state, h("div", { id: `returns-${state}` })]));
  const exportButton = session.role === "admin" ? h("button", { type: "button", id: "returns-export", onClick: () => exportToBilling() }, "Export flagged charges to billing") : null;

  fill(main, h("h1", {}, "Returns"), error, status, figures,
    exportButton && h("div", { class: "actions panel" }, exportButton,
      h("span", { class: "muted" }, "Sends every flagged charge (and any reversal) to billing, once.")),
    STATES.map(({ state, title, note }) => h("section", { class: "panel", "aria-labelledby": `returns-${state}-title` },
      h("h2", { id: `returns-${state}-title` }, title, " ", h("span", { class: "muted" }, `(${note})`)), tables[state])));

  const routerColumns = [
    { label: "Serial", class: "mono", cell: (r) => r.serial },
    { label: "Line", class: "mono", cell: (r) => r.lineId ?? "—" },
    { label: "Subscriber", class: "mono", cell: (r) => r.subscriberId ?? "—" },
    { label: "Due date", cell: (r) => r.dueDate ?? "—" },
  ];

  function renderFigures(routers, charges) {
    const figure = (id, value, label, note, tone = "") => h("div", { class: `figure ${tone}`, "data-figure": id },
      h("span", { class: "value" }, value), h("span", { class: "label" }, label), note && h("span", { class: "note" }, note));
    fill(figures,
      figure("due-back", count(routers.due_back), "Due back"),
      figure("overdue", count(routers.overdue), "Overdue", null, routers.overdue.length > 0 ? "warn" : ""),
      figure("flagged", count(routers.charge_flagged), "Flagged", `${formatEuros(sumCents(charges.flagged))} excl. VAT`, routers.charge_flagged.length > 0 ? "bad" : ""),
      figure("exported", count(routers.exported), "Exported", `${formatEuros(sumCents(charges.exported))} excl. VAT`),
      figure("at-stake", formatEuros(sumCents(charges.flagged) + sumCents(charges.exported)), "Charged, not paid", "flagged + exported"));
  }

  /** Flagged routers with their charge, and a disclosure row with the charge's evidence. */
  function flaggedTable(routers, chargeById) {
    const caption = `${count(routers)} flagged router(s), ${formatEuros(sumCents(routers.map((r) => chargeById.get(r.chargeId)).filter(Boolean)))}`;
    const head = ["Serial", "Line", "Subscriber", "Due date", "Charge", "Evidence"];
    const rows = routers.flatMap((r) => {
      const charge = chargeById.get(r.chargeId);
      const contacts = charge?.evidence.contactsAfterDue ?? [];
      const detailId = `evidence-${r.serial}`;
      const detail = h("tr", { id: detailId, class: "evidence", hidden: true },
        h("td", { colspan: head.length }, contacts.length === 0
          ? h("p", { class: "muted" }, "No ACS contact after the due date.")
          : dataTable({
            caption: `Contacts of ${r.serial} with the ACS after its due date (${r.dueDate})`,
            columns: [
              { label: "First contact (Paris)", cell: (c) => formatDateTime(c.firstAt) },
              { label: "Last contact (Paris)", cell: (c) => formatDateTime(c.lastAt) },
              { label: "Source address", class: "mono", cell: (c) => c.remoteAddress },
              { label: "Informs", cell: (c) => formatNumber(c.count) },
            ],
            rows: contacts,
          })));
      const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": detailId,
        onClick: () => {
          const open = detail.hidden;
          detail.hidden = !open;
          toggle.setAttribute("aria-expanded", String(open));
        } }, `Evidence (${contacts.length} contact${contacts.length === 1 ? "" : "s"})`);
      return [
        h("tr", {}, h("td", { class: "mono" }, r.serial), h("td", { class: "mono" }, r.lineId ?? "—"), h("td", { class: "mono" }, r.subscriberId ?? "—"),
          h("td", {}, r.dueDate ?? "—"), h("td", {}, charge ? formatEuros(charge.amountCents) : "—"), h("td", {}, toggle)),
        detail,
      ];
    });
    const body = rows.length === 0 ? h("tr", {}, h("td", { colspan: head.length, class: "muted" }, "No flagged router.")) : rows;
    return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
      h("table", {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, head.map((l) => h("th", { scope: "col" }, l)))), h("tbody", {}, body)));
  }

  function render(routers, charges) {
    renderFigures(routers, charges);
    const chargeById = new Map([...charges.flagged, ...charges.exported].map((c) => [c.id, c]));
    for (const { state, title } of STATES) {
      if (state === "charge_flagged") {
        fill(tables[state], flaggedTable(routers[state], chargeById));
        continue;
      }
      const columns = state === "exported"
        ? [...routerColumns, { label: "Charge", cell: (r) => (chargeById.has(r.chargeId) ? formatEuros(chargeById.get(r.chargeId).amountCents) : "—") }]
        : routerColumns;
      fill(tables[state], dataTable({ caption: `${count(routers[state])} router(s) ${title.toLowerCase()}`, columns, rows: routers[state], empty: "None." }));
    }
    if (exportButton) exportButton.disabled = charges.flagged.length === 0;
  }

  async function load() {
    try {
      const [lists, flagged, exported] = await Promise.all([
        Promise.all(STATES.map(({ state }) => api(`/rentals/routers?state=${state}&limit=${LIMIT}`))),
        api(`/rentals/charges?status=flagged&limit=${LIMIT}`),
        api(`/rentals/charges?status=exported&limit=${LIMIT}`),
      ]);
      if (destroyed) return;
      error.hidden = true;
      render(Object.fromEntries(STATES.map(({ state }, i) => [state, lists[i].items])), { flagged: flagged.items, exported: exported.items });
    } catch (err) {
      if (destroyed) return;
      fill(error, `Could not load the rented routers: ${err.message}`);
      error.hidden = false;
    }
  }

  async function exportToBilling() {
    exportButton.disabled = true;
    try {
      const batch = await api("/rentals/billing/export", { method: "POST" });
      fill(status, batch.batchId
        ? `Billing export ${batch.batchId}: ${formatNumber(batch.chargeIds.length)} charge(s), ${formatNumber(batch.reversalIds.length)} reversal(s), ${formatEuros(batch.totalCents)}`
        : batch.message);
      status.hidden = false;
      await load();
    } catch (err) {
      exportButton.disabled = false;
      fill(error, `Could not export to billing: ${err.message}`);
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
