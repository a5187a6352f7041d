// Simulated line behaviours for link-rate monitoring: what rate a speed test
// gets, what the WAN port negotiated and what the optics receive. Speed tests
// of a device with a behaviour are real HTTP transfers shaped to that rate
// (shaped-transfer.ts), so the ACS measures it from BOM/EOM like on a real CPE.

import type { DeviceModel } from "../../datamodel/device-model.ts";

export const LINE_BEHAVIOURS = ["healthy", "below_minimum", "peak_degrading", "flapping", "wan_port_100", "weak_optical"] as const;
export type LineBehaviourKind = (typeof LINE_BEHAVIOURS)[number];

export interface LineBehaviour {
  kind: LineBehaviourKind;
  /** The rates a healthy test reaches on this line, Mbit/s (default: the model's nominal rates). */
  downloadMbps?: number;
  uploadMbps?: number;
}

/** below_minimum (and the bad half of flapping): the line delivers this share of its healthy rate. */
export const BAD_SHARE = 0.15;
/** peak_degrading: share delivered during the 18:00–23:00 Paris peak (ARCEP's peak hours). */
export const PEAK_SHARE = 0.5;
/** TCP goodput over a 100BASE-TX port (1500-byte frames): what a port stuck at 100 Mb/s delivers. */
export const FAST_ETHERNET_GOODPUT_MBPS = 94;
/** weak_optical: received level, Dbm1000 (−29.5 dBm, under the −27 dBm class B+ sensitivity). */
export const WEAK_OPTICAL_DBM1000 = -29_500;

const parisHour = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", hourCycle: "h23" });

/** 18:00–23:00 Europe/Paris (ARCEP's code of conduct for speed tests: the evening peak). */
export function isPeakHour(epochMs: number): boolean {
  const h = Number(parisHour.format(new Date(epochMs)));
  return h >= 18 && h < 23;
}

/**
 * Rate (Mbit/s) of the `testIndex`-th test (0-based, per direction) at
 * `epochMs`, for a line whose healthy rate is `nominalMbps`.
 */
export function testRateMbps(b: LineBehaviour, nominalMbps: number, epochMs: number, testIndex: number): number {
  switch (b.kind) {
    case "healthy":
    case "weak_optical":
      return nominalMbps;
    case "below_minimum":
      return nominalMbps * BAD_SHARE;
    case "peak_degrading":
      return isPeakHour(epochMs) ? nominalMbps * PEAK_SHARE : nominalMbps;
    case "flapping":
      // Bad, good, bad, good …: the verdict swings, the alert must not.
      return testIndex % 2 === 0 ? nominalMbps * BAD_SHARE : nominalMbps;
    case "wan_port_100":
      return Math.min(nominalMbps, FAST_ETHERNET_GOODPUT_MBPS);
  }
}

// Which behaviour a simulated device has, for the model's dynamic values (the
// template is shared by every device of a model; the behaviour is per device).
const behaviours = new WeakMap<DeviceModel, LineBehaviour>();

export function setLineBehaviour(d: DeviceModel, b: LineBehaviour | undefined): void {
  if (b) behaviours.set(d, b);
  else behaviours.delete(d);
}

export const lineBehaviourOf = (d: DeviceModel): LineBehaviour | undefined => behaviours.get(d);

/** Dynamic CurrentBitRate: 100 on the WAN port (`wanPath`) of a wan_port_100 line, else the factory value. */
export function wanPortBitRate(wanPath: string) {
  return (d: DeviceModel, path: string): string => {
    if (path === wanPath && behaviours.get(d)?.kind === "wan_port_100") return "100";
    const r = d.resolve(path);
    return r?.kind === "param" ? d.factoryValue(r.node, path) : "0";
  };
}

/** Dynamic OpticalSignalLevel: weak on a weak_optical line, else the normal reading. */
export function opticalLevel(normal: (d: DeviceModel, path: string) => string) {
  return (d: DeviceModel, path: string): string => (behaviours.get(d)?.kind === "weak_optical" ? String(WEAK_OPTICAL_DBM1000) : normal(d, path));
}
