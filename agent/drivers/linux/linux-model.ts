// The TR-181 data model of a Linux router: which BBF objects and parameters
// the linux driver implements, and where each value comes from (sysfs, the
// Wi-Fi configuration, the ONT poller, the agent's own settings). Only what
// is really mapped is in the model, and only what is really applied is
// writable: a parameter the system ignores is not offered to the ACS.

import type { DeviceModel } from "../../datamodel/device-model.ts";
import { channelCheck, diagnosticsStateCheck, forInstances, instanceOf, managementServerDynamic, managementServerValues, type ProductIdentity } from "../../datamodel/model-rules.ts";
import type { BbfDefinitions, BbfObject, BbfParam } from "../../datamodel/schema.ts";
import { buildTemplate, type ModelRules, type Template, type ValueSource } from "../../datamodel/template.ts";
import { isoSeconds } from "../../datamodel/values.ts";
import { TR181 } from "../../datamodel/bbf/load.ts";
import { ONT_DEFINITION, ONT_OBJECT, type OntMonitor } from "./ont.ts";
import type { InterfaceRates } from "./rates.ts";
import type { Counter, NetInterfaces } from "./sysfs.ts";
import type { WifiModel } from "./wifi/wifi-model.ts";

type Dynamic = (d: DeviceModel, path: string) => string;

/** Stats parameters mapped onto /sys/class/net/<if>/statistics/ files. */
const STATS: Record<string, Counter> = {
  BytesSent: "tx_bytes",
  BytesReceived: "rx_bytes",
  PacketsSent: "tx_packets",
  PacketsReceived: "rx_packets",
  ErrorsSent: "tx_errors",
  ErrorsReceived: "rx_errors",
  DiscardPacketsSent: "tx_dropped",
  DiscardPacketsReceived: "rx_dropped",
  MulticastPacketsReceived: "multicast",
};

/** Vendor rate parameters added to every interface Stats object (documented in agent/README.md). */
const RATE_PARAMS: Record<string, BbfParam> = {
  X_FLEXACS_ReceiveRate: { t: "long" },
  X_FLEXACS_SendRate: { t: "long" },
  X_FLEXACS_RateWindow: { t: "unsignedInt" },
};

const DIAG_DOWNLOAD = ["DiagnosticsState:w", "Interface", "DownloadURL:w", "DownloadTransports", "ROMTime", "BOMTime", "EOMTime", "TestBytesReceived", "TotalBytesReceived", "TotalBytesSent", "PeriodOfFullLoading", "TCPOpenRequestTime", "TCPOpenResponseTime"];
const DIAG_UPLOAD = ["DiagnosticsState:w", "Interface", "UploadURL:w", "UploadTransports", "TestFileLength:w", "ROMTime", "BOMTime", "EOMTime", "TestBytesSent", "TotalBytesReceived", "TotalBytesSent", "PeriodOfFullLoading", "TCPOpenRequestTime", "TCPOpenResponseTime"];

/** Parameters implemented per object; ":w" = writable (everything else is read-only here, whatever the BBF allows). */
const IMPLEMENTED: Record<string, string[]> = {
  "Device.": ["RootDataModelVersion"],
  "Device.DeviceInfo.": ["Manufacturer", "ManufacturerOUI", "ModelName", "Description", "ProductClass", "SerialNumber", "HardwareVersion", "SoftwareVersion", "ProvisioningCode:w", "UpTime"],
  "Device.ManagementServer.": [
    "EnableCWMP", "URL:w", "Username:w", "Password:w", "PeriodicInformEnable:w", "PeriodicInformInterval:w", "PeriodicInformTime:w", "ParameterKey",
    "ConnectionRequestURL", "ConnectionRequestUsername:w", "ConnectionRequestPassword:w", "UpgradesManaged", "CWMPRetryMinimumWaitInterval:w",
    "CWMPRetryIntervalMultiplier:w", "DefaultActiveNotificationThrottle", "AliasBasedAddressing", "SupportedConnReqMethods", "InformParameterNumberOfEntries",
  ],
  "Device.ManagementServer.InformParameter.{i}.": ["Enable:w", "ParameterName:w", "EventList:w"],
  "Device.Time.": ["CurrentLocalTime"],
  "Device.Ethernet.": ["InterfaceNumberOfEntries"],
  "Device.Ethernet.Interface.{i}.": ["Enable", "Status", "Name", "Upstream", "MACAddress", "CurrentBitRate", "DuplexMode"],
  "Device.Ethernet.Interface.{i}.Stats.": Object.keys(STATS),
  "Device.IP.": ["IPv4Capable", "InterfaceNumberOfEntries"],
  "Device.IP.Interface.{i}.": ["Enable", "Status", "Name", "LowerLayers", "MaxMTUSize", "Type", "IPv4AddressNumberOfEntries"],
  "Device.IP.Interface.{i}.IPv4Address.{i}.": ["Enable", "Status", "IPAddress", "SubnetMask"],
  "Device.IP.Interface.{i}.Stats.": Object.keys(STATS),
  "Device.IP.Diagnostics.": ["IPv4DownloadDiagnosticsSupported", "IPv4UploadDiagnosticsSupported"],
  "Device.IP.Diagnostics.DownloadDiagnostics.": DIAG_DOWNLOAD,
  "Device.IP.Diagnostics.UploadDiagnostics.": DIAG_UPLOAD,
};

