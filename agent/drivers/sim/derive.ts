// Per-device factory values and live readings derived from the device seed,
// the instance path and the clock, so nothing of it is stored per device.

import type { DeviceModel } from "../../datamodel/device-model.ts";
import { fnv1a } from "../../datamodel/fnv1a.ts";
import { isoSeconds } from "../../datamodel/values.ts";

/** Deterministic pseudo-random 32-bit number per device and label. */
export const mix = (d: DeviceModel, label: string): number => fnv1a(label, d.ident.seed);

export const uptimeSeconds = (d: DeviceModel): number => Math.max(0, Math.floor((d.host.now() - d.bootTime) / 1000));

export const upTime = (d: DeviceModel): string => String(uptimeSeconds(d));
export const currentTime = (d: DeviceModel): string => isoSeconds(d.host.now());

/** A MAC address inside the manufacturer's OUI; `port` separates the interfaces of one device. */
export function mac(oui: string, d: DeviceModel, port: number): string {
  const nic = (mix(d, "mac") + port) & 0xffffff;
  const hex = oui + nic.toString(16).padStart(6, "0");
  return hex.toUpperCase().match(/../g)!.join(":");
}

/** Four upper-case hex digits, as found on SSID stickers. */
export const tag4 = (d: DeviceModel): string => (mix(d, "ssid") & 0xffff).toString(16).toUpperCase().padStart(4, "0");

const PASS_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
/** A 12-character sticker passphrase (no look-alike characters). */
export function passphrase(d: DeviceModel, label: string): string {
  let h = mix(d, label);
  let out = "";
  for (let i = 0; i < 12; i++) {
    out += PASS_ALPHABET[h % PASS_ALPHABET.length];
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return out;
}

/** A carrier-grade-NAT WAN address (100.64.0.0/10), stable per device. */
export function wanIp(d: DeviceModel): string {
  const h = mix(d, "wan-ip");
  return `100.${64 + ((h >>> 16) & 63)}.${(h >>> 8) & 255}.${1 + (h % 254)}`;
}

/**
 * A traffic counter: bytes (or packets) since boot at a per-device rate.
 * `bits` 32 wraps like TR-098 counters; 64 like TR-181 StatsCounter64.
 */
export function counter(d: DeviceModel, path: string, perSecond: number, bits: 32 | 64): string {
  const rate = perSecond * (0.5 + (fnv1a(path, d.ident.seed) % 1000) / 1000);
  const v = BigInt(Math.floor(rate * uptimeSeconds(d)));
  return String(bits === 32 ? v % 2n ** 32n : v);
}

/** A slowly drifting integer reading around `center` (e.g. an optical level). */
export function reading(d: DeviceModel, label: string, center: number, spread: number, jitter: number): string {
  const offset = (mix(d, label) % (2 * spread + 1)) - spread;
  const minute = Math.floor(d.host.now() / 60_000);
  const wobble = (fnv1a(`${label}:${minute}`, d.ident.seed) % (2 * jitter + 1)) - jitter;
  return String(center + offset + wobble);
}
