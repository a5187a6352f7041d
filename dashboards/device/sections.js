// Device page blocks contributed by capabilities, shown between the contacts
// and the parameters. Each entry: { id, title, render(device, ctx) → Node | Promise<Node> | null }
// (null: nothing to show for this device). Planned by the NOC dashboard issue:
//   "line"        line and subscriber                      (returns / rentals)
//   "linkrate"    link-rate history against the line's advertised range (link rates)
//   "optical"     optical levels                           (link rates)
// Wi-Fi change and speed test actions join the action bar (pages/device-actions.js).

import { timeChart } from "../components/chart.js";
import { api } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { formatDateTime } from "../lib/format.js";

const TEST_ROLES = new Set(["support", "admin"]);
const mb = (bps) => Math.round(bps / 1e5) / 10;

/**
 * "linkrate": the line's speed tests (Mb/s) against its advertised minimums,
 * the latest optical level, and "Run a speed test" for support.
 */
async function linkrateSection(device, { session }) {
  let history;
  try {
    history = await api(`/linkrate/devices/${encodeURIComponent(device.id)}/history`);
  } catch (err) {
    if (err.status === 404 && err.message.startsWith("no route")) return null; // link rates not installed on this ACS
    return h("p", { class: "message error" }, `Could not load the link-rate history: ${err.message}`);
  }
  if (!history.lineId) return null;
  const adv = history.advertised;
  const chart = timeChart({
    title: `Speed tests of line ${history.lineId} (last 30 days)`,
    yLabel: "Mb/s",
    series: [
      { label: "Download", color: "--chart-1", unit: "Mb/s" },
      { label: "Upload", color: "--chart-2", unit: "Mb/s" },
      { label: "Download minimum", color: "--muted", unit: "Mb/s" },
      { label: "Upload minimum", color: "--border", unit: "Mb/s" },
    ],
  });
  const tests = history.samples.filter((s) => s.method === "speed_test");
  chart.set(tests.map((s) => ({
    t: Date.parse(s.at),
    values: [s.direction === "download" ? mb(s.value) : null, s.direction === "upload" ? mb(s.value) : null, mb(adv.download.minBps), mb(adv.upload.minBps)],
  })), `${tests.length} tests; advertised download ${mb(adv.download.minBps)}–${mb(adv.download.maxBps)} Mb/s, upload ${mb(adv.upload.minBps)}–${mb(adv.upload.maxBps)} Mb/s`);
  const optical = history.samples.filter((s) => s.method === "optical_rx").at(-1);
  const wan = history.samples.filter((s) => s.method === "wan_rate").at(-1);
  const result = h("p", { role: "status" });
  const run = TEST_ROLES.has(session.role)
    ? h("button", { type: "button", onClick: async (e) => {
      const button = e.currentTarget;
      button.disabled = true;
      result.textContent = "Speed test running…";
      try {
        const r = await api(`/linkrate/lines/${encodeURIComponent(history.lineId)}/speed-tests?timeout=120000`, { method: "POST", body: {} });
        result.textContent = r.tests.map((t) => `${t.direction}: ${t.status === "done" ? `${mb(t.bps)} Mb/s` : t.error ?? t.status}`).join(", ");
      } catch (err) {
        result.textContent = `Speed test refused: ${err.message}`;
      } finally {
        button.disabled = false;
      }
    } }, "Run a speed test")
    : null;
  return h("div", {},
    h("p", {}, `Advertised: download ${mb(adv.download.minBps)} / ${mb(adv.download.normalBps)} / ${mb(adv.download.maxBps)} Mb/s, upload ${mb(adv.upload.minBps)} / ${mb(adv.upload.normalBps)} / ${mb(adv.upload.maxBps)} Mb/s (minimum / normally available / maximum).`,
      wan ? ` WAN port ${mb(wan.value)} Mb/s at ${formatDateTime(wan.at)}.` : "",
      optical ? ` Optical receive level ${optical.value / 1000} dBm at ${formatDateTime(optical.at)}.` : ""),
    chart.element,
    h("p", {}, h("a", { href: `/ui/api/linkrate/lines/${encodeURIComponent(history.lineId)}/evidence?format=csv`, download: "" }, "Evidence (CSV)"), " · ",
      h("a", { href: `/ui/api/linkrate/lines/${encodeURIComponent(history.lineId)}/evidence?format=json`, download: "" }, "Evidence (JSON)")),
    run, result);
}

export const DEVICE_SECTIONS = [
  { id: "linkrate", title: "Link rate", render: linkrateSection },
];