const WIFI_IMPLEMENTED: Record<string, string[]> = {
  "Device.WiFi.": ["RadioNumberOfEntries", "SSIDNumberOfEntries", "AccessPointNumberOfEntries"],
  "Device.WiFi.Radio.{i}.": ["Enable", "Status", "Name", "SupportedFrequencyBands", "OperatingFrequencyBand", "PossibleChannels", "Channel:w", "AutoChannelSupported", "AutoChannelEnable:w"],
  "Device.WiFi.SSID.{i}.": ["Enable", "Status", "Name", "LowerLayers", "BSSID", "MACAddress", "SSID:w"],
  "Device.WiFi.SSID.{i}.Stats.": ["BytesSent", "BytesReceived", "PacketsSent", "PacketsReceived", "ErrorsSent", "ErrorsReceived"],
  "Device.WiFi.AccessPoint.{i}.": ["Enable", "Status", "SSIDReference", "SSIDAdvertisementEnabled:w"],
  "Device.WiFi.AccessPoint.{i}.Security.": ["ModesSupported", "ModeEnabled:w", "KeyPassphrase:w"],
};

/** Only InformParameter rows may be added or deleted by the ACS. */
const WRITABLE_TABLES = new Set(["Device.ManagementServer.InformParameter.{i}."]);

function subset(spec: Record<string, string[]>, extra: Record<string, BbfObject>): BbfDefinitions {
  const objects: Record<string, BbfObject> = {};
  for (const [o, names] of Object.entries(spec)) {
    const def = TR181.objects[o];
    if (!def) throw new Error(`${o} is not in ${TR181.model}`);
    const p: Record<string, BbfParam> = {};
    for (const n of names) {
      const [name, w] = n.split(":") as [string, string | undefined];
      const param = def.p[name];
      if (!param) throw new Error(`${o}${name} is not in ${TR181.model}`);
      const { w: _, ...readOnly } = param;
      p[name] = w === "w" ? param : readOnly;
    }
    const { w: _, ...table } = def;
    objects[o] = { ...(WRITABLE_TABLES.has(o) ? def : table), p };
  }
  for (const [o, def] of Object.entries(extra)) objects[o] = { ...objects[o], ...def, p: { ...objects[o]?.p, ...def.p } };
  return { ...TR181, objects };
}

export interface LinuxIdentity extends ProductIdentity {
  serial: string;
  mac: string;
}

export interface LinuxLayout {
  /** Device.Ethernet.Interface.{i}: WAN ports first. */
  ethernet: { name: string; upstream: boolean }[];
  /** Device.IP.Interface.{i}: 1 = WAN, 2 = LAN. */
  ip: { name: string; lowerLayers: string }[];
}

export interface LinuxModelParts {
  identity: LinuxIdentity;
  layout: LinuxLayout;
  nets: NetInterfaces;
  rates: InterfaceRates;
  /** System uptime in seconds. */
  uptime: () => number;
  /** First IPv4 address and netmask of an interface. */
  ipv4: (name: string) => { address: string; netmask: string } | undefined;
  wifi?: WifiModel;
  ont?: OntMonitor;
}

