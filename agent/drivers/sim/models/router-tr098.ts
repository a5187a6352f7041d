// Legacy 802.11n router, TR-098 (InternetGatewayDevice:1.14): Ethernet WAN
// with a PPPoE connection (used for management) and an unused IPoE one,
// two WLANConfiguration instances. Speaks cwmp-1-0 and reports booleans as 1/0,
// as many older CPEs do.

import type { DeviceModel } from "../../../datamodel/device-model.ts";
import { TR098 } from "../../../datamodel/bbf/load.ts";
import { TR098_OBJECTS } from "../../../datamodel/bbf/objects.ts";
import { mac, mix, passphrase, tag4, wanIp } from "../derive.ts";
import { liveValues } from "../live.ts";
import type { SimModel } from "../model-spec.ts";
import { channelCheck } from "./checks.ts";
import { commonDynamic, deviceInfoValues, diagnosticsStateCheck, forInstances, managementServerValues, timeValues } from "./common.ts";

const R = "InternetGatewayDevice.";
const OUI = "0C7A15";
// Wi-Fi keys by KeyPassphrase only: no PreSharedKey or WEPKey tables.
const objects = TR098_OBJECTS.filter((o) => !/\.WLANConfiguration\.\{i\}\.(PreSharedKey|WEPKey)\./.test(o));
const identity = {
  manufacturer: "OldGate Systems",
  oui: OUI,
  productClass: "OG-N300",
  modelName: "OldGate N300",
  hardwareVersion: "OGN300-v1.1",
  softwareVersion: "1.8.22",
};
const WAN = "InternetGatewayDevice.WANDevice.1.";
const CONN = `${WAN}WANConnectionDevice.1.`;
const LAN = "InternetGatewayDevice.LANDevice.1.";
const PPP_USER = (d: DeviceModel): string => `${d.ident.serial.toLowerCase()}@adsl.flexnet.example`;

