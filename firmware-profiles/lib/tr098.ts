// TR-098 (InternetGatewayDevice:1) building blocks. Instance numbers are
// arguments: vendors number WLANConfiguration and WANDevice their own way
// (ZTE puts 5 GHz at WLANConfiguration.5, Ethernet WAN at WANDevice.3).
import type { Band } from "../../acs/provisioning/settings-catalogue.ts";
import { counter, flag, negatedFlag, secretText, text } from "./codecs.ts";
import type { ValueRow } from "./types.ts";
import { modeFlag } from "./wan-codecs.ts";
import {
  autoChannel,
  channelNumber,
  tr098BasicEncryption,
  tr098BeaconType,
  tr098Ieee11iAuthentication,
  tr098Ieee11iEncryption,
  tr098KeyPassphrase,
  tr098PreSharedKey,
  tr098WpaAuthentication,
  tr098WpaEncryption,
} from "./wifi-codecs.ts";

const IGD = "InternetGatewayDevice.";

/**
 * One band on LANDevice.{lanDevice}.WLANConfiguration.{wlan}. TR-098 has no
 * band parameter, so the profile's choice of instance is the band. `rawPsk`:
 * the model has PreSharedKey.1 and accepts a 64-hex key there.
 */
export function tr098Wlan(o: { band: Band; lanDevice: number; wlan: number; rawPsk: boolean }): ValueRow[] {
  const p = `${IGD}LANDevice.${o.lanDevice}.WLANConfiguration.${o.wlan}.`;
  const k = <L extends string>(leaf: L) => `wifi.${o.band}.${leaf}` as const;
  const security = k("security");
  const rows: ValueRow[] = [
    [k("enabled"), `${p}Enable`, flag],
    [k("enabled"), `${p}RadioEnabled`, flag],
    [k("ssid"), `${p}SSID`, text],
    [k("passphrase"), `${p}KeyPassphrase`, tr098KeyPassphrase(security)],
    // Read order matters: BasicEncryptionModes tells WEP from open before BeaconType decides.
    [security, `${p}BasicEncryptionModes`, tr098BasicEncryption],
    [security, `${p}BeaconType`, tr098BeaconType],
    [security, `${p}IEEE11iEncryptionModes`, tr098Ieee11iEncryption],
    [security, `${p}IEEE11iAuthenticationMode`, tr098Ieee11iAuthentication],
    [security, `${p}WPAEncryptionModes`, tr098WpaEncryption],
    [security, `${p}WPAAuthenticationMode`, tr098WpaAuthentication],
    [k("channel"), `${p}Channel`, channelNumber],
    [k("channel"), `${p}AutoChannelEnable`, autoChannel],
    [k("hidden"), `${p}SSIDAdvertisementEnabled`, negatedFlag],
  ];
  if (o.rawPsk) rows.splice(4, 0, [k("passphrase"), `${p}PreSharedKey.1.PreSharedKey`, tr098PreSharedKey(security)]);
  return rows;
}

/** WANDevice.{wanDevice}.WANConnectionDevice.{connectionDevice}: a PPPoE and an IPoE connection, one enabled per mode. */
export function tr098Wan(o: { wanDevice: number; connectionDevice: number; ppp: number; ip: number }): ValueRow[] {
  const wcd = `${IGD}WANDevice.${o.wanDevice}.WANConnectionDevice.${o.connectionDevice}.`;
  const ppp = `${wcd}WANPPPConnection.${o.ppp}.`;
  return [
    ["wan.mode", `${ppp}Enable`, modeFlag("pppoe")],
    ["wan.mode", `${wcd}WANIPConnection.${o.ip}.Enable`, modeFlag("ipoe")],
    ["wan.pppoe.username", `${ppp}Username`, text],
    ["wan.pppoe.password", `${ppp}Password`, secretText],
  ];
}

/** WAN byte counters (32-bit in TR-098: they wrap at 4 GiB and may reset on reboot). */
export function tr098WanCounters(o: { wanDevice: number }): ValueRow[] {
  const p = `${IGD}WANDevice.${o.wanDevice}.WANCommonInterfaceConfig.`;
  return [
    ["linkRate.wanBytesSent", `${p}TotalBytesSent`, counter("unsignedInt")],
    ["linkRate.wanBytesReceived", `${p}TotalBytesReceived`, counter("unsignedInt")],
  ];
}

/** TR-098 names the POSIX zone LocalTimeZoneName (LocalTimeZone is the obsoleted "+hh:mm" offset). */
export const tr098TimeZone: ValueRow = ["time.zone", `${IGD}Time.LocalTimeZoneName`, text];