export function buildLinuxTemplate(m: LinuxModelParts): Template {
  const { identity: id, layout, nets, rates } = m;
  const ethIds = layout.ethernet.map((_, i) => i + 1);
  const ipIds = layout.ip.map((_, i) => i + 1);
  const eth = (p: string): string => layout.ethernet[instanceOf(p) - 1]!.name;
  const ip = (p: string): string => layout.ip[instanceOf(p) - 1]!.name;
  const statsRates = (name: (p: string) => string): Record<string, Dynamic> => ({
    X_FLEXACS_ReceiveRate: (_d, p) => rates.read(name(p)).rx,
    X_FLEXACS_SendRate: (_d, p) => rates.read(name(p)).tx,
    X_FLEXACS_RateWindow: (_d, p) => rates.read(name(p)).windowMs,
  });
  const counters = (name: (p: string) => string): Record<string, Dynamic> =>
    Object.fromEntries(Object.entries(STATS).map(([param, c]) => [param, (_d: DeviceModel, p: string) => nets.counter(name(p), c)]));
  const prefixed = (prefix: string, fns: Record<string, Dynamic>): Record<string, Dynamic> => Object.fromEntries(Object.entries(fns).map(([k, f]) => [prefix + k, f]));

  const E = "Device.Ethernet.Interface.{i}.";
  const I = "Device.IP.Interface.{i}.";
  const dynamic: Record<string, Dynamic> = {
    ...managementServerDynamic("Device."),
    "Device.DeviceInfo.UpTime": () => String(m.uptime()),
    "Device.Time.CurrentLocalTime": () => isoSeconds(Date.now()),
    [`${E}Enable`]: (_d, p) => String(nets.enabled(eth(p))),
    [`${E}Status`]: (_d, p) => nets.status(eth(p)),
    [`${E}MACAddress`]: (_d, p) => nets.mac(eth(p)),
    [`${E}CurrentBitRate`]: (_d, p) => String(nets.speedMbps(eth(p))),
    [`${E}DuplexMode`]: (_d, p) => nets.duplex(eth(p)),
    ...prefixed(`${E}Stats.`, { ...counters(eth), ...statsRates(eth) }),
    [`${I}Enable`]: (_d, p) => String(nets.enabled(ip(p))),
    [`${I}Status`]: (_d, p) => nets.status(ip(p)),
    [`${I}MaxMTUSize`]: (_d, p) => String(nets.mtu(ip(p))),
    [`${I}IPv4Address.{i}.Enable`]: (_d, p) => String(m.ipv4(ip(p)) !== undefined),
    [`${I}IPv4Address.{i}.Status`]: (_d, p) => (m.ipv4(ip(p)) ? "Enabled" : "Disabled"),
    [`${I}IPv4Address.{i}.IPAddress`]: (_d, p) => m.ipv4(ip(p))?.address ?? "",
    [`${I}IPv4Address.{i}.SubnetMask`]: (_d, p) => m.ipv4(ip(p))?.netmask ?? "",
    ...prefixed(`${I}Stats.`, { ...counters(ip), ...statsRates(ip) }),
    ...m.wifi?.dynamic,
    ...m.ont?.dynamic(),
  };
  const values: Record<string, ValueSource> = {
    "Device.RootDataModelVersion": "2.17",
    "Device.DeviceInfo.Manufacturer": id.manufacturer,
    "Device.DeviceInfo.ManufacturerOUI": id.oui,
    "Device.DeviceInfo.ModelName": id.modelName,
    "Device.DeviceInfo.Description": `${id.manufacturer} ${id.modelName} (FlexACS agent, linux driver)`,
    "Device.DeviceInfo.ProductClass": id.productClass,
    "Device.DeviceInfo.SerialNumber": id.serial,
    "Device.DeviceInfo.HardwareVersion": id.hardwareVersion,
    "Device.DeviceInfo.SoftwareVersion": id.softwareVersion,
    "Device.DeviceInfo.X_FLEXACS_MACAddress": id.mac,
    ...managementServerValues("Device."),
    "Device.ManagementServer.EnableCWMP": "true",
    "Device.IP.IPv4Capable": "true",
    "Device.IP.Diagnostics.IPv4DownloadDiagnosticsSupported": "true",
    "Device.IP.Diagnostics.IPv4UploadDiagnosticsSupported": "true",
    "Device.IP.Diagnostics.DownloadDiagnostics.DownloadTransports": "HTTP",
    "Device.IP.Diagnostics.UploadDiagnostics.UploadTransports": "HTTP",
    ...forInstances(E, ethIds, { Name: layout.ethernet.map((e) => e.name), Upstream: layout.ethernet.map((e) => String(e.upstream)) }),
    ...forInstances(I, ipIds, { Name: layout.ip.map((e) => e.name), LowerLayers: layout.ip.map((e) => e.lowerLayers), Type: "Normal" }),
    ...m.wifi?.values,
    ...m.ont?.values(),
  };
  const tables: Record<string, number[]> = {
    "Device.Ethernet.Interface.": ethIds,
    "Device.IP.Interface.": ipIds,
    ...Object.fromEntries(ipIds.map((i) => [`Device.IP.Interface.${i}.IPv4Address.`, [1]])),
    ...m.wifi?.tables,
  };
  const spec = { ...IMPLEMENTED, ...(m.wifi ? WIFI_IMPLEMENTED : {}) };
  const extra: Record<string, BbfObject> = {
    "Device.DeviceInfo.": { p: { X_FLEXACS_MACAddress: { t: "string", max: 17 } } },
    "Device.Ethernet.Interface.{i}.Stats.": { p: RATE_PARAMS },
    "Device.IP.Interface.{i}.Stats.": { p: RATE_PARAMS },
    ...(m.ont ? { [ONT_OBJECT]: ONT_DEFINITION } : {}),
  };
  const defs = subset(spec, extra);
  const rules: ModelRules = {
    values,
    dynamic,
    tables,
    checks: {
      ...(m.wifi ? { "Device.WiFi.Radio.{i}.Channel": channelCheck } : {}),
      "Device.IP.Diagnostics.DownloadDiagnostics.DiagnosticsState": diagnosticsStateCheck(["Requested", "Canceled"]),
      "Device.IP.Diagnostics.UploadDiagnostics.DiagnosticsState": diagnosticsStateCheck(["Requested", "Canceled"]),
    },
  };
  return buildTemplate(defs, Object.keys(defs.objects), rules);
}
