// OldGate N300: legacy single-band 802.11n router, TR-098. WLANConfiguration.1
// is the 2.4 GHz home network (WLANConfiguration.2, a guest SSID on the same
// radio, is not managed). PPPoE and IPoE connections on WANConnectionDevice.1.
// No PreSharedKey table, so no raw 64-hex PSK; the firmware still offers WEP.
import { managementServer, ntpServers, tr143Diagnostics } from "../lib/common-rows.ts";
import { tr098TimeZone, tr098Wan, tr098WanCounters, tr098Wlan } from "../lib/tr098.ts";
import { defineProfile } from "../lib/types.ts";

export default defineProfile({
  match: {
    manufacturer: "OldGate Systems",
    oui: "0C7A15",
    productClass: "OG-N300",
    hardwareVersions: ["OGN300-v1.1"],
  },
  vendor: "OldGate",
  model: "N300",
  description: "Single-band 802.11n router (TR-098), Ethernet WAN with PPPoE or IPoE",
  dataModel: "tr098",
  mapping: [
    ...tr098Wlan({ band: "2.4GHz", lanDevice: 1, wlan: 1, rawPsk: false }),
    ...tr098Wan({ wanDevice: 1, connectionDevice: 1, ppp: 1, ip: 1 }),
    ...managementServer("InternetGatewayDevice."),
    ...ntpServers("InternetGatewayDevice."),
    tr098TimeZone,
    ...tr098WanCounters({ wanDevice: 1 }),
    ...tr143Diagnostics("InternetGatewayDevice."),
  ],
  defaults: {
    wifi: { "2.4GHz": { enabled: true, security: "wpa2-psk", channel: "auto", hidden: false } },
    management: { periodicInformInterval: 3600 },
    ntp: { servers: ["ntp1.flexnet.example", "pool.ntp.org"] },
  },
  wifi: {
    "2.4GHz": { security: ["wpa2-psk", "wpa-wpa2-psk", "wep", "open"], channels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] },
  },
  targetFirmware: {
    version: "1.8.24",
    fileName: "og-n300-1.8.24.bin",
    size: 7_864_320,
    sha256: "afea4e6dd7955c3b2339220684f4ebf5fb740d6b196d95458d13f35b85062af9",
  },
});
