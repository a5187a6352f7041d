// A data table in a horizontally scrollable, keyboard-focusable wrapper (phones).
// columns: [{ label, cell(row) → string|Node, class?, sort?: key }]; sorting
// is the caller's (server-side): header buttons call onSort(key). tall: the
// table scrolls inside a region of at most 70% of the screen height.

import { h } from "../lib/dom.js";

export function dataTable({ caption, columns, rows, empty = "Nothing to show.", sort = null, onSort = null, tall = false }) {
  const header = columns.map((c) => {
    const active = sort && c.sort && sort.key === c.sort;
    const ariaSort = active ? (sort.order === "asc" ? "ascending" : "descending") : c.sort && onSort ? "none" : null;
    const label = c.sort && onSort
      ? h("button", { type: "button", class: "sort", onClick: () => onSort(c.sort) }, c.label, h("span", { class: "visually-hidden" }, active ? `, sorted ${ariaSort}` : ", sortable"))
      : c.label;
    return h("th", { scope: "col", "aria-sort": ariaSort }, label);
  });
  const body = rows.length === 0
    ? h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, empty))
    : rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: c.class }, c.cell(row)))));
  return h("div", { class: tall ? "table-wrap tall" : "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h("table", {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, header)), h("tbody", {}, body)));
}
