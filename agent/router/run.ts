// The agent as a daemon on a real router: one linux device, its state file,
// its Connection Request server, its timers (interface rates, ONT polls,
// active notifications), and a watchdog after an accepted system restart.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { ConnectionRequestServer } from "../connection-request/server.ts";
import { SocketPool } from "../cwmp-client/http1-connection.ts";
import { fnv1a } from "../datamodel/fnv1a.ts";
import type { FactorySettings, ModelHost } from "../datamodel/device-model.ts";
import { Device, type SessionResult } from "../device/device.ts";
import { buildLinuxTemplate, type LinuxIdentity, type LinuxLayout } from "../drivers/linux/linux-model.ts";
import { LinuxDevice } from "../drivers/linux/linux-driver.ts";
import { OntMonitor } from "../drivers/linux/ont.ts";
import { InterfaceRates } from "../drivers/linux/rates.ts";
import { NetInterfaces } from "../drivers/linux/sysfs.ts";
import { WifiConfig } from "../drivers/linux/wifi/backend.ts";
import { wifiModel } from "../drivers/linux/wifi/wifi-model.ts";
import { removeStaleTemps } from "../state/atomic-file.ts";
import { StateStore, type DeviceState } from "../state/device-state.ts";
import { loadCredentials, type AgentConfig } from "./config.ts";
import { resolveIdentity } from "./identity.ts";
import type { AgentLogger } from "./logger.ts";
import { ipv4Of, systemUptime } from "./system.ts";

export interface RunningAgent {
  device: Device;
  identity: LinuxIdentity;
  /** Outcome of the first session (1 BOOT, plus 0 BOOTSTRAP on first contact). */
  booted: Promise<SessionResult>;
  stop(): Promise<void>;
}

export interface RunOptions {
  log: AgentLogger;
  /** Called when an accepted system restart did not happen within restartGraceS (the CLI exits so the supervisor restarts it). */
  onRestartTimeout: () => void;
  /** /sys/class/net, for tests. */
  sysClassNet?: string;
}

export function layoutOf(cfg: AgentConfig): LinuxLayout {
  const { wan, lan } = cfg.interfaces;
  const ethernet = [...wan.ports.map((name) => ({ name, upstream: true })), ...(lan?.ports ?? []).map((name) => ({ name, upstream: false }))];
  const ref = (names: readonly string[]): string => names.map((n) => `Device.Ethernet.Interface.${ethernet.findIndex((e) => e.name === n) + 1}`).join(",");
  return { ethernet, ip: [{ name: wan.ip, lowerLayers: ref(wan.ports) }, ...(lan ? [{ name: lan.ip, lowerLayers: ref(lan.ports) }] : [])] };
}

export async function startRouterAgent(cfg: AgentConfig, o: RunOptions): Promise<RunningAgent> {
  const { log } = o;
  const nets = new NetInterfaces(o.sysClassNet);
  const identity = await resolveIdentity(cfg, nets);
  const creds = loadCredentials(cfg.acs.credentialsFile);
  const layout = layoutOf(cfg);
  const wifi = WifiConfig.open(cfg.wifi, (event, fields) => log.error(fields, event));
  const ont = cfg.ont ? new OntMonitor(cfg.ont) : undefined;
  const rates = new InterfaceRates(nets, [...layout.ethernet.map((e) => e.name), ...layout.ip.map((i) => i.name)]);
  const wm = wifi && wifiModel(wifi, nets);
  const template = buildLinuxTemplate({ identity, layout, nets, rates, uptime: systemUptime, ipv4: ipv4Of, wifi: wm, ont });

  const store = new StateStore(cfg.stateDir, true);
  await removeStaleTemps(store.pathOf(identity.serial));
  let saved: DeviceState | undefined;
  try {
    saved = await store.load(identity.serial);
  } catch (err) {
    // Cannot happen with atomic writes; if it does, the file is kept aside and the device starts afresh (0 BOOTSTRAP).
    log.error({ err: (err as Error).message }, "state file unreadable, starting from factory state");
  }

  const crServer = new ConnectionRequestServer();
  await crServer.listen(cfg.connectionRequest.port, cfg.connectionRequest.listen);
  const crPath = saved?.crPath ?? randomBytes(12).toString("base64url");
  const crUrl = (): string => {
    const host = cfg.connectionRequest.host ?? ipv4Of(cfg.interfaces.wan.ip)?.address;
    return host ? `http://${host.includes(":") ? `[${host}]` : host}:${crServer.port}/${crPath}` : "";
  };
  const settings: FactorySettings = {
    acsUrl: cfg.acs.url,
    username: creds.username,
    password: creds.password,
    periodicInterval: cfg.intervals.periodicInformS,
    crUsername: creds.connectionRequestUsername ?? identity.serial,
    // Without configured ones, unguessable until the ACS sets its own (a new value each start).
    crPassword: creds.connectionRequestPassword ?? randomBytes(18).toString("base64url"),
  };
  const host: ModelHost = { now: Date.now, crUrl, settings };
  // The seed sets the phase of periodic Informs: routers of a fleet spread over the interval instead of all calling at once.
  const drv = new LinuxDevice(host, { serial: identity.serial, seed: fnv1a(identity.serial), crPath }, {
    identity,
    template,
    wifi: wm,
    commands: cfg.commands,
    informExtra: ["Device.IP.Interface.1.IPv4Address.1.IPAddress"],
  });

  const ca = cfg.acs.caFile ? [...rootCertificates, readFileSync(cfg.acs.caFile, "utf8")] : undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const device = new Device(drv, "linux", {
    store,
    acsPool: new SocketPool(2),
    ...(ca && { acsTls: { ca } }),
    retry: true,
    rebootDelayMs: 0,
    random: Math.random,
    log: (event, fields) => (fields.ok === false || event.includes("fail") ? log.warn(fields, event) : log.info(fields, event)),
    onSystemRestart: (kind) => {
      watchdog = setTimeout(() => {
        log.error({ kind, graceS: cfg.commands.restartGraceS }, "the system did not restart: exiting so the supervisor restarts the agent");
        o.onRestartTimeout();
      }, cfg.commands.restartGraceS * 1000);
    },
  });
  crServer.register(crPath, device);
  if (saved) device.restore(saved);

  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, fn: () => void): void => {
    const t = setInterval(fn, seconds * 1000);
    t.unref();
    timers.push(t);
  };
  rates.sample();
  every(cfg.intervals.rateSampleS, () => {
    rates.sample();
    device.checkActiveNotifications();
  });
  if (ont) {
    void ont.poll();
    every(cfg.intervals.ontPollS, () => void ont.poll());
  }

  log.info({ serial: identity.serial, oui: identity.oui, acs: cfg.acs.url, wifi: wifi?.kind ?? "none", crPort: crServer.port, stateDir: cfg.stateDir }, "agent started");
  const booted = device.boot();
  return {
    device,
    identity,
    booted,
    async stop() {
      for (const t of timers) clearInterval(t);
      clearTimeout(watchdog);
      device.kill();
      await device.persisted();
      await crServer.close();
      await ont?.close();
    },
  };
}
