// Link-rate monitoring end to end over real sockets: a real CWMP listener and
// SQLite store, simulated routers and an ONT whose lines behave as told, speed
// tests planned by the scheduler in off-peak and peak windows and run as real
// HTTP transfers (shaped to the line's rate) against the ACS's test endpoints,
// then verdicts, alerts with hysteresis, an on-demand test and the evidence
// report through the API.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LinkrateAlertEvent } from "../../acs/events.ts";
import type { LineBehaviour } from "../../agent/fleet/fleet.ts";
import { LinkrateAcs, testLine } from "./helpers/linkrate-acs.ts";

// Paris is UTC+1 in early March 2026 (no DST change in the test's days).
const at = (day: number, hhmmss: string): number => Date.parse(`2026-03-0${day}T${hhmmss}+01:00`);
const WINDOWS = [{ name: "offpeak", start: "03:00", end: "04:00" }, { name: "peak", start: "19:00", end: "20:00" }];
// A round at the last second of a window: every line's spread start has passed.
const ROUNDS = [at(2, "19:59:59"), at(3, "03:59:59"), at(3, "19:59:59"), at(4, "03:59:59"), at(4, "19:59:59")];
const RECOVERY_ROUNDS = [at(5, "03:59:59"), at(5, "19:59:59"), at(6, "03:59:59")];

// Lines state min and max; the normally available speed is 60 % of the max here (normalShareOfMax).
const NORMAL = { download: { min: 30, max: 100 }, upload: { min: 10, max: 50 } };
const GIGA = { download: { min: 30, max: 1000 }, upload: { min: 10, max: 1000 } };
const RATES = { downloadMbps: 100, uploadMbps: 50 };

const routers: Record<string, { serial: string; behaviour: LineBehaviour; rates: typeof NORMAL }> = {
  "L-HEALTHY": { serial: "HWA000000001", behaviour: { kind: "healthy", ...RATES }, rates: NORMAL },
  "L-BELOW": { serial: "HWA000000002", behaviour: { kind: "below_minimum", ...RATES }, rates: NORMAL },
  "L-PEAK": { serial: "HWA000000003", behaviour: { kind: "peak_degrading", ...RATES }, rates: NORMAL },
  "L-FLAP": { serial: "HWA000000004", behaviour: { kind: "flapping", ...RATES }, rates: NORMAL },
  "L-PORT100": { serial: "HWA000000005", behaviour: { kind: "wan_port_100", downloadMbps: 1000, uploadMbps: 300 }, rates: GIGA },
};
const ONT = { lineId: "L-OPTICAL", serial: "FLOG00000001", behaviour: { kind: "weak_optical", ...RATES } as LineBehaviour };
const LINE_COUNT = Object.keys(routers).length + 1;
/** A speed test's result for a line shaped to `rate`: never above it (5% for counting), at most 30% below it. */
const withinShaping = (bps: number, rate: number): boolean => bps <= rate * 1.05 && bps >= rate * 0.7;

