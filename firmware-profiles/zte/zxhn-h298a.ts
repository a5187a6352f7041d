// ZTE ZXHN H298A: dual-band router, TR-098, numbered the ZTE way: 2.4 GHz is
// WLANConfiguration.1, 5 GHz WLANConfiguration.5 (2–4 and 6–8 are extra SSIDs);
// the Ethernet WAN is WANDevice.3, the internet service WANConnectionDevice.2
// (WANConnectionDevice.1 carries TR-069). The WAN VLAN is a ZTE extension on
// the PPP connection. Its 5 GHz radio offers no DFS channels (36–64 only) and
// WEP only on 2.4 GHz.
import { managementServer, ntpServers, tr143Diagnostics } from "../lib/common-rows.ts";
import { tr098TimeZone, tr098Wan, tr098WanCounters, tr098Wlan } from "../lib/tr098.ts";
import { defineProfile } from "../lib/types.ts";
import { vlanEnabled, vlanId } from "../lib/wan-codecs.ts";

const PPP = "InternetGatewayDevice.WANDevice.3.WANConnectionDevice.2.WANPPPConnection.1.";

export default defineProfile({
  match: {
    manufacturer: "ZTE",
    oui: "0019C6",
    productClass: "ZXHN H298A",
    hardwareVersions: ["V1.0", "V1.1"],
  },
  vendor: "ZTE",
  model: "ZXHN H298A",
  description: "Dual-band 802.11ac router (TR-098), Ethernet WAN on WANDevice.3 with a tagged PPPoE service",
  dataModel: "tr098",
  mapping: [
    ...tr098Wlan({ band: "2.4GHz", lanDevice: 1, wlan: 1, rawPsk: true }),
    ...tr098Wlan({ band: "5GHz", lanDevice: 1, wlan: 5, rawPsk: true }),
    ...tr098Wan({ wanDevice: 3, connectionDevice: 2, ppp: 1, ip: 1 }),
    ["wan.vlan", `${PPP}X_ZTE-COM_VLANID`, vlanId],
    ["wan.vlan", `${PPP}X_ZTE-COM_VLANEnable`, vlanEnabled],
    ...managementServer("InternetGatewayDevice."),
    ...ntpServers("InternetGatewayDevice."),
    tr098TimeZone,
    ...tr098WanCounters({ wanDevice: 3 }),
    ...tr143Diagnostics("InternetGatewayDevice."),
  ],
  vendorParameters: {
    [`${PPP}X_ZTE-COM_VLANID`]: { type: "unsignedInt", writable: true },
    [`${PPP}X_ZTE-COM_VLANEnable`]: { type: "boolean", writable: true },
  },
  defaults: {
    wifi: {
      "2.4GHz": { enabled: true, security: "wpa2-psk", channel: "auto", hidden: false },
      "5GHz": { enabled: true, security: "wpa2-psk", channel: "auto", hidden: false },
    },
    management: { periodicInformInterval: 3600 },
    ntp: { servers: ["ntp1.flexnet.example", "pool.ntp.org"] },
  },
  wifi: {
    "2.4GHz": { security: ["wpa2-psk", "wpa-wpa2-psk", "wep", "open"], channels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] },
    "5GHz": { security: ["wpa2-psk", "wpa-wpa2-psk", "open"], channels: [36, 40, 44, 48, 52, 56, 60, 64] },
  },
  targetFirmware: {
    version: "V1.1.26",
    fileName: "zxhn-h298a-v1.1.26.bin",
    size: 33_554_432,
    sha256: "b33d5dce994593a9afe51a5850dc56f8736c3755d20bc56f1e55d45fdabff11f",
  },
});