export const routerTr098: SimModel = {
  name: "router-tr098",
  defs: TR098,
  objects,
  ...identity,
  serialPrefix: "OGN",
  serialBody: (i) => String(i).padStart(9, "0"),
  // TR-098 forces the ExternalIPAddress of the connection used for CWMP (tr069.md §1.7).
  informExtra: [`${CONN}WANPPPConnection.1.ExternalIPAddress`],
  cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
  booleanDigits: true,
  downlinkMbps: 94,
  uplinkMbps: 38,
  rules: {
    tables: {
      "InternetGatewayDevice.LANDevice.": [1],
      [`${LAN}LANEthernetInterfaceConfig.`]: [1, 2, 3, 4],
      [`${LAN}WLANConfiguration.`]: [1, 2],
      "InternetGatewayDevice.WANDevice.": [1],
      [`${WAN}WANConnectionDevice.`]: [1],
      [`${CONN}WANIPConnection.`]: [1],
      [`${CONN}WANPPPConnection.`]: [1],
    },
    values: {
      "InternetGatewayDevice.DeviceSummary": "InternetGatewayDevice:1.4[](Baseline:1, EthernetLAN:1, WiFiLAN:1, EthernetWAN:1, Time:1, Download:1, Upload:1)",
      ...deviceInfoValues(R, identity),
      "InternetGatewayDevice.DeviceInfo.ModelNumber": "N300",
      "InternetGatewayDevice.DeviceInfo.SpecVersion": "1.0",
      "InternetGatewayDevice.DeviceInfo.FirstUseDate": "2016-05-02T14:03:10Z",
      ...managementServerValues(R),
      ...timeValues(R),
      "InternetGatewayDevice.Time.LocalTimeZoneName": "CET-1CEST,M3.5.0,M10.5.0/3",
      ...forInstances(`${LAN}LANEthernetInterfaceConfig.{i}.`, [1, 2, 3, 4], {
        Enable: "true",
        Status: ["Up", "NoLink", "NoLink", "Up"],
        Name: ["eth1", "eth2", "eth3", "eth4"],
        MACAddress: [1, 2, 3, 4].map((port) => (d: DeviceModel) => mac(OUI, d, port)),
        MaxBitRate: "Auto",
        DuplexMode: "Auto",
      }),
      ...forInstances(`${LAN}WLANConfiguration.{i}.`, [1, 2], {
        Enable: ["true", "false"],
        Status: ["Up", "Disabled"],
        Name: ["wlan0", "wlan0-1"],
        BSSID: [(d) => mac(OUI, d, 8), (d) => mac(OUI, d, 9)],
        MaxBitRate: "Auto",
        Channel: "6",
        PossibleChannels: "1-13",
        SSID: [(d) => `OldGate-${tag4(d)}`, (d) => `OldGate-${tag4(d)}-Guest`],
        BeaconType: ["11i", "None"],
        Standard: "n",
        KeyPassphrase: [(d) => passphrase(d, "wifi"), ""],
        BasicEncryptionModes: "None",
        BasicAuthenticationMode: "None",
        WPAEncryptionModes: "TKIPEncryption",
        WPAAuthenticationMode: "PSKAuthentication",
        IEEE11iEncryptionModes: "AESEncryption",
        IEEE11iAuthenticationMode: "PSKAuthentication",
        SSIDAdvertisementEnabled: "true",
        RadioEnabled: "true",
        AutoChannelEnable: "false",
        TransmitPowerSupported: "25,50,75,100",
        TransmitPower: "100",
        RegulatoryDomain: "FR",
        DeviceOperationMode: "InfrastructureAccessPoint",
        WMMSupported: "true",
        WMMEnable: "true",
      }),
      [`${WAN}WANCommonInterfaceConfig.EnabledForInternet`]: "true",
      [`${WAN}WANCommonInterfaceConfig.WANAccessType`]: "Ethernet",
      [`${WAN}WANCommonInterfaceConfig.Layer1UpstreamMaxBitRate`]: "100000000",
      [`${WAN}WANCommonInterfaceConfig.Layer1DownstreamMaxBitRate`]: "100000000",
      [`${WAN}WANCommonInterfaceConfig.PhysicalLinkStatus`]: "Up",
      [`${WAN}WANCommonInterfaceConfig.WANAccessProvider`]: "Flexnet",
      [`${WAN}WANCommonInterfaceConfig.NumberOfActiveConnections`]: "1",
      [`${WAN}WANEthernetInterfaceConfig.Enable`]: "true",
      [`${WAN}WANEthernetInterfaceConfig.Status`]: "Up",
      [`${WAN}WANEthernetInterfaceConfig.MACAddress`]: (d) => mac(OUI, d, 0),
      [`${WAN}WANEthernetInterfaceConfig.MaxBitRate`]: "100",
      [`${WAN}WANEthernetInterfaceConfig.DuplexMode`]: "Full",
      ...forInstances(`${CONN}WANPPPConnection.{i}.`, [1], {
        Enable: "true",
        ConnectionStatus: "Connected",
        PossibleConnectionTypes: "IP_Routed,PPPoE_Bridged",
        ConnectionType: "IP_Routed",
        PPPoESessionID: (d) => String(1 + (mix(d, "pppoe") % 65534)),
        Name: "pppoe_wan",
        LastConnectionError: "ERROR_NONE",
        NATEnabled: "true",
        Username: PPP_USER,
        Password: (d) => passphrase(d, "ppp"),
        PPPEncryptionProtocol: "None",
        PPPCompressionProtocol: "None",
        PPPAuthenticationProtocol: "CHAP",
        ExternalIPAddress: wanIp,
        RemoteIPAddress: "100.64.0.1",
        MaxMRUSize: "1492",
        CurrentMRUSize: "1492",
        DNSServers: "9.9.9.9,149.112.112.112",
        MACAddress: (d) => mac(OUI, d, 0),
        TransportType: "PPPoE",
        ConnectionTrigger: "AlwaysOn",
        DefaultGateway: "100.64.0.1",
      }),
      ...forInstances(`${CONN}WANIPConnection.{i}.`, [1], {
        Enable: "false",
        ConnectionStatus: "Disconnected",
        PossibleConnectionTypes: "IP_Routed,IP_Bridged",
        ConnectionType: "IP_Routed",
        Name: "ipoe_wan",
        LastConnectionError: "ERROR_NONE",
        AddressingType: "DHCP",
        MACAddress: (d) => mac(OUI, d, 0),
      }),
      "InternetGatewayDevice.UploadDiagnostics.TestFileLength": "0",
    },
    dynamic: {
      ...liveValues(TR098, objects),
      ...commonDynamic(R),
      "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.ChannelsInUse": (d, path) => d.get(path.replace(/ChannelsInUse$/, "Channel")) ?? "",
      "InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANPPPConnection.{i}.Uptime": (d) => String(Math.max(0, Math.floor((d.host.now() - d.bootTime) / 1000) - 20)),
    },
    checks: {
      "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.Channel": channelCheck,
      "InternetGatewayDevice.DownloadDiagnostics.DiagnosticsState": diagnosticsStateCheck(["Requested"]),
      "InternetGatewayDevice.UploadDiagnostics.DiagnosticsState": diagnosticsStateCheck(["Requested"]),
    },
  },
};
