// Time-series charts with uPlot (installed from npm, served from
// node_modules at /ui/vendor/uplot/). Each chart is a <figure> with a caption,
// a text summary for screen readers and a "show the data as a table"
// disclosure, so its content is reachable without seeing the canvas. Axis
// times are Europe/Paris. The chart follows its container's width.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { h, fill } from "../lib/dom.js";
import { formatDateTime } from "../lib/format.js";

const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const paris = (options) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", ...options });
const HMS = paris({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
const HM = paris({ hour: "2-digit", minute: "2-digit" });
const DHM = paris({ day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });

/** 24-hour Paris tick labels, as precise as the visible span needs. */
function timeTicks(u, splits) {
  const span = u.scales.x.max - u.scales.x.min;
  const format = span > 86_400 ? DHM : span < 600 ? HMS : HM;
  return splits.map((s) => format.format(s * 1000));
}

/** Half a step of margin each side, so the first and last bars are whole. */
function paddedRange(u, min, max) {
  if (min === null || max === null) return [min, max];
  const n = u.data[0].length;
  const pad = n > 1 ? (max - min) / (n - 1) / 2 : 60;
  return [min - pad, max + pad];
}

/**
 * timeChart({ title, yLabel, series: [{ label, color: "--chart-1", unit, bars, scale, axisLabel }], height })
 * A series with its own `scale` gets its own axis, on the right, labelled `axisLabel`.
 * → { element, set(points, summary), destroy() }
 * points: [{ t: epoch ms, values: [number|null per series] }]
 */
export function timeChart({ title, yLabel, series, height = 220 }) {
  const canvas = h("div", { class: "chart-canvas", role: "img", "aria-label": title });
  const table = h("div", { class: "table-wrap" });
  const element = h("figure", { class: "chart" },
    h("figcaption", {}, title),
    canvas,
    h("details", { class: "chart-data" }, h("summary", {}, `Show the data of “${title}” as a table`), table));
  let plot = null;
  let data = [[], ...series.map(() => [])];

  const options = (width) => ({
    width,
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Europe/Paris"),
    scales: { x: { time: true, range: paddedRange } },
    legend: { live: true },
    cursor: { focus: { prox: 16 } },
    series: [
      { label: "Time (Paris)", value: (_u, ts) => (ts === null ? "—" : formatDateTime(ts * 1000)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: cssVar(s.color),
        width: 2,
        // uPlot copies undefined over its defaults: optional keys only when set.
        ...(s.scale && { scale: s.scale }),
        ...(s.bars && { fill: `${cssVar(s.color)}55`, paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }),
        value: (_u, v) => (v === null || v === undefined ? "—" : `${v}${s.unit ? ` ${s.unit}` : ""}`),
      })),
    ],
    axes: [
      { stroke: cssVar("--muted"), grid: { stroke: cssVar("--border"), width: 1 }, ticks: { stroke: cssVar("--border") }, values: timeTicks },
      { label: yLabel, stroke: cssVar("--muted"), grid: { stroke: cssVar("--border"), width: 1 }, ticks: { stroke: cssVar("--border") } },
      ...series.filter((s) => s.scale).map((s) => ({ scale: s.scale, side: 1, label: s.axisLabel, stroke: cssVar("--muted"), grid: { show: false } })),
    ],
  });

  // uPlot needs a width: the chart is drawn once the figure is laid out, then follows resizes.
  const resize = new ResizeObserver(() => {
    const width = Math.floor(canvas.clientWidth);
    if (width <= 0) return;
    if (!plot) plot = new uPlot(options(width), data, canvas);
    else if (width !== plot.width) plot.setSize({ width, height });
  });
  resize.observe(canvas);

  return {
    element,
    set(points, summary) {
      data = [points.map((p) => p.t / 1000), ...series.map((_s, i) => points.map((p) => p.values[i] ?? null))];
      plot?.setData(data);
      canvas.setAttribute("aria-label", `${title}: ${summary}`);
      canvas.dataset.points = String(points.length);
      fill(table, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Time (Paris)"), series.map((s) => h("th", { scope: "col" }, s.unit ? `${s.label} (${s.unit})` : s.label)))),
        h("tbody", {}, points.map((p) => h("tr", {}, h("td", {}, formatDateTime(p.t)), p.values.map((v) => h("td", {}, v ?? "—")))))));
    },
    destroy() {
      resize.disconnect();
      plot?.destroy();
    },
  };
}
