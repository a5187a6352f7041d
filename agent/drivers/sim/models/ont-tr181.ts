// GPON ONT (bridge with a management IP), TR-181 (Device:2.17): one optical
// interface with live Rx/Tx levels in Dbm1000, one Ethernet UNI port.

import type { DeviceModel } from "../../../datamodel/device-model.ts";
import { TR181 } from "../../../datamodel/bbf/load.ts";
import { TR181_OBJECTS } from "../../../datamodel/bbf/objects.ts";
import { mac, reading } from "../derive.ts";
import { liveValues } from "../live.ts";
import { opticalLevel } from "../line-behaviour.ts";
import type { SimModel } from "../model-spec.ts";
import { commonDynamic, deviceInfoValues, diagnosticsStateCheck, forInstances, managementServerValues, PARIS_TZ, timeValues } from "./common.ts";

const R = "Device.";
const OUI = "7C8A3E";
// A bridge: no Wi-Fi, PPP, Ethernet link/VLAN layer or DHCPv4 client objects.
const objects = TR181_OBJECTS.filter((o) => !/^Device\.(WiFi|PPP|Ethernet\.(Link|VLANTermination)|DHCPv4)\./.test(o));
const identity = {
  manufacturer: "FiberLink Optics",
  oui: OUI,
  productClass: "FLO-G2425",
  modelName: "FiberLink G2425 ONT",
  hardwareVersion: "G2425-HW-C",
  softwareVersion: "5.1.3",
};

/** Dbm1000 values move in steps of 2 (0.002 dB) per the BBF range. */
const even = (s: string): string => String(Math.round(Number(s) / 2) * 2);

export const ontTr181: SimModel = {
  name: "ont-tr181",
  defs: TR181,
  objects,
  ...identity,
  // GPON serials: 4-letter vendor id + 8 hex digits.
  serialPrefix: "FLOG",
  serialBody: (i) => i.toString(16).toUpperCase().padStart(8, "0"),
  informExtra: [],
  cwmpNamespace: "urn:dslforum-org:cwmp-1-2",
  downlinkMbps: 2380,
  uplinkMbps: 1150,
  rules: {
    tables: {
      "Device.Optical.Interface.": [1],
      "Device.Ethernet.Interface.": [1],
      "Device.IP.Interface.": [1],
      "Device.IP.Interface.1.IPv4Address.": [1],
    },
    values: {
      "Device.RootDataModelVersion": "2.17",
      ...deviceInfoValues(R, identity),
      "Device.DeviceInfo.ModelNumber": "G2425",
      "Device.DeviceInfo.DeviceCategory": "ONT",
      "Device.DeviceInfo.FirstUseDate": "2023-11-07T08:41:02Z",
      ...managementServerValues(R),
      ...timeValues(R),
      "Device.Time.LocalTimeZone": PARIS_TZ,
      ...forInstances("Device.Optical.Interface.{i}.", [1], {
        Enable: "true",
        Status: "Up",
        Name: "pon0",
        Upstream: "true",
      }),
      ...forInstances("Device.Ethernet.Interface.{i}.", [1], {
        Enable: "true",
        Status: "Up",
        Name: "uni1",
        LowerLayers: "",
        Upstream: "false",
        MACAddress: (d: DeviceModel) => mac(OUI, d, 1),
        SupportedLinkModes: "100,1000,2500",
        MaxBitRate: "-1",
        CurrentBitRate: "2500",
        DuplexMode: "Full",
      }),
      "Device.IP.IPv4Capable": "true",
      "Device.IP.IPv4Enable": "true",
      "Device.IP.IPv4Status": "Enabled",
      ...forInstances("Device.IP.Interface.{i}.", [1], {
        Enable: "true",
        IPv4Enable: "true",
        Status: "Up",
        Name: "mgmt",
        LowerLayers: "Device.Optical.Interface.1",
        MaxMTUSize: "1500",
        "IPv4Address.1.Enable": "true",
        "IPv4Address.1.Status": "Enabled",
        "IPv4Address.1.IPAddress": (d: DeviceModel) => `10.${(d.ident.seed >>> 16) & 255}.${(d.ident.seed >>> 8) & 255}.${1 + (d.ident.seed % 254)}`,
        "IPv4Address.1.SubnetMask": "255.0.0.0",
        "IPv4Address.1.AddressingType": "DHCP",
      }),
      "Device.IP.Diagnostics.IPv4DownloadDiagnosticsSupported": "true",
      "Device.IP.Diagnostics.IPv4UploadDiagnosticsSupported": "true",
      "Device.IP.Diagnostics.DownloadDiagnostics.DownloadTransports": "HTTP",
      "Device.IP.Diagnostics.DownloadDiagnostics.NumberOfConnections": "1",
      "Device.IP.Diagnostics.DownloadDiagnostics.DownloadDiagnosticMaxConnections": "8",
      "Device.IP.Diagnostics.DownloadDiagnostics.DownloadDiagnosticsMaxIncrementalResult": "1",
      "Device.IP.Diagnostics.UploadDiagnostics.UploadTransports": "HTTP",
      "Device.IP.Diagnostics.UploadDiagnostics.NumberOfConnections": "1",
      "Device.IP.Diagnostics.UploadDiagnostics.UploadDiagnosticsMaxConnections": "8",
      "Device.IP.Diagnostics.UploadDiagnostics.UploadDiagnosticsMaxIncrementalResult": "1",
    },
    dynamic: {
      ...liveValues(TR181, objects),
      ...commonDynamic(R),
      // Around -19.87 dBm received (a typical GPON budget), +2.31 dBm sent.
      "Device.Optical.Interface.{i}.OpticalSignalLevel": opticalLevel((d, path) => even(reading(d, path, -19870, 3000, 150))),
      "Device.Optical.Interface.{i}.TransmitOpticalLevel": (d, path) => even(reading(d, path, 2310, 400, 40)),
    },
    checks: {
      "Device.IP.Diagnostics.DownloadDiagnostics.DiagnosticsState": diagnosticsStateCheck(["Requested", "Canceled"]),
      "Device.IP.Diagnostics.UploadDiagnostics.DiagnosticsState": diagnosticsStateCheck(["Requested", "Canceled"]),
    },
  },
};
