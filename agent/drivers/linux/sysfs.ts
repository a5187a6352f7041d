// Network interfaces as Linux shows them in /sys/class/net/<name>/: state,
// link speed, MAC address, MTU and the kernel's 64-bit counters. Reads are
// synchronous and cheap (one small pseudo-file each), so data-model values
// can be read at the moment the ACS asks for them.

import { readFileSync } from "node:fs";
import { join } from "node:path";

export const SYS_CLASS_NET = "/sys/class/net";

/** TR-181 interface Status values. */
export type IfStatus = "Up" | "Down" | "Unknown" | "Dormant" | "NotPresent" | "LowerLayerDown" | "Error";

/** Counter files under statistics/ that the data model uses. */
export const COUNTERS = [
  "rx_bytes", "tx_bytes", "rx_packets", "tx_packets", "rx_errors", "tx_errors", "rx_dropped", "tx_dropped", "multicast",
] as const;
export type Counter = (typeof COUNTERS)[number];

const IFF_UP = 0x1;

export class NetInterfaces {
  constructor(readonly root = SYS_CLASS_NET) {}

  private read(name: string, file: string): string | undefined {
    try {
      return readFileSync(join(this.root, name, file), "utf8").trim();
    } catch {
      // Absent interface, or an attribute the driver cannot give right now (speed of a down link: EINVAL).
      return undefined;
    }
  }

  exists(name: string): boolean {
    return this.read(name, "ifindex") !== undefined;
  }

  /** Administratively up (ip link set … up). */
  enabled(name: string): boolean {
    const flags = this.read(name, "flags");
    return flags !== undefined && (parseInt(flags, 16) & IFF_UP) !== 0;
  }

  /** RFC 2863 operstate mapped onto TR-181 Status. */
  status(name: string): IfStatus {
    const op = this.read(name, "operstate");
    if (op === undefined) return "NotPresent";
    if (!this.enabled(name)) return "Down";
    switch (op) {
      case "up":
        return "Up";
      case "down":
        return "Down";
      case "dormant":
        return "Dormant";
      case "lowerlayerdown":
        return "LowerLayerDown";
      case "notpresent":
        return "NotPresent";
      default:
        // "unknown": loopback, PPP and tun devices never report more; the carrier tells.
        return this.read(name, "carrier") === "1" ? "Up" : "Unknown";
    }
  }

  /** Link speed in Mbit/s; 0 when unknown (down link, virtual device without a speed). */
  speedMbps(name: string): number {
    const n = Number(this.read(name, "speed"));
    return Number.isInteger(n) && n > 0 ? n : 0;
  }

  duplex(name: string): "Full" | "Half" | "Auto" {
    const d = this.read(name, "duplex");
    return d === "full" ? "Full" : d === "half" ? "Half" : "Auto";
  }

  /** Upper-case colon-separated MAC, "" when the interface has none. */
  mac(name: string): string {
    const a = this.read(name, "address") ?? "";
    return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(a) ? a.toUpperCase() : "";
  }

  mtu(name: string): number {
    return Number(this.read(name, "mtu")) || 0;
  }

  /** A kernel counter as a decimal string (exact: 64-bit values stay strings); "0" when unreadable. */
  counter(name: string, c: Counter): string {
    const v = this.read(name, `statistics/${c}`);
    return v !== undefined && /^\d+$/.test(v) ? v : "0";
  }
}
