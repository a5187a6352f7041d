// The link-rate RPC source. In the sessions of a device that is on a line:
// 1. after "8 DIAGNOSTICS COMPLETE" (or once a requested test is overdue),
//    GetParameterValues of the diagnostics object, and the result ingested;
// 2. when due, GetParameterValues of the profile's link readings (WAN port
//    rate, optical levels, WAN byte counters → traffic rates), and of the
//    FlexACS router agent's SNMP view of its ONT (Device.X_FLEXACS_ONT.);
// 3. the next queued test: one SetParameterValues with the test URL (and
//    TestFileLength for an upload) and DiagnosticsState=Requested (tr069.md §5.2).
// One test at a time per device, download before upload, so they never share
// the line. A verdict-feeding sample re-evaluates the line at once.

import type { CpeResponse, ParameterValue } from "../cwmp/messages.ts";
import { counterRate, type CounterSample } from "../../agent/measurements/counter-rate.ts";
import { parseDateTimeMicros, throughputFromDiagnostics, UNKNOWN_TIME_MICROS } from "../../agent/measurements/tr143.ts";
import type { EventBus } from "../events.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { Profile } from "../provisioning/profile.ts";
import { objectPath, parameterValuesToSettings } from "../provisioning/settings-mapping.ts";
import type { PlannedRpc, RpcSource, SessionContext } from "../sessions/rpc-source.ts";
import type { Device } from "../store/store.ts";
import type { LinkrateEvaluator } from "./evaluator.ts";
import type { LinkrateLine, LinkrateLines } from "./linkrate-lines.ts";
import type { Measurement, SpeedTestRecord } from "./measurement.ts";
import type { LinkrateRepository } from "./measurement-repository.ts";
import { testServerOf } from "./speedtest-endpoints.ts";

export interface SpeedTestSourceOptions {
  /** Bytes of a download test (default 25 MB: 0.2 s at 1 Gb/s, 7 s at 30 Mb/s). */
  downloadBytes?: number;
  /** Bytes of an upload test (default 10 MB: 8 s at 10 Mb/s). */
  uploadBytes?: number;
  /** A requested test without a result after this long is read anyway, then failed (default 10 min). */
  resultTimeoutMs?: number;
  /** Link readings are read at most this often per device (default 1 h; 0: every session). */
  readingIntervalMs?: number;
}

export interface SpeedTestSourceDeps {
  repo: LinkrateRepository;
  lines: LinkrateLines;
  profiles: ProfileRegistry;
  evaluator: LinkrateEvaluator;
  bus: EventBus;
  /** The signed test URL (speedTestUrl bound to the URL the device reaches the CWMP listener at, and the secret). */
  testUrl(kind: "download" | "upload", bytes: number, ctx: SessionContext): string;
  options?: SpeedTestSourceOptions;
  now?: () => number;
}

type Meta =
  | { kind: "result"; test: SpeedTestRecord; obj: string }
  | { kind: "request"; test: SpeedTestRecord; obj: string; url: string }
  | { kind: "readings"; profile: Profile; line: LinkrateLine }
  | { kind: "ont"; line: LinkrateLine };

interface SessionState {
  line: LinkrateLine | null;
  profile: Profile | undefined;
  /** Whether this session takes the device's readings (undefined until decided). */
  readingsDue?: boolean;
  readingsDone: boolean;
  ontDone: boolean;
  /** Tests whose result was read (or refused) in this session. */
  handled: Set<string>;
}

const DAY = 86_400_000;
const TR143_KEYS = { download: "linkRate.downloadDiagnostics", upload: "linkRate.uploadDiagnostics" } as const;
const READING_KEYS = ["linkRate.wanEthernetBitRate", "linkRate.opticalRxLevel", "linkRate.wanBytesReceived", "linkRate.wanBytesSent"] as const;
const MAX_BASELINES = 200_000;
/**
 * The FlexACS router agent's view of the ONT in front of it, polled over SNMP
 * (IF-MIB, agent/drivers/linux/ont.ts; agent/README.md): rates between its
 * last two polls, in bit/s, -1 when none. Devices without it answer 9005 once.
 */
const ONT_OBJECT = "Device.X_FLEXACS_ONT.";