describe("link-rate monitoring against each line's advertised range", () => {
  let acs: LinkrateAcs;
  const alerts: LinkrateAlertEvent[] = [];

  /** One scheduler round at `time`: every line tests download then upload; resolves when all finished. */
  async function round(time: number): Promise<void> {
    acs.setTime(time);
    const finished = acs.collect("linkrate.speedtest", 2 * LINE_COUNT);
    const tick = await acs.scheduler.tick();
    expect(tick).toEqual({ queued: LINE_COUNT, ran: true });
    const tests = (await finished).map((e) => e.test);
    expect(tests.filter((t) => t.status !== "done")).toEqual([]);
  }

  const verdicts = async (direction: "download" | "upload") => {
    const res = await acs.call("GET", `/api/linkrate/lines?direction=${direction}`);
    expect(res.status).toBe(200);
    return Object.fromEntries((res.json.items as { lineId: string; verdict: Record<string, string[]> }[]).map((l) => [l.lineId, l.verdict[direction]]));
  };
  const alertsOf = (lineId: string, transition: LinkrateAlertEvent["transition"]) =>
    alerts.filter((a) => a.alert.lineId === lineId && a.transition === transition).map((a) => `${a.alert.kind}${a.alert.direction ? `:${a.alert.direction}` : ""}`).sort();

  beforeAll(async () => {
    acs = await LinkrateAcs.start({ windows: WINDOWS, normalShareOfMax: 0.6, downloadBytes: 4_000_000, uploadBytes: 2_000_000 });
    acs.bus.on("linkrate.alert", (e) => alerts.push(e));
    await acs.lines.addLines([
      ...Object.entries(routers).map(([id, r]) => testLine(id, r.rates, { router: r.serial })),
      testLine(ONT.lineId, NORMAL, { ont: ONT.serial }),
    ]);
    const bySerial = new Map(Object.values(routers).map((r) => [r.serial, r.behaviour]));
    acs.setTime(at(2, "12:00:00"));
    const fleet = await acs.fleet("router-tr181", Object.keys(routers).length, (serial) => bySerial.get(serial));
    const onts = await acs.fleet("ont-tr181", 1, () => ONT.behaviour);
    await acs.boot(fleet);
    await acs.boot(onts);
    for (const t of ROUNDS) await round(t);
    await acs.evaluator.evaluateAll();
  }, 240_000);

  afterAll(async () => {
    await acs?.close();
  });

  it("measures every scheduled test from BOM/EOM at the rate the line really delivered", async () => {
    const res = await acs.call("GET", "/api/linkrate/lines/L-PEAK/evidence");
    expect(res.status).toBe(200);
    const tests = (res.json.measurements as { method: string; direction: string; value: number; testServer: string; atParis: string }[]).filter((m) => m.method === "speed_test" && m.direction === "download");
    const when = (paris: string): string => `${paris.slice(0, 10)} ${Number(paris.slice(11, 13)) >= 18 ? "peak" : "off-peak"}`;
    expect(tests.map((t) => when(t.atParis))).toEqual(["2026-03-02 peak", "2026-03-03 off-peak", "2026-03-03 peak", "2026-03-04 off-peak", "2026-03-04 peak"]);
    // Shaped to 50 Mb/s in the 18:00–23:00 peak, 100 Mb/s off-peak. Timers of a busy 2-core machine running
    // the ACS and seven devices in one process only ever make a test slower, so the bound below the rate is
    // loose (a peak test still cannot pass for an off-peak one: 0.7 × 100 > 1.05 × 50) and the one above tight.
    expect(tests.map((t, i) => withinShaping(t.value, i % 2 === 0 ? 50e6 : 100e6))).toEqual([true, true, true, true, true]);
    expect(tests[0]!.testServer).toBe(`${new URL(acs.cwmpUrl).origin}/speedtest/download`);
  });

  it("gives each behaviour exactly its expected verdicts", async () => {
    const expected = {
      "L-HEALTHY": ["conforming"],
      "L-BELOW": ["below_minimum", "below_normal"],
      "L-PEAK": ["below_normal"],
      "L-FLAP": ["below_minimum", "below_normal"],
      "L-PORT100": ["below_normal", "capacity_capped"],
      "L-OPTICAL": ["optical_out_of_range"],
    };
    expect(await verdicts("download")).toEqual(expected);
    expect(await verdicts("upload")).toEqual(expected);
  });

  it("raises exactly the expected alerts, and a WAN port at 100 Mb/s raises capacity capped", () => {
    expect(alertsOf("L-HEALTHY", "raised")).toEqual([]);
    expect(alertsOf("L-PEAK", "raised")).toEqual([]);
    expect(alertsOf("L-BELOW", "raised")).toEqual(["below_minimum:download", "below_minimum:upload"]);
    expect(alertsOf("L-FLAP", "raised")).toEqual(["below_minimum:download", "below_minimum:upload"]);
    expect(alertsOf("L-PORT100", "raised")).toEqual(["capacity_capped"]);
    expect(alertsOf("L-OPTICAL", "raised")).toEqual(["optical_out_of_range"]);
    expect(alerts.filter((a) => a.transition === "cleared")).toEqual([]);
  });

  it("keeps the alert through one good test, clears it once the line has recovered, and never flaps", async () => {
    routers["L-BELOW"]!.behaviour.kind = "healthy"; // the line is repaired
    await round(RECOVERY_ROUNDS[0]!);
    expect(alertsOf("L-BELOW", "cleared")).toEqual([]); // one good test is not recovery
    await round(RECOVERY_ROUNDS[1]!);
    expect(alertsOf("L-BELOW", "cleared")).toEqual([]);
    await round(RECOVERY_ROUNDS[2]!);
    expect(alertsOf("L-BELOW", "cleared")).toEqual(["below_minimum:download", "below_minimum:upload"]);
    expect(alertsOf("L-BELOW", "raised")).toEqual(["below_minimum:download", "below_minimum:upload"]);
    // The flapping line's verdict swung with every test; its alerts stayed raised, raised once.
    expect(alertsOf("L-FLAP", "raised")).toEqual(["below_minimum:download", "below_minimum:upload"]);
    expect(alertsOf("L-FLAP", "cleared")).toEqual([]);
    const open = await acs.call("GET", "/api/linkrate/alerts?open=true&lineId=L-BELOW");
    expect(open.json.total).toBe(0);
    expect((await verdicts("download"))["L-BELOW"]).toEqual(["conforming"]);
  }, 120_000);

  it("runs a test requested by support on demand and returns its result through the API", async () => {
    const noc = await acs.call("POST", "/api/linkrate/lines/L-HEALTHY/speed-tests", { token: acs.tokens.noc, body: {} });
    expect(noc.status).toBe(403);
    const res = await acs.call("POST", "/api/linkrate/lines/L-HEALTHY/speed-tests?timeout=60000", { token: acs.tokens.support, body: { directions: ["download"] } });
    expect(res.status).toBe(200);
    expect(res.json.tests).toHaveLength(1);
    const test = res.json.tests[0];
    expect(test).toMatchObject({ lineId: "L-HEALTHY", direction: "download", origin: "support", requestedBy: "support-it", status: "done", error: null });
    expect(withinShaping(test.bps, 100e6)).toBe(true);
    const again = await acs.call("GET", `/api/linkrate/speed-tests/${test.id}`);
    expect(again.json).toMatchObject({ id: test.id, status: "done", bps: test.bps });
  });

  it("lets the NOC acknowledge an alert, not support, and pushes it live to the dashboards", async () => {
    const open = await acs.call("GET", "/api/linkrate/alerts?open=true&lineId=L-PORT100");
    const id = open.json.items[0].id;
    // A NOC browser on the Link rates page: logged in, live socket watching the link-rate alerts.
    const login = await fetch(`${acs.apiUrl}/ui/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: acs.tokens.noc }) });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const ws = new WebSocket(`${acs.apiUrl.replace("http", "ws")}/ui/live`, { headers: { cookie, origin: acs.apiUrl } });
    const pushed = new Promise<{ transition: string; alert: { id: string; acknowledgedBy: string } }>((resolve) => ws.on("message", (data) => {
      const m = JSON.parse(data.toString()) as { type: string; events?: { name: string; transition: string; alert: { id: string; acknowledgedBy: string } }[] };
      const e = m.type === "batch" ? m.events?.find((x) => x.name === "linkrate.alert") : undefined;
      if (e) resolve(e);
    }));
    await new Promise<void>((resolve) => ws.on("open", () => resolve()));
    const watching = new Promise<void>((resolve) => ws.on("message", (data) => JSON.parse(data.toString()).type === "watching" && resolve()));
    ws.send(JSON.stringify({ type: "watch", overview: false, devices: ["linkrate:alerts"] }));
    await watching;
    expect((await acs.call("POST", `/api/linkrate/alerts/${id}/acknowledge`, { token: acs.tokens.support })).status).toBe(403);
    const acked = await acs.call("POST", `/api/linkrate/alerts/${id}/acknowledge`, { token: acs.tokens.noc });
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ id, kind: "capacity_capped", acknowledgedBy: "noc-it", clearedAt: null });
    expect(alerts.filter((a) => a.transition === "acknowledged").map((a) => a.alert.id)).toEqual([id]);
    expect(await pushed).toMatchObject({ transition: "acknowledged", alert: { id, acknowledgedBy: "noc-it" } });
    ws.close();
  });

  it("adds alert figures to the overview and alert metrics to /metrics", async () => {
    const overview = await acs.call("GET", "/api/overview");
    const section = overview.json.sections.find((x: { id: string }) => x.id === "linkrate.alerts");
    // Open: the two flapping-line alerts, capacity capped, optical; the repaired line's were cleared.
    expect(section.data).toMatchObject({ open: 4, unacknowledged: 3 });
    expect(section.data.byKind).toEqual([
      { kind: "below_minimum", open: 2, unacknowledged: 2 },
      { kind: "capacity_capped", open: 1, unacknowledged: 0 },
      { kind: "optical_out_of_range", open: 1, unacknowledged: 1 },
    ]);
    const metrics = await acs.call("GET", "/metrics", { headers: { accept: "text/plain" } });
    expect(metrics.text).toContain('flexacs_linkrate_alerts_open{kind="below_minimum",acknowledged="false"} 2');
    expect(metrics.text).toContain('flexacs_linkrate_alerts_open{kind="capacity_capped",acknowledged="true"} 1');
    expect(metrics.text).toContain('flexacs_linkrate_lines{direction="download",verdict="optical_out_of_range"} 1');
    expect(metrics.text).toMatch(/flexacs_linkrate_alert_transitions_total\{kind="below_minimum",transition="cleared"\} 2/);
  });

  it("reports the evidence of a line as JSON and CSV: measurements, range, verdict and why", async () => {
    const json = await acs.call("GET", "/api/linkrate/lines/L-FLAP/evidence");
    expect(json.json.advertised.download).toEqual({ minBps: 30e6, normalBps: 60e6, maxBps: 100e6 });
    // Eight tests alternating bad and good: the verdict is back to conforming, the alerts stay open (hysteresis).
    expect(json.json.verdict.download.codes).toEqual(["conforming"]);
    expect(json.json.alerts.every((a: { clearedAt: string | null }) => a.clearedAt === null)).toBe(true);
    const port = await acs.call("GET", "/api/linkrate/lines/L-PORT100/evidence");
    expect(port.json.verdict.upload.why).toEqual([
      "the normally available 600.0 Mb/s reached in 0 % of the last 5 tests (rule: at least 50 %)",
      "the WAN port negotiated 100.0 Mb/s, under the advertised maximum 1000.0 Mb/s",
    ]);
    expect(json.json.alerts.map((a: { kind: string }) => a.kind)).toEqual(["below_minimum", "below_minimum"]);
    const speedTests = json.json.measurements.filter((m: { method: string }) => m.method === "speed_test");
    expect(speedTests).toHaveLength(16);
    expect(json.json.measurements.some((m: { method: string }) => m.method === "wan_rate")).toBe(true);

    const csv = await acs.call("GET", "/api/linkrate/lines/L-FLAP/evidence?format=csv");
    expect(csv.type).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split("\n");
    expect(rows[0]).toBe("time_utc,time_paris,line_id,device_id,direction,method,value,unit,test_server,test_id,origin,requested_by,bytes,duration_us,advertised_min_bps,advertised_normal_bps,advertised_max_bps,verdict,verdict_reason");
    expect(rows.filter((r) => r.includes(",speed_test,"))).toHaveLength(16);
    expect(rows.find((r) => r.includes(",speed_test,"))).toMatch(/\/speedtest\/(download|upload),[0-9a-f-]{36},schedule,scheduler,/);
  });

  it("shows the ONT's weak optical level in the evidence", async () => {
    const json = await acs.call("GET", `/api/linkrate/lines/${ONT.lineId}/evidence`);
    const optical = json.json.measurements.filter((m: { method: string }) => m.method === "optical_rx");
    expect(optical.length).toBeGreaterThan(0);
    expect(optical.every((m: { value: number; unit: string }) => m.value === -29.5 && m.unit === "dBm")).toBe(true);
  });
});
