// The linux driver's Wi-Fi backends: hostapd.conf and OpenWrt uci files read
// into settings and edited in place, validation, and apply with rollback.

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WifiConfig } from "../../agent/drivers/linux/wifi/backend.ts";
import { parseHostapd, readHostapd, renderHostapd } from "../../agent/drivers/linux/wifi/hostapd.ts";
import { validateWifi, type WifiState } from "../../agent/drivers/linux/wifi/settings.ts";
import { parseUci, readUci, renderUci } from "../../agent/drivers/linux/wifi/uci.ts";

const HOSTAPD = `# hostapd for the 5 GHz radio
interface=wlan1
driver=nl80211
hw_mode=a
channel=36
ssid=Home-5G
# security
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=first-secret
ieee80211w=1
bss=wlan1-1
ssid=Guest
wpa=0
`;

const UCI = `
config wifi-device 'radio0'
	option type 'mac80211'
	option path 'platform/soc/18000000.wifi'
	option channel '1'
	option band '2g'
	option htmode 'HE20'

config wifi-device 'radio1'
	option type 'mac80211'
	option channel 'auto'
	option band '5g'

config wifi-iface 'default_radio0'
	option device 'radio0'
	option network 'lan'
	option mode 'ap'
	option ssid 'OpenWrt'
	option encryption 'psk2+ccmp'
	option key 'it'"'"'s-a-secret'

config wifi-iface
	option device 'radio1'
	option mode 'ap'
	option ssid "Home 5G"
	option encryption 'sae-mixed'
	option key 'second-secret'
	option hidden '1'

config wifi-iface 'sta'
	option device 'radio1'
	option mode 'sta'
	option ssid 'upstream'
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "flx-wifi-"));
  dirs.push(d);
  return d;
};

describe("hostapd files", () => {
  it("reads the primary BSS: band, channel, SSID, security, passphrase", () => {
    const { radio, ap } = readHostapd(parseHostapd(HOSTAPD), "/etc/hostapd/wlan1.conf");
    expect(radio).toEqual({ name: "wlan1", band: "5GHz", channel: 36, enabled: true });
    expect(ap).toMatchObject({ iface: "wlan1", ssid: "Home-5G", hidden: false, mode: "WPA2-Personal", passphrase: "first-secret" });
  });

  it("changes only what differs and leaves comments, other keys and the extra BSS alone", () => {
    const { radio, ap } = readHostapd(parseHostapd(HOSTAPD), "f");
    const out = renderHostapd(HOSTAPD, radio, { ...ap, radio: 0, ssid: "Renamed" });
    expect(out).toBe(HOSTAPD.replace("ssid=Home-5G", "ssid=Renamed"));
  });

  it("writes WPA3 (SAE, MFP required) and reads it back", () => {
    const { radio, ap } = readHostapd(parseHostapd(HOSTAPD), "f");
    const out = renderHostapd(HOSTAPD, { ...radio, channel: 0 }, { ...ap, radio: 0, mode: "WPA3-Personal", passphrase: "a-new-passphrase" });
    const lines = out.split("\n");
    expect(lines).toContain("wpa_key_mgmt=SAE");
    expect(lines).toContain("ieee80211w=2");
    expect(lines).toContain("channel=acs_survey");
    expect(lines.slice(lines.indexOf("bss=wlan1-1"))).toEqual(["bss=wlan1-1", "ssid=Guest", "wpa=0", ""]);
    const back = readHostapd(parseHostapd(out), "f");
    expect(back.ap).toMatchObject({ mode: "WPA3-Personal", passphrase: "a-new-passphrase" });
    expect(back.radio.channel).toBe(0);
  });

  it("stores a non-ASCII SSID as hex in ssid2 and reads it back", () => {
    const { radio, ap } = readHostapd(parseHostapd(HOSTAPD), "f");
    const out = renderHostapd(HOSTAPD, radio, { ...ap, radio: 0, ssid: "Café Wi-Fi" });
    expect(out).not.toMatch(/^ssid=Home-5G$/m);
    expect(out).toMatch(/^ssid2=[0-9a-f]+$/m);
    expect(readHostapd(parseHostapd(out), "f").ap.ssid).toBe("Café Wi-Fi");
  });

  it("open network: wpa=0, key management lines removed", () => {
    const { radio, ap } = readHostapd(parseHostapd(HOSTAPD), "f");
    const out = renderHostapd(HOSTAPD, radio, { ...ap, radio: 0, mode: "None" });
    const primary = out.slice(0, out.indexOf("bss="));
    expect(primary).toMatch(/^wpa=0$/m);
    expect(primary).not.toMatch(/wpa_key_mgmt|rsn_pairwise|ieee80211w/);
    expect(readHostapd(parseHostapd(out), "f").ap.mode).toBe("None");
  });
});

describe("OpenWrt uci wireless", () => {
  it("maps wifi-device sections to radios and AP wifi-iface sections to access points", () => {
    const s = readUci(parseUci(UCI));
    expect(s.radios).toEqual([
      { name: "radio0", band: "2.4GHz", channel: 1, enabled: true },
      { name: "radio1", band: "5GHz", channel: 0, enabled: true },
    ]);
    expect(s.aps).toEqual([
      { name: "default_radio0", radio: 0, iface: "", ssid: "OpenWrt", hidden: false, mode: "WPA2-Personal", passphrase: "it's-a-secret", enabled: true },
      { name: "@wifi-iface[1]", radio: 1, iface: "", ssid: "Home 5G", hidden: true, mode: "WPA3-Personal-Transition", passphrase: "second-secret", enabled: true },
    ]);
  });

  it("rewrites only the changed options, quoting values safely", () => {
    const s = readUci(parseUci(UCI));
    s.radios[1]!.channel = 44;
    s.aps[0]!.ssid = "Bob's net";
    s.aps[1]!.hidden = false;
    s.aps[1]!.mode = "WPA3-Personal";
    const out = renderUci(UCI, s);
    expect(out).toContain("\toption channel '44'");
    expect(out).toContain(`\toption ssid 'Bob'\\''s net'`);
    expect(out).not.toContain("option hidden");
    expect(out).toContain("\toption encryption 'sae'");
    // Everything else unchanged, line for line.
    const changed = out.split("\n").filter((l) => !UCI.split("\n").includes(l));
    expect(changed).toEqual(["\toption channel '44'", `\toption ssid 'Bob'\\''s net'`, "\toption encryption 'sae'"]);
    expect(readUci(parseUci(out))).toEqual(s);
  });

  it("refuses a file it cannot parse, with the line number", () => {
    expect(() => parseUci("config wifi-device 'radio0\n")).toThrow(/line 1: unterminated ' quote/);
  });
});

