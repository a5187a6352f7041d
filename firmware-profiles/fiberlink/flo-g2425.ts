// FiberLink G2425: GPON ONT (bridge with a management IP), TR-181. No Wi-Fi,
// no PPP: it reports optical levels (Optical.Interface.1, Dbm1000) and the
// management interface's counters, and runs TR-143 tests.
import { managementServer, ntpServers, tr143Diagnostics } from "../lib/common-rows.ts";
import { tr181LinkReadings, tr181TimeZone } from "../lib/tr181.ts";
import { defineProfile } from "../lib/types.ts";

export default defineProfile({
  match: {
    manufacturer: "FiberLink Optics",
    oui: "7C8A3E",
    productClass: "FLO-G2425",
    hardwareVersions: ["G2425-HW-C"],
  },
  vendor: "FiberLink",
  model: "G2425",
  description: "GPON ONT (TR-181) with one 2.5 GbE port; optics and TR-143 diagnostics",
  dataModel: "tr181",
  mapping: [
    ...managementServer("Device."),
    ...ntpServers("Device."),
    tr181TimeZone,
    ...tr181LinkReadings({ wanIp: 1, optical: 1 }),
    ...tr143Diagnostics("Device."),
  ],
  defaults: {
    management: { periodicInformInterval: 3600 },
    ntp: { servers: ["ntp1.flexnet.example", "pool.ntp.org"] },
  },
  // ITU-T G.984.2 class B+ ONU: receive sensitivity -27 dBm, overload -8 dBm; launch power +0.5 to +5 dBm.
  optical: { rxDbm: [-27, -8], txDbm: [0.5, 5] },
  targetFirmware: {
    version: "5.1.4",
    fileName: "flo-g2425-5.1.4.bin",
    size: 18_874_368,
    sha256: "de461c7159a8da9ed60bb8d6d03dbcc73c655493fe1377a5be0033d407d2a3f1",
  },
});
