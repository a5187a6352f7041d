// HomeWave AX3000: the rented dual-band Wi-Fi 6 router, TR-181. Radio/SSID/
// AccessPoint 1 = 2.4 GHz, 2 = 5 GHz; PPPoE on Ethernet.Interface.1 (WAN port).
// Its firmware offers WPA2, WPA3 and the transition mode, no WPA/WPA2 mixed or WEP.
import { managementServer, ntpServers, tr143Diagnostics } from "../lib/common-rows.ts";
import { tr181LinkReadings, tr181PppoeWan, tr181TimeZone, tr181WifiBand } from "../lib/tr181.ts";
import { defineProfile } from "../lib/types.ts";

export default defineProfile({
  match: {
    manufacturer: "HomeWave Technologies",
    oui: "A4B1C2",
    productClass: "HW-AX3000",
    hardwareVersions: ["HW-AX3000-B2"],
  },
  vendor: "HomeWave",
  model: "AX3000",
  description: "Dual-band Wi-Fi 6 home router (TR-181), PPPoE over the Ethernet WAN port",
  dataModel: "tr181",
  mapping: [
    ...tr181WifiBand({ band: "2.4GHz", radio: 1, ssid: 1, accessPoint: 1 }),
    ...tr181WifiBand({ band: "5GHz", radio: 2, ssid: 2, accessPoint: 2 }),
    ...tr181PppoeWan({ ppp: 1, ip: 1, ethernet: 1 }),
    ...managementServer("Device."),
    ...ntpServers("Device."),
    tr181TimeZone,
    ...tr181LinkReadings({ wanEthernet: 1, wanIp: 1 }),
    ...tr143Diagnostics("Device."),
  ],
  defaults: {
    wifi: {
      "2.4GHz": { enabled: true, security: "wpa2-psk", channel: "auto", hidden: false },
      "5GHz": { enabled: true, security: "wpa2-psk", channel: "auto", hidden: false },
    },
    management: { periodicInformInterval: 3600 },
    ntp: { servers: ["ntp1.flexnet.example", "pool.ntp.org"] },
  },
  wifi: {
    "2.4GHz": { security: ["wpa2-psk", "wpa2-wpa3-psk", "wpa3-sae", "open"], channels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] },
    "5GHz": {
      security: ["wpa2-psk", "wpa2-wpa3-psk", "wpa3-sae", "open"],
      channels: [36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140],
    },
  },
  targetFirmware: {
    version: "3.2.15",
    fileName: "hw-ax3000-3.2.15.bin",
    size: 31_457_280,
    sha256: "47ea99fd586e364af7a21c41894f11a27be6c019d782c3383884e8276b258e26",
  },
});
