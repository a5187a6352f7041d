// TR-181 Device.WiFi over the router's Wi-Fi configuration: Radio.{i} are
// the radios, SSID.{i} and AccessPoint.{i} the access points, in the order
// the configuration lists them. Values are read from the files when the ACS
// asks; a SetParameterValues is applied to the files (and the reload command
// run) before it is answered, and refused as a whole if that fails.

import type { CwmpFault, SetParameterValuesFault } from "../../../../acs/cwmp/messages.ts";
import { CPE_FAULTS, makeFault } from "../../../../acs/cwmp/faults.ts";
import type { DeviceModel } from "../../../datamodel/device-model.ts";
import { instanceOf } from "../../../datamodel/model-rules.ts";
import type { ValueSource } from "../../../datamodel/template.ts";
import { parseBoolean } from "../../../datamodel/values.ts";
import type { Counter, NetInterfaces } from "../sysfs.ts";
import type { WifiConfig } from "./backend.ts";
import { possibleChannels, WRITABLE_MODES, type WifiField, type WifiState } from "./settings.ts";

type Dynamic = (d: DeviceModel, path: string) => string;

const W = "Device.WiFi.";

export interface WifiModel {
  tables: Record<string, number[]>;
  values: Record<string, ValueSource>;
  dynamic: Record<string, Dynamic>;
  commit(model: DeviceModel, changed: readonly string[]): Promise<CwmpFault | undefined>;
}

const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export function wifiModel(wifi: WifiConfig, nets: NetInterfaces): WifiModel {
  const layout = wifi.current();
  const radios = ids(layout.radios.length);
  const aps = ids(layout.aps.length);
  const values: Record<string, ValueSource> = {};
  layout.radios.forEach((r, i) => {
    const p = `${W}Radio.${i + 1}.`;
    Object.assign(values, {
      [`${p}Name`]: r.name,
      [`${p}SupportedFrequencyBands`]: r.band,
      [`${p}OperatingFrequencyBand`]: r.band,
      [`${p}PossibleChannels`]: possibleChannels(r.band),
      [`${p}AutoChannelSupported`]: "true",
    });
  });
  layout.aps.forEach((a, i) => {
    Object.assign(values, {
      [`${W}SSID.${i + 1}.Name`]: a.iface || a.name,
      [`${W}SSID.${i + 1}.LowerLayers`]: `${W}Radio.${a.radio + 1}`,
      [`${W}AccessPoint.${i + 1}.SSIDReference`]: `${W}SSID.${i + 1}`,
      [`${W}AccessPoint.${i + 1}.Security.ModesSupported`]: WRITABLE_MODES.join(","),
    });
  });

  const radio = (path: string) => wifi.current().radios[instanceOf(path) - 1]!;
  const ap = (path: string) => wifi.current().aps[instanceOf(path) - 1]!;
  const iface = (path: string): string => layout.aps[instanceOf(path) - 1]!.iface;
  const apStatus = (path: string): string => {
    const a = ap(path);
    if (!a.enabled) return "Down";
    return iface(path) ? nets.status(iface(path)) : "Unknown";
  };
  const stat = (c: Counter): Dynamic => (_d, p) => (iface(p) ? nets.counter(iface(p), c) : "0");
  const dynamic: Record<string, Dynamic> = {
    [`${W}Radio.{i}.Enable`]: (_d, p) => String(radio(p).enabled),
    [`${W}Radio.{i}.Status`]: (_d, p) => {
      const r = instanceOf(p) - 1;
      if (!radio(p).enabled) return "Down";
      const mine = layout.aps.flatMap((a, i) => (a.radio === r ? [apStatus(`${W}SSID.${i + 1}.`)] : []));
      return mine.includes("Up") ? "Up" : (mine[0] ?? "Down");
    },
    [`${W}Radio.{i}.Channel`]: (_d, p) => String(radio(p).channel),
    [`${W}Radio.{i}.AutoChannelEnable`]: (_d, p) => String(radio(p).channel === 0),
    [`${W}SSID.{i}.Enable`]: (_d, p) => String(ap(p).enabled),
    [`${W}SSID.{i}.Status`]: (_d, p) => apStatus(p),
    [`${W}SSID.{i}.BSSID`]: (_d, p) => (iface(p) ? nets.mac(iface(p)) : ""),
    [`${W}SSID.{i}.MACAddress`]: (_d, p) => (iface(p) ? nets.mac(iface(p)) : ""),
    [`${W}SSID.{i}.SSID`]: (_d, p) => ap(p).ssid,
    [`${W}SSID.{i}.Stats.BytesSent`]: stat("tx_bytes"),
    [`${W}SSID.{i}.Stats.BytesReceived`]: stat("rx_bytes"),
    [`${W}SSID.{i}.Stats.PacketsSent`]: stat("tx_packets"),
    [`${W}SSID.{i}.Stats.PacketsReceived`]: stat("rx_packets"),
    [`${W}SSID.{i}.Stats.ErrorsSent`]: stat("tx_errors"),
    [`${W}SSID.{i}.Stats.ErrorsReceived`]: stat("rx_errors"),
    [`${W}AccessPoint.{i}.Enable`]: (_d, p) => String(ap(p).enabled),
    [`${W}AccessPoint.{i}.Status`]: (_d, p) => (ap(p).enabled ? "Enabled" : "Disabled"),
    [`${W}AccessPoint.{i}.SSIDAdvertisementEnabled`]: (_d, p) => String(!ap(p).hidden),
    [`${W}AccessPoint.{i}.Security.ModeEnabled`]: (_d, p) => ap(p).mode,
    [`${W}AccessPoint.{i}.Security.KeyPassphrase`]: (_d, p) => ap(p).passphrase,
  };

  return {
    tables: { [`${W}Radio.`]: radios, [`${W}SSID.`]: aps, [`${W}AccessPoint.`]: aps },
    values,
    dynamic,
    commit: (model, changed) => commitWifi(wifi, model, changed),
  };
}

