// The router agent (production bundle, linux driver) on a router made of
// Linux network namespaces: it runs in "rtr", whose WAN veth leads to "isp"
// where FlexACS runs and where test traffic comes from. Everything the ACS
// learns it learns over that WAN link, through CWMP and its REST API.
//
//   isp: wanp 10.77.0.1/30 (ACS, traffic)  <— veth, MTU 9000 —>  rtr: wan0 10.77.0.2/30 (agent)
//   rtr: lan0 10.77.1.1/30 <— veth —> lanp 10.77.1.2/30 (a LAN port whose link the test pulls)

import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsProcess } from "./helpers/acs-process.ts";
import { NetnsLab } from "./helpers/netns.ts";
import { AgentProcess, buildAgent, writeJson, type BuiltAgent } from "./helpers/router-agent.ts";

const TRAFFIC = join(import.meta.dirname, "fixtures/traffic.ts");
const ROOT = join(import.meta.dirname, "../..");
const DEVICE = "A1B2C3-NetnsRouter-NETNS1";
const CR = { username: "cr-netns", password: "cr-netns-secret" };
const HOSTAPD = "interface=wlan0\ndriver=nl80211\nhw_mode=g\nchannel=6\nssid=Factory-SSID\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=factory-passphrase\n";

let lab: NetnsLab;
let dir: string;
let bundle: BuiltAgent;
let acs: AcsProcess;
let agent: AgentProcess;
let rtr: string;
let isp: string;
const children: ChildProcess[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Task {
  id: string;
  status: string;
  fault: { code: string; message: string } | null;
  result: unknown;
}

/** Queues a task and wakes the device with a connection request; the task as the session left it. */
async function attempt(body: Record<string, unknown>): Promise<{ status: number; task: Task }> {
  const r = await acs.api<{ task: Task; connectionRequest: { ok: boolean } }>("POST", `devices/${DEVICE}/tasks?connection_request&timeout=20000`, body);
  expect(r.body.connectionRequest, JSON.stringify(r.body)).toMatchObject({ ok: true });
  return { status: r.status, task: r.body.task };
}

/** A task that must finish in the session (done or permanently faulted). */
async function task(body: Record<string, unknown>): Promise<Task> {
  const r = await attempt(body);
  expect(r.status, JSON.stringify(r.task)).toBe(200);
  return r.task;
}

/** Reads parameters from the device (getParameterValues task), then as the ACS stored them: value and time. */
async function read(names: string[]): Promise<Record<string, { value: string; ts: number }>> {
  expect((await task({ name: "getParameterValues", parameterNames: names })).status).toBe("done");
  const r = await acs.api<{ parameters: Record<string, { value: string; ts: number | string }> }>("GET", `devices/${DEVICE}?parameters=${names.join(",")}`);
  return Object.fromEntries(Object.entries(r.body.parameters).map(([k, v]) => [k, { value: v.value, ts: typeof v.ts === "number" ? v.ts : Date.parse(v.ts) }]));
}

function traffic(ns: string, args: string[]): { child: ChildProcess; out: Promise<Record<string, number>> } {
  const child = lab.spawn(ns, process.execPath, ["--import", "tsx", TRAFFIC, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const out = new Promise<Record<string, number>>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as Record<string, number>);
    });
    child.on("exit", (code) => reject(new Error(`traffic ${args.join(" ")} exited with ${code}`)));
  });
  return { child, out };
}

