// Small readings of the running system the data model needs besides sysfs.

import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";

/** Seconds since the system booted (/proc/uptime), not since the agent started. */
export function systemUptime(): number {
  try {
    return Math.floor(Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]));
  } catch {
    return Math.floor(process.uptime());
  }
}

/** First IPv4 address of an interface, or undefined when it has none. */
export function ipv4Of(name: string): { address: string; netmask: string } | undefined {
  const a = networkInterfaces()[name]?.find((x) => x.family === "IPv4");
  return a ? { address: a.address, netmask: a.netmask } : undefined;
}