/** The TR-181 parameter that carries a setting, for per-parameter faults. */
function pathOf(field: WifiField, index: number): string {
  switch (field) {
    case "channel":
      return `${W}Radio.${index + 1}.Channel`;
    case "ssid":
      return `${W}SSID.${index + 1}.SSID`;
    case "mode":
      return `${W}AccessPoint.${index + 1}.Security.ModeEnabled`;
    case "passphrase":
      return `${W}AccessPoint.${index + 1}.Security.KeyPassphrase`;
  }
}

/** Applies the values the ACS set under Device.WiFi. (now in the model's overlay) to the configuration files. */
async function commitWifi(wifi: WifiConfig, model: DeviceModel, changed: readonly string[]): Promise<CwmpFault | undefined> {
  const mine = changed.filter((p) => p.startsWith(W));
  if (mine.length === 0) return undefined;
  const next: WifiState = wifi.current();
  const value = (p: string): string => model.get(p)!;
  // Channel before AutoChannelEnable: enabling auto wins over a channel set in the same request.
  const order = (p: string): number => (p.endsWith(".AutoChannelEnable") ? 1 : 0);
  for (const p of [...mine].sort((a, b) => order(a) - order(b))) {
    const i = instanceOf(p) - 1;
    const leaf = p.slice(p.lastIndexOf(".") + 1);
    if (p.startsWith(`${W}Radio.`) && leaf === "Channel") next.radios[i]!.channel = Number(value(p));
    else if (p.startsWith(`${W}Radio.`) && leaf === "AutoChannelEnable") {
      if (parseBoolean(value(p)) === "true") next.radios[i]!.channel = 0;
      else if (next.radios[i]!.channel === 0) {
        return makeFault(9003, undefined, [{ parameterName: p, faultCode: 9007, faultString: "set Channel in the same request to turn automatic channel selection off" }]);
      }
    } else if (leaf === "SSID") next.aps[i]!.ssid = value(p);
    else if (leaf === "SSIDAdvertisementEnabled") next.aps[i]!.hidden = parseBoolean(value(p)) !== "true";
    else if (leaf === "ModeEnabled") next.aps[i]!.mode = value(p);
    else if (leaf === "KeyPassphrase") next.aps[i]!.passphrase = value(p);
  }
  const r = await wifi.apply(next);
  if (r.ok) {
    // The files now hold the values: read them from there again.
    for (const p of mine) model.unset(p);
    return undefined;
  }
  if (r.stage === "validate") {
    const faults: SetParameterValuesFault[] = r.problems.map((x) => ({ parameterName: pathOf(x.field, x.index), faultCode: 9007, faultString: `${CPE_FAULTS[9007]}: ${x.message}` }));
    return makeFault(9003, undefined, faults);
  }
  return makeFault(9002, `Wi-Fi configuration not applied (${r.stage} failed: ${r.message}); the previous configuration was restored`);
}
