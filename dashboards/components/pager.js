// Server-side paging controls: "1–50 of 100,000" and first/previous/next/last.

import { h } from "../lib/dom.js";
import { formatNumber } from "../lib/format.js";

export function pager({ offset, limit, total, onChange, label = "Pages" }) {
  const last = Math.max(0, Math.floor((total - 1) / limit) * limit);
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  const button = (text, target, disabled) =>
    h("button", { type: "button", class: "secondary", disabled, onClick: () => onChange(target) }, text);
  return h("nav", { class: "pager", "aria-label": label },
    h("span", { "data-range": "", "aria-live": "polite" }, `${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(total)}`),
    button("First", 0, offset === 0),
    button("Previous", Math.max(0, offset - limit), offset === 0),
    button("Next", offset + limit, offset + limit >= total),
    button("Last", last, offset >= last));
}
