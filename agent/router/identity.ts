// Who the router says it is: MAC, serial number, OUI, versions, read once
// at start-up from the configured sources (agent/drivers/linux/sources.ts).

import type { LinuxIdentity } from "../drivers/linux/linux-model.ts";
import { readSource } from "../drivers/linux/sources.ts";
import type { NetInterfaces } from "../drivers/linux/sysfs.ts";
import type { AgentConfig } from "./config.ts";

export async function resolveIdentity(cfg: AgentConfig, nets: NetInterfaces): Promise<LinuxIdentity> {
  const d = cfg.device;
  const wan = cfg.interfaces.wan;
  const mac = await readSource(d.macAddress ?? { interface: wan.ports[0] ?? wan.ip }, nets, "device.macAddress");
  const hex = mac.replace(/[^0-9A-Fa-f]/g, "").toUpperCase();
  if (!d.oui && hex.length !== 12) throw new Error(`device.macAddress: "${mac}" is not a MAC address; set device.oui`);
  const serial = d.serialNumber ? await readSource(d.serialNumber, nets, "device.serialNumber") : hex;
  return {
    manufacturer: d.manufacturer,
    oui: (d.oui ?? hex.slice(0, 6)).toUpperCase(),
    productClass: d.productClass,
    modelName: d.modelName ?? d.productClass,
    hardwareVersion: await readSource(d.hardwareVersion, nets, "device.hardwareVersion"),
    softwareVersion: await readSource(d.softwareVersion, nets, "device.softwareVersion"),
    serial,
    mac: /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/i.test(mac) ? mac.toUpperCase() : "",
  };
}