function diagnosticsObject(profile: Profile | undefined, device: Device, direction: "download" | "upload"): string {
  const fromProfile = profile && objectPath(profile, TR143_KEYS[direction]);
  if (fromProfile) return fromProfile;
  const name = direction === "download" ? "DownloadDiagnostics." : "UploadDiagnostics.";
  return device.dataModel === "tr181" ? `Device.IP.Diagnostics.${name}` : `InternetGatewayDevice.${name}`;
}

const readingPaths = (profile: Profile): string[] =>
  profile.mapping.filter((r) => (READING_KEYS as readonly string[]).includes(r[0]) && r[2].kind === "value").map((r) => r[1]);

const faultText = (r: CpeResponse): string | null => (r.kind === "Fault" ? `cwmp.${r.code} ${r.message}`.trim() : null);

export function createSpeedTestSource(deps: SpeedTestSourceDeps): RpcSource {
  const { repo, bus, evaluator } = deps;
  const now = deps.now ?? Date.now;
  const o = deps.options ?? {};
  const resultTimeoutMs = o.resultTimeoutMs ?? 600_000;
  const readingIntervalMs = o.readingIntervalMs ?? 3_600_000;
  const sessions = new WeakMap<SessionContext, SessionState>();
  /** When each device's readings were last taken (this instance). */
  const lastReading = new Map<string, number>();
  /** Devices that answered a fault to the vendor ONT object (this instance). */
  const noOntObject = new Set<string>();
  /** Byte-counter baselines per device and direction, for traffic rates. */
  const baselines = new Map<string, CounterSample>();

  const readingsDueFor = (deviceId: string): boolean => now() - (lastReading.get(deviceId) ?? -Infinity) >= readingIntervalMs;

  async function sessionState(ctx: SessionContext): Promise<SessionState> {
    let st = sessions.get(ctx);
    if (!st) {
      const line = await deps.lines.lineOfSerial(ctx.device.serialNumber);
      const d = ctx.device;
      const profile = deps.profiles.find({ oui: d.oui, productClass: d.productClass, hardwareVersion: d.hardwareVersion, softwareVersion: d.softwareVersion });
      st = { line, profile, readingsDone: false, ontDone: false, handled: new Set() };
      sessions.set(ctx, st);
    }
    return st;
  }

  async function finish(test: SpeedTestRecord, patch: Partial<SpeedTestRecord>): Promise<void> {
    const done = { ...test, ...patch, doneAtMs: now() };
    await repo.updateSpeedTest(test.id, { status: done.status, doneAtMs: done.doneAtMs, bps: done.bps, error: done.error });
    bus.emit("linkrate.speedtest", { test: done });
  }

  async function onResult(ctx: SessionContext, test: SpeedTestRecord, obj: string, response: CpeResponse): Promise<void> {
    const fault = faultText(response);
    if (fault || response.kind !== "GetParameterValuesResponse") return finish(test, { status: "failed", error: fault ?? `unexpected ${response.kind}` });
    const params: Record<string, string> = {};
    for (const p of response.parameterList) if (p.name.startsWith(obj)) params[p.name.slice(obj.length)] = p.value;
    const r = throughputFromDiagnostics(test.direction, ctx.device.dataModel, params);
    if (r.status === "not_complete" && r.diagnosticsState === "Requested" && now() - (test.requestedAtMs ?? 0) < resultTimeoutMs) return; // still running
    if (r.status !== "ok") {
      const error = r.status === "invalid" ? `invalid result: ${r.reason}` : r.status === "error" ? r.diagnosticsState : `no result (DiagnosticsState ${r.diagnosticsState})`;
      return finish(test, { status: "failed", error });
    }
    // The CPE's EOMTime dates the test, unless its clock is unknown or far off.
    const eom = params.EOMTime === undefined ? null : parseDateTimeMicros(params.EOMTime);
    const eomMs = eom === null || eom === UNKNOWN_TIME_MICROS ? null : Number(eom / 1000n);
    const atMs = eomMs !== null && Math.abs(eomMs - now()) < DAY ? eomMs : now();
    const measurement: Measurement = {
      atMs, lineId: test.lineId, deviceId: ctx.deviceId, direction: test.direction, method: "speed_test", value: r.bps,
      context: {
        testId: test.id, server: testServerOf(params[test.direction === "download" ? "DownloadURL" : "UploadURL"] ?? ""),
        origin: test.origin, requestedBy: test.requestedBy, bytes: Number(r.bytes), durationUs: Number(r.durationMicros),
        computation: r.method, ...(r.tcpConnectMicros !== undefined && { tcpConnectUs: Number(r.tcpConnectMicros) }),
      },
    };
    await repo.appendSamples([measurement]);
    await finish(test, { status: "done", bps: r.bps, error: null });
    await evaluator.evaluateLine(test.lineId);
  }

  function trafficRate(deviceId: string, direction: "download" | "upload", raw: string | undefined, bits: 32 | 64, atMs: number): number | null {
    if (raw === undefined || !/^\d+$/.test(raw)) return null;
    const key = `${deviceId}\u0000${direction}`;
    const step = counterRate(baselines.get(key), { atMs, value: BigInt(raw) }, { bits });
    baselines.delete(key); // re-inserted last: the map's order is least recently sampled first
    if (step.baseline) baselines.set(key, step.baseline);
    if (baselines.size > MAX_BASELINES) baselines.delete(baselines.keys().next().value!);
    return step.outcome.kind === "rate" ? step.outcome.bps : null;
  }

  async function onReadings(ctx: SessionContext, profile: Profile, line: LinkrateLine, response: CpeResponse): Promise<void> {
    if (response.kind !== "GetParameterValuesResponse") return;
    const atMs = now();
    const values = new Map(response.parameterList.map((p) => [p.name, p.value]));
    const lr = parameterValuesToSettings(profile, values).linkRate ?? {};
    const base = { atMs, lineId: line.lineId, deviceId: ctx.deviceId, context: {} };
    const samples: Measurement[] = [];
    if (lr.wanEthernetBitRate !== undefined && lr.wanEthernetBitRate > 0) samples.push({ ...base, direction: null, method: "wan_rate", value: lr.wanEthernetBitRate * 1e6 });
    if (lr.opticalRxLevel !== undefined) samples.push({ ...base, direction: null, method: "optical_rx", value: Math.round(lr.opticalRxLevel * 1000) });
    for (const [direction, key] of [["download", "linkRate.wanBytesReceived"], ["upload", "linkRate.wanBytesSent"]] as const) {
      const path = profile.mapping.find((r) => r[0] === key)?.[1];
      if (!path) continue;
      const bits = profile.parameters.get(path)?.def.t === "unsignedInt" ? 32 : 64;
      const bps = trafficRate(ctx.deviceId, direction, values.get(path), bits, atMs);
      if (bps !== null) samples.push({ ...base, direction, method: "traffic", value: bps, context: { counter: path } });
    }
    if (samples.length === 0) return;
    await repo.appendSamples(samples);
    if (samples.some((s) => s.method !== "traffic")) await evaluator.evaluateLine(line.lineId);
  }

  async function onOnt(ctx: SessionContext, line: LinkrateLine, response: CpeResponse): Promise<void> {
    if (response.kind !== "GetParameterValuesResponse") {
      noOntObject.add(ctx.deviceId);
      if (noOntObject.size > MAX_BASELINES) noOntObject.delete(noOntObject.values().next().value!);
      return;
    }
    const v = new Map(response.parameterList.map((p) => [p.name.slice(ONT_OBJECT.length), p.value]));
    if (v.get("Status") !== "Up") return;
    const context = { ifIndex: Number(v.get("IfIndex") ?? 0), windowMs: Number(v.get("RateWindow") ?? 0), linkMbps: Number(v.get("CurrentBitRate") ?? 0) };
    // The polled interface's inbound traffic is what the ONT receives: the line's download.
    const samples: Measurement[] = [["download", v.get("ReceiveRate")], ["upload", v.get("SendRate")]]
      .filter((e): e is ["download" | "upload", string] => e[1] !== undefined && /^\d+$/.test(e[1]))
      .map(([direction, raw]) => ({ atMs: now(), lineId: line.lineId, deviceId: ctx.deviceId, direction, method: "snmp", value: Number(raw), context }));
    if (samples.length > 0) await repo.appendSamples(samples);
  }

  return {
    name: "linkrate",

    async next(ctx): Promise<PlannedRpc | null> {
      let active: SpeedTestRecord[] | undefined;
      if (!sessions.has(ctx) && !readingsDueFor(ctx.deviceId)) {
        // Most sessions: a device between two readings, no test. Nothing to ask whatever its line: neither its line
        // nor its profile is looked up (measured in-process, 10,000 devices on SQLite: 15 → 8 µs per such session).
        active = await repo.activeSpeedTests(ctx.deviceId);
        if (active.length === 0) return null;
      }
      const st = await sessionState(ctx);
      if (!st.line) return null;
      active ??= await repo.activeSpeedTests(ctx.deviceId);
      const requested = active.find((t) => t.status === "requested");
      const diagnosticsComplete = ctx.inform.events.some((e) => e.eventCode === "8 DIAGNOSTICS COMPLETE");
      if (requested && !st.handled.has(requested.id) && (diagnosticsComplete || now() - (requested.requestedAtMs ?? 0) >= resultTimeoutMs)) {
        st.handled.add(requested.id);
        const obj = diagnosticsObject(st.profile, ctx.device, requested.direction);
        return { rpc: { kind: "GetParameterValues", parameterNames: [obj] }, meta: { kind: "result", test: requested, obj } satisfies Meta };
      }
      if (st.readingsDue === undefined) {
        // Readings at most once per readingIntervalMs per device: decided once per session.
        st.readingsDue = readingsDueFor(ctx.deviceId);
        if (st.readingsDue) {
          lastReading.delete(ctx.deviceId);
          lastReading.set(ctx.deviceId, now());
          if (lastReading.size > MAX_BASELINES) lastReading.delete(lastReading.keys().next().value!);
        }
      }
      if (st.readingsDue && !st.readingsDone) {
        st.readingsDone = true;
        const paths = st.profile ? readingPaths(st.profile) : [];
        if (st.profile && paths.length > 0) {
          return { rpc: { kind: "GetParameterValues", parameterNames: paths }, meta: { kind: "readings", profile: st.profile, line: st.line } satisfies Meta };
        }
      }
      if (st.readingsDue && !st.ontDone && ctx.device.dataModel === "tr181" && !noOntObject.has(ctx.deviceId)) {
        st.ontDone = true;
        return { rpc: { kind: "GetParameterValues", parameterNames: [ONT_OBJECT] }, meta: { kind: "ont", line: st.line } satisfies Meta };
      }
      // A test still running (read above and found Requested) keeps the line to itself.
      const running = active.some((t) => t.status === "requested");
      const queued = active.find((t) => t.status === "queued" && !st.handled.has(t.id));
      if (running || !queued) return null;
      st.handled.add(queued.id);
      const obj = diagnosticsObject(st.profile, ctx.device, queued.direction);
      const upload = queued.direction === "upload";
      const bytes = upload ? (o.uploadBytes ?? 10_000_000) : (o.downloadBytes ?? 25_000_000);
      const url = deps.testUrl(queued.direction, bytes, ctx);
      const list: ParameterValue[] = [
        { name: `${obj}${upload ? "UploadURL" : "DownloadURL"}`, value: url, type: "xsd:string" },
        ...(upload ? [{ name: `${obj}TestFileLength`, value: String(bytes), type: ctx.device.dataModel === "tr181" ? "xsd:unsignedLong" as const : "xsd:unsignedInt" as const }] : []),
        { name: `${obj}DiagnosticsState`, value: "Requested", type: "xsd:string" },
      ];
      return { rpc: { kind: "SetParameterValues", parameterList: list, parameterKey: queued.id.slice(0, 32) }, meta: { kind: "request", test: queued, obj, url } satisfies Meta };
    },

    async onResponse(ctx, planned, response) {
      const meta = planned.meta as Meta;
      if (meta.kind === "result") return onResult(ctx, meta.test, meta.obj, response);
      if (meta.kind === "readings") return onReadings(ctx, meta.profile, meta.line, response);
      if (meta.kind === "ont") return onOnt(ctx, meta.line, response);
      const fault = faultText(response);
      if (fault || response.kind !== "SetParameterValuesResponse") return finish(meta.test, { status: "failed", error: fault ?? `unexpected ${response.kind}` });
      await repo.updateSpeedTest(meta.test.id, { status: "requested", requestedAtMs: now() });
    },
  };
}

