// A histogram (uPlot bars over speed bins) with the offer's bounds drawn as
// vertical lines, e.g. 30 Mb/s and 1 Gb/s for download. Like every chart it
// has a caption, a text summary and a "show the data as a table" disclosure.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { fill, h } from "../lib/dom.js";
import { formatNumber } from "../lib/format.js";

const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const binLabel = (b) => (b.toMbps === null ? `≥ ${b.fromMbps} Mb/s` : `${b.fromMbps}–${b.toMbps} Mb/s`);

/** distributionChart({ title, color }) → { element, set({ bins, boundsMbps }), destroy() } */
export function distributionChart({ title, color = "--chart-1", height = 200 }) {
  const canvas = h("div", { class: "chart-canvas", role: "img", "aria-label": title });
  const table = h("div", { class: "table-wrap" });
  const element = h("figure", { class: "chart" }, h("figcaption", {}, title), canvas,
    h("details", { class: "chart-data" }, h("summary", {}, `Show the data of “${title}” as a table`), table));
  let plot = null;
  let bins = [];
  let bounds = null;

  /** x position of a bound: the left edge of the bin that starts at it. */
  const boundX = (mbps) => {
    const i = bins.findIndex((b) => b.fromMbps >= mbps);
    return i < 0 ? bins.length - 0.5 : i - 0.5;
  };

  const options = (width) => ({
    width, height,
    scales: { x: { time: false, range: () => [-0.5, Math.max(0.5, bins.length - 0.5)] } },
    legend: { show: false },
    series: [{}, { label: "Lines", stroke: cssVar(color), fill: `${cssVar(color)}88`, paths: uPlot.paths.bars({ size: [0.8, 60] }), points: { show: false } }],
    axes: [
      { stroke: cssVar("--muted"), grid: { show: false }, splits: () => bins.map((_b, i) => i), values: (_u, splits) => splits.map((i) => (bins[i] ? String(bins[i].fromMbps) : "")), label: "Mb/s (bin start)" },
      { stroke: cssVar("--muted"), grid: { stroke: cssVar("--border"), width: 1 }, label: "Lines" },
    ],
    hooks: {
      draw: [(u) => {
        if (!bounds) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = cssVar("--bad");
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 2;
        for (const mbps of [bounds.floor, bounds.ceiling]) {
          const x = u.valToPos(boundX(mbps), "x", true);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  });

  const resize = new ResizeObserver(() => {
    const width = Math.floor(canvas.clientWidth);
    if (width <= 0) return;
    if (!plot) plot = new uPlot(options(width), [bins.map((_b, i) => i), bins.map((b) => b.count)], canvas);
    else if (width !== plot.width) plot.setSize({ width, height });
  });
  resize.observe(canvas);

  return {
    element,
    set({ bins: next, boundsMbps }) {
      bins = next;
      bounds = boundsMbps;
      plot?.setData([bins.map((_b, i) => i), bins.map((b) => b.count)]);
      const total = bins.reduce((n, b) => n + b.count, 0);
      const under = bins.filter((b) => b.toMbps !== null && b.toMbps <= boundsMbps.floor).reduce((n, b) => n + b.count, 0);
      canvas.setAttribute("aria-label", `${title}: ${formatNumber(total)} lines, ${formatNumber(under)} under ${boundsMbps.floor} Mb/s; bounds ${boundsMbps.floor} Mb/s and ${boundsMbps.ceiling} Mb/s`);
      canvas.dataset.lines = String(total);
      fill(table, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Latest test"), h("th", { scope: "col" }, "Lines"))),
        h("tbody", {}, bins.map((b) => h("tr", {}, h("td", {}, binLabel(b)), h("td", {}, formatNumber(b.count)))))));
    },
    destroy() {
      resize.disconnect();
      plot?.destroy();
    },
  };
}