beforeAll(async () => {
  lab = new NetnsLab();
  rtr = lab.add("rtr");
  isp = lab.add("isp");
  lab.veth(rtr, "wan0", "10.77.0.2/30", isp, "wanp", "10.77.0.1/30", 9000);
  lab.veth(rtr, "lan0", "10.77.1.1/30", rtr, "lanp", "10.77.1.2/30");
  dir = mkdtempSync(join(tmpdir(), "flx-netns-"));
  bundle = await buildAgent();
  acs = await AcsProcess.start({ netns: isp, cwmpHost: "10.77.0.1", dataDir: join(dir, "acs"), username: "boot", password: "boot-secret-123" });

  writeFileSync(join(dir, "hostapd-wlan0.conf"), HOSTAPD);
  // The reload command records each call and fails while reload.fail exists (hostapd itself need not run).
  writeFileSync(join(dir, "reload.sh"), `echo reload >> ${dir}/reload.log\nif [ -f ${dir}/reload.fail ]; then echo "hostapd: could not set beacon parameters" >&2; exit 1; fi\n`);
  writeJson(join(dir, "credentials.json"), { username: "boot", password: "boot-secret-123", connectionRequestUsername: CR.username, connectionRequestPassword: CR.password });
  const config = writeJson(join(dir, "agent.json"), {
    acs: { url: acs.cwmpUrl, credentialsFile: "credentials.json" },
    stateDir: "state",
    device: { oui: "A1B2C3", productClass: "NetnsRouter", serialNumber: { value: "NETNS1" }, softwareVersion: { value: "2.0.1" } },
    interfaces: { wan: { ip: "wan0", ports: ["wan0"] }, lan: { ip: "lan0", ports: ["lan0"] } },
    wifi: { backend: "hostapd", hostapd: [{ file: "hostapd-wlan0.conf" }], reloadCommand: `sh ${dir}/reload.sh` },
    commands: { reboot: `echo reboot >> ${dir}/reboot.log` },
    intervals: { rateSampleS: 3 },
  });
  agent = AgentProcess.start(bundle.file, config, rtr);
  await until("the device to register", async () => {
    const r = await acs.api<{ items: { id: string; lastEvents: string[] }[] }>("GET", `devices?id=${DEVICE}`);
    return r.body.items[0]?.lastEvents.includes("0 BOOTSTRAP") ? true : undefined;
  });
  await acs.setConnectionRequestCredentials(DEVICE, CR.username, CR.password);
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await agent?.stop();
  await acs?.close();
  lab?.destroySync();
  bundle?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("agent on a namespaced Linux router", () => {
  it("reports the WAN byte counters and rates the test traffic really produced (within 5%)", async () => {
    const DOWN = 40e6;
    const UP = 16e6;
    const sinks = [traffic(rtr, ["sink", "10.77.0.2", "5201"]), traffic(isp, ["sink", "10.77.0.1", "5202"])];
    await Promise.all(sinks.map((s) => s.out));
    const down = traffic(isp, ["send", "10.77.0.2", "5201", String(DOWN), "11"]);
    const up = traffic(rtr, ["send", "10.77.0.1", "5202", String(UP), "11"]);
    await sleep(2000);
    const S = "Device.IP.Interface.1.Stats.";
    const names = [`${S}BytesReceived`, `${S}BytesSent`, "Device.Ethernet.Interface.1.Stats.BytesReceived"];
    const a = await read(names);
    await sleep(6000);
    const b = await read([...names, `${S}X_FLEXACS_ReceiveRate`, `${S}X_FLEXACS_SendRate`, `${S}X_FLEXACS_RateWindow`]);
    const rate = (p: string): number => ((Number(b[p]!.value) - Number(a[p]!.value)) * 8) / ((b[p]!.ts - a[p]!.ts) / 1000);

    // Two reads six seconds apart, differenced as the ACS stored them.
    expect(Math.abs(rate(`${S}BytesReceived`) / DOWN - 1)).toBeLessThan(0.05);
    expect(Math.abs(rate(`${S}BytesSent`) / UP - 1)).toBeLessThan(0.05);
    expect(Math.abs(rate("Device.Ethernet.Interface.1.Stats.BytesReceived") / DOWN - 1)).toBeLessThan(0.05);
    // The agent's own three-second window, read in a single request.
    expect(Number(b[`${S}X_FLEXACS_RateWindow`]!.value)).toBeGreaterThan(0);
    expect(Math.abs(Number(b[`${S}X_FLEXACS_ReceiveRate`]!.value) / DOWN - 1)).toBeLessThan(0.05);
    expect(Math.abs(Number(b[`${S}X_FLEXACS_SendRate`]!.value) / UP - 1)).toBeLessThan(0.05);

    const mbps = (x: number): string => (x / 1e6).toFixed(2);
    console.info(`netns rates (Mbit/s): down sent ${mbps(DOWN)}, ACS two reads ${mbps(rate(`${S}BytesReceived`))}, agent window ${mbps(Number(b[`${S}X_FLEXACS_ReceiveRate`]!.value))}; up sent ${mbps(UP)}, ACS ${mbps(rate(`${S}BytesSent`))}, agent ${mbps(Number(b[`${S}X_FLEXACS_SendRate`]!.value))}`);
    // The generators did send at those rates.
    for (const [t, bps] of [[await down.out, DOWN], [await up.out, UP]] as const) expect(Math.abs((t.bytes! * 8) / (t.ms! / 1000) / bps - 1)).toBeLessThan(0.02);
  });

  it("a link set down shows as down (and a LAN port whose peer is down as LowerLayerDown)", async () => {
    const names = ["Device.Ethernet.Interface.2.Status", "Device.Ethernet.Interface.2.Enable", "Device.IP.Interface.2.Status"];
    const v = async (): Promise<string[]> => {
      const r = await read(names);
      return names.map((n) => r[n]!.value);
    };
    expect(await v()).toEqual(["Up", "true", "Up"]);
    lab.ip("-n", rtr, "link", "set", "lan0", "down");
    expect(await v()).toEqual(["Down", "false", "Down"]);
    lab.ip("-n", rtr, "link", "set", "lan0", "up");
    lab.ip("-n", rtr, "link", "set", "lanp", "down");
    expect(await v()).toEqual(["LowerLayerDown", "true", "LowerLayerDown"]);
    lab.ip("-n", rtr, "link", "set", "lanp", "up");
    expect((await read(["Device.Ethernet.Interface.1.Status"]))["Device.Ethernet.Interface.1.Status"]!.value).toBe("Up");
  });

  it("a Wi-Fi change from the ACS rewrites the hostapd file and runs the reload command", async () => {
    const t = await task({
      name: "setParameterValues",
      parameterValues: [
        ["Device.WiFi.SSID.1.SSID", "FlexHome"],
        ["Device.WiFi.AccessPoint.1.Security.ModeEnabled", "WPA3-Personal"],
        ["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "correct-horse-battery"],
      ],
    });
    expect(t).toMatchObject({ status: "done", fault: null });
    const conf = readFileSync(join(dir, "hostapd-wlan0.conf"), "utf8").split("\n");
    expect(conf).toEqual(expect.arrayContaining(["ssid=FlexHome", "wpa_key_mgmt=SAE", "ieee80211w=2", "wpa_passphrase=correct-horse-battery", "interface=wlan0"]));
    expect(readFileSync(join(dir, "reload.log"), "utf8")).toBe("reload\n");
    const back = await read(["Device.WiFi.SSID.1.SSID", "Device.WiFi.AccessPoint.1.Security.ModeEnabled", "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"]);
    expect(Object.fromEntries(Object.entries(back).map(([k, x]) => [k, x.value]))).toEqual({
      "Device.WiFi.SSID.1.SSID": "FlexHome",
      "Device.WiFi.AccessPoint.1.Security.ModeEnabled": "WPA3-Personal",
      // Secured: the device never reads it back (TR-181), and the API would mask it anyway.
      "Device.WiFi.AccessPoint.1.Security.KeyPassphrase": "",
    });
  });

  it("a failing reload rolls the file back, reloads the old one and reports a fault to the ACS", async () => {
    const file = join(dir, "hostapd-wlan0.conf");
    const before = readFileSync(file, "utf8");
    const keyBefore = (await read(["Device.ManagementServer.ParameterKey"]))["Device.ManagementServer.ParameterKey"]!.value;
    writeFileSync(join(dir, "reload.fail"), "");
    const { task: t } = await attempt({ name: "setParameterValues", parameterValues: [["Device.WiFi.SSID.1.SSID", "Broken"]] });
    rmSync(join(dir, "reload.fail"));
    // 9002 (internal error) is one the ACS retries later: the task stays queued with its fault recorded.
    expect(t.fault?.code).toBe("cwmp.9002");
    expect(t.fault?.message).toMatch(/reload failed: exit 1: hostapd: could not set beacon parameters.*previous configuration was restored/);
    const faults = await acs.api<{ items: { code: string; channel: string }[] }>("GET", `faults?device=${DEVICE}`);
    expect(faults.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ code: "cwmp.9002", channel: `task:${t.id}` })]));
    expect((await acs.api("DELETE", `tasks/${t.id}`)).status).toBe(204);
    expect(readFileSync(file, "utf8")).toBe(before);
    // One failed attempt, one reload of the restored file.
    expect(readFileSync(join(dir, "reload.log"), "utf8")).toBe("reload\nreload\nreload\n");
    const now = await read(["Device.WiFi.SSID.1.SSID", "Device.ManagementServer.ParameterKey"]);
    expect(now["Device.WiFi.SSID.1.SSID"]!.value).toBe("FlexHome");
    expect(now["Device.ManagementServer.ParameterKey"]!.value).toBe(keyBefore);
  });

  it("Reboot runs the configured command; the agent then comes back with 1 BOOT + M Reboot", async () => {
    expect((await task({ name: "reboot" })).status).toBe("done");
    await until("the reboot command", async () => (existsSync(join(dir, "reboot.log")) ? true : undefined));
    expect(readFileSync(join(dir, "reboot.log"), "utf8")).toBe("reboot\n");
    // The system would now go down: power the agent off and on.
    await agent.kill();
    agent = AgentProcess.start(bundle.file, join(dir, "agent.json"), rtr);
    const events = await until("the boot Inform", async () => {
      const r = await acs.api<{ items: { lastEvents: string[]; lastBootAt: string | null }[] }>("GET", `devices?id=${DEVICE}`);
      const e = r.body.items[0]?.lastEvents;
      return e?.includes("M Reboot") ? e : undefined;
    });
    expect(events).toEqual(["1 BOOT", "M Reboot"]);
  });
});

