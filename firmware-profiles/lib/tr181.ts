// TR-181 (Device:2) building blocks. Instance numbers are arguments because
// vendors do not always use 1 and 2 (tr069.md §4).
import type { Band } from "../../acs/provisioning/settings-catalogue.ts";
import { counter, dbm1000, flag, negatedFlag, reading, secretText, text } from "./codecs.ts";
import type { ValueRow } from "./types.ts";
import { modeFlag, stackedOn } from "./wan-codecs.ts";
import {
  autoChannel,
  channelNumber,
  tr181KeyPassphrase,
  tr181Mfp,
  tr181ModeEnabled,
  tr181PreSharedKey,
  tr181SaePassphrase,
} from "./wifi-codecs.ts";

/** One band: Radio.{radio} (channel, on/off), SSID.{ssid} (name), AccessPoint.{accessPoint} (security, broadcast). */
export function tr181WifiBand(o: { band: Band; radio: number; ssid: number; accessPoint: number }): ValueRow[] {
  const radio = `Device.WiFi.Radio.${o.radio}.`;
  const ssid = `Device.WiFi.SSID.${o.ssid}.`;
  const ap = `Device.WiFi.AccessPoint.${o.accessPoint}.`;
  const k = <L extends string>(leaf: L) => `wifi.${o.band}.${leaf}` as const;
  const security = k("security");
  return [
    [k("enabled"), `${radio}Enable`, flag],
    [k("enabled"), `${ssid}Enable`, flag],
    [k("enabled"), `${ap}Enable`, flag],
    [k("ssid"), `${ssid}SSID`, text],
    [k("passphrase"), `${ap}Security.KeyPassphrase`, tr181KeyPassphrase(security)],
    [k("passphrase"), `${ap}Security.SAEPassphrase`, tr181SaePassphrase(security)],
    [k("passphrase"), `${ap}Security.PreSharedKey`, tr181PreSharedKey(security)],
    [security, `${ap}Security.ModeEnabled`, tr181ModeEnabled],
    [security, `${ap}Security.MFPConfig`, tr181Mfp],
    [k("channel"), `${radio}Channel`, channelNumber],
    [k("channel"), `${radio}AutoChannelEnable`, autoChannel],
    [k("hidden"), `${ap}SSIDAdvertisementEnabled`, negatedFlag],
  ];
}

/** PPPoE WAN: PPP.Interface.{ppp} on Ethernet.Interface.{ethernet}, under IP.Interface.{ip}; IPoE stacks IP directly on Ethernet. */
export function tr181PppoeWan(o: { ppp: number; ip: number; ethernet: number }): ValueRow[] {
  const ppp = `Device.PPP.Interface.${o.ppp}`;
  return [
    ["wan.mode", `${ppp}.Enable`, modeFlag("pppoe")],
    ["wan.mode", `Device.IP.Interface.${o.ip}.LowerLayers`, stackedOn({ pppoe: ppp, ipoe: `Device.Ethernet.Interface.${o.ethernet}` })],
    ["wan.pppoe.username", `${ppp}.Username`, text],
    ["wan.pppoe.password", `${ppp}.Password`, secretText],
  ];
}

/** Link-rate readings; each source is optional because ONTs and routers expose different ones. */
export function tr181LinkReadings(o: { wanEthernet?: number; wanIp?: number; optical?: number }): ValueRow[] {
  const rows: ValueRow[] = [];
  if (o.wanEthernet !== undefined)
    rows.push(["linkRate.wanEthernetBitRate", `Device.Ethernet.Interface.${o.wanEthernet}.CurrentBitRate`, reading]);
  if (o.wanIp !== undefined) {
    const stats = `Device.IP.Interface.${o.wanIp}.Stats.`;
    rows.push(["linkRate.wanBytesSent", `${stats}BytesSent`, counter("unsignedLong")]);
    rows.push(["linkRate.wanBytesReceived", `${stats}BytesReceived`, counter("unsignedLong")]);
  }
  if (o.optical !== undefined) {
    const optical = `Device.Optical.Interface.${o.optical}.`;
    rows.push(["linkRate.opticalRxLevel", `${optical}OpticalSignalLevel`, dbm1000]);
    rows.push(["linkRate.opticalTxLevel", `${optical}TransmitOpticalLevel`, dbm1000]);
  }
  return rows;
}

export const tr181TimeZone: ValueRow = ["time.zone", "Device.Time.LocalTimeZone", text];