describe("validation", () => {
  const state = (): WifiState => ({
    radios: [{ name: "r", band: "2.4GHz", channel: 6, enabled: true }],
    aps: [{ name: "a", radio: 0, iface: "", ssid: "Home", hidden: false, mode: "WPA2-Personal", passphrase: "long-enough", enabled: true }],
  });

  it("accepts a valid state", () => {
    expect(validateWifi(state())).toEqual([]);
  });

  it.each([
    ["an SSID over 32 bytes", (s: WifiState) => (s.aps[0]!.ssid = "é".repeat(17)), "ssid"],
    ["a newline in the SSID (would inject a config line)", (s: WifiState) => (s.aps[0]!.ssid = "x\nwpa=0"), "ssid"],
    ["a 7-character passphrase", (s: WifiState) => (s.aps[0]!.passphrase = "1234567"), "passphrase"],
    ["a passphrase with a newline", (s: WifiState) => (s.aps[0]!.passphrase = "12345678\nwpa=0"), "passphrase"],
    ["a 5 GHz channel on a 2.4 GHz radio", (s: WifiState) => (s.radios[0]!.channel = 36), "channel"],
    ["an enterprise mode", (s: WifiState) => (s.aps[0]!.mode = "WPA2-Enterprise"), "mode"],
  ])("refuses %s", (_name, change, field) => {
    const s = state();
    change(s);
    expect(validateWifi(s).map((p) => p.field)).toEqual([field]);
  });
});

describe("apply: write, reload, roll back", () => {
  function setup(reload: string) {
    const d = tmp();
    const file = join(d, "wlan0.conf");
    writeFileSync(file, HOSTAPD);
    chmodSync(file, 0o640);
    const calls = join(d, "calls");
    const wifi = WifiConfig.open({ backend: "hostapd", hostapd: [{ file }], uciFile: join(d, "none"), reloadCommand: reload.replaceAll("CALLS", calls), reloadTimeoutS: 10 }, () => undefined)!;
    const count = (): number => (readFileSync(calls, { encoding: "utf8", flag: "a+" }).match(/\n/g) ?? []).length;
    return { file, wifi, count };
  }

  it("writes the file atomically with its mode kept, then runs the reload command once", async () => {
    const { file, wifi, count } = setup("echo reload >> CALLS");
    const next = wifi.current();
    next.aps[0]!.ssid = "Changed";
    expect(await wifi.apply(next)).toEqual({ ok: true, changed: true });
    expect(readFileSync(file, "utf8")).toBe(HOSTAPD.replace("ssid=Home-5G", "ssid=Changed"));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(count()).toBe(1);
    expect(wifi.current().aps[0]!.ssid).toBe("Changed");
  });

  it("a failing reload puts the previous file back byte for byte and reloads it again", async () => {
    const { file, wifi, count } = setup("echo reload >> CALLS; echo 'nl80211: could not configure driver' >&2; exit 1");
    const next = wifi.current();
    next.aps[0]!.ssid = "Broken";
    const r = await wifi.apply(next);
    expect(r).toEqual({ ok: false, stage: "reload", message: "exit 1: nl80211: could not configure driver" });
    expect(readFileSync(file, "utf8")).toBe(HOSTAPD);
    expect(count()).toBe(2);
    expect(wifi.current().aps[0]!.ssid).toBe("Home-5G");
  });

  it("an invalid state writes nothing and runs nothing", async () => {
    const { file, wifi, count } = setup("echo reload >> CALLS");
    const next = wifi.current();
    next.aps[0]!.passphrase = "short";
    expect(await wifi.apply(next)).toMatchObject({ ok: false, stage: "validate", problems: [{ field: "passphrase", index: 0 }] });
    expect(readFileSync(file, "utf8")).toBe(HOSTAPD);
    expect(count()).toBe(0);
  });
});
