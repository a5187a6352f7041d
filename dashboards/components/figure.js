// One overview figure: a big number, its label, and a link to the list it
// counts. Updated in place, so a live refresh never steals keyboard focus.

import { h } from "../lib/dom.js";
import { formatNumber } from "../lib/format.js";

/** tone: "ok" | "bad" | "warn" | ""; value: number or preformatted string. */
export function figure({ id, label, href }) {
  const value = h("span", { class: "value" }, "—");
  const note = h("span", { class: "note" });
  const element = h("a", { class: "figure", href, "data-figure": id }, value, h("span", { class: "label" }, label), note);
  return {
    element,
    set({ value: v, note: n = "", tone = "" }) {
      value.textContent = typeof v === "number" ? formatNumber(v) : v;
      note.textContent = n;
      element.className = `figure ${tone}`;
    },
  };
}
