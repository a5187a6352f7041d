// `--check`: validates the configuration and everything it points at (the
// credentials file, identity sources, interfaces, Wi-Fi files, state folder),
// then whether the ACS answers at its URL, and exits. One line per check;
// FAIL lines make the exit code 1. It never starts a CWMP session, so a check
// consumes no pending event and registers nothing at the ACS.

import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { OntMonitor } from "../drivers/linux/ont.ts";
import { NetInterfaces } from "../drivers/linux/sysfs.ts";
import { WifiConfig } from "../drivers/linux/wifi/backend.ts";
import { AgentConfigError, loadAgentConfig, loadCredentials, type AgentConfig } from "./config.ts";
import { resolveIdentity } from "./identity.ts";

export type CheckLine = { level: "ok" | "warn" | "FAIL"; text: string };

/** Filesystem type of the mount holding `path` (longest matching mount point in /proc/mounts). */
function fsTypeOf(path: string): string | undefined {
  let best: { at: string; type: string } | undefined;
  try {
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [, at, type] = line.split(" ");
      if (at && type && (path === at || path.startsWith(at.endsWith("/") ? at : `${at}/`)) && at.length >= (best?.at.length ?? 0)) best = { at, type };
    }
  } catch {
    return undefined;
  }
  return best?.type;
}

/** Any HTTP answer (401 included) proves the ACS is there; only transport failures count. */
function reachAcs(cfg: AgentConfig, timeoutMs: number): Promise<string> {
  const url = new URL(cfg.acs.url);
  const https = url.protocol === "https:";
  const ca = https && cfg.acs.caFile ? [...rootCertificates, readFileSync(cfg.acs.caFile, "utf8")] : undefined;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, { method: "POST", headers: { "content-length": "0" }, timeout: timeoutMs, ca }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on("error", reject);
    req.end();
  });
}

export async function runCheck(file: string, opts: { sysClassNet?: string; acsTimeoutMs?: number } = {}): Promise<CheckLine[]> {
  const out: CheckLine[] = [];
  const ok = (text: string) => out.push({ level: "ok", text });
  const warn = (text: string) => out.push({ level: "warn", text });
  const fail = (text: string) => out.push({ level: "FAIL", text });
  let cfg: AgentConfig;
  try {
    cfg = loadAgentConfig(file);
    ok(`configuration ${cfg.file}`);
  } catch (err) {
    for (const p of err instanceof AgentConfigError ? err.problems : [(err as Error).message]) fail(p);
    return out;
  }
  const nets = new NetInterfaces(opts.sysClassNet);

  try {
    const c = loadCredentials(cfg.acs.credentialsFile);
    if (!cfg.acs.credentialsFile) warn("acs.credentialsFile: none, the agent presents no credentials to the ACS");
    else {
      ok(`credentials ${cfg.acs.credentialsFile} (username ${c.username ? "set" : "empty"})`);
      if (((await stat(cfg.acs.credentialsFile)).mode & 0o077) !== 0) warn(`${cfg.acs.credentialsFile} is readable by group or others: chmod 600 it`);
    }
  } catch (err) {
    for (const p of (err as AgentConfigError).problems ?? [(err as Error).message]) fail(p);
  }

  const { wan, lan } = cfg.interfaces;
  for (const [key, name] of [...wan.ports.map((n) => ["interfaces.wan.ports", n]), ...(lan?.ports ?? []).map((n) => ["interfaces.lan.ports", n])]) {
    if (nets.exists(name!)) ok(`${key}: ${name} (${nets.status(name!)})`);
    else fail(`${key}: no interface ${name}`);
  }
  for (const [key, name] of [["interfaces.wan.ip", wan.ip], ...(lan ? [["interfaces.lan.ip", lan.ip]] : [])]) {
    // A PPP interface only exists once the link is up: not an error.
    if (nets.exists(name!)) ok(`${key}: ${name} (${nets.status(name!)})`);
    else warn(`${key}: no interface ${name} right now`);
  }

  try {
    const id = await resolveIdentity(cfg, nets);
    ok(`identity: OUI ${id.oui}, product class ${id.productClass}, serial ${id.serial}, software ${id.softwareVersion}`);
  } catch (err) {
    fail((err as Error).message);
  }

  try {
    const wifi = WifiConfig.open(cfg.wifi, () => undefined);
    if (!wifi) ok("wifi: none");
    else {
      const s = wifi.current();
      ok(`wifi: ${wifi.kind}, ${s.radios.length} radio(s), ${s.aps.length} access point(s) in ${wifi.files.join(", ")}`);
      if (!cfg.wifi.reloadCommand) warn("wifi.reloadCommand: none, changes are written but not reloaded");
    }
  } catch (err) {
    fail(`wifi: ${(err as Error).message}`);
  }
  if (!cfg.commands.reboot) warn("commands.reboot: none, Reboot from the ACS will not restart the router");
  if (!cfg.commands.factoryReset) warn("commands.factoryReset: none, FactoryReset from the ACS will do nothing");

  try {
    await mkdir(cfg.stateDir, { recursive: true, mode: 0o700 });
    const probe = join(cfg.stateDir, `.check-${process.pid}`);
    await writeFile(probe, "");
    await rm(probe);
    ok(`state folder ${cfg.stateDir} is writable`);
    // OpenWrt mounts /var (and /tmp) in RAM: state kept there is lost at every reboot, and each boot would be a 0 BOOTSTRAP.
    if (["tmpfs", "ramfs"].includes(fsTypeOf(cfg.stateDir) ?? "")) warn(`stateDir: ${cfg.stateDir} is in RAM (tmpfs): the state will not survive a reboot; use e.g. /etc/flexacs/state`);
  } catch (err) {
    fail(`stateDir: ${cfg.stateDir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }

  try {
    ok(`ACS ${cfg.acs.url} answers (${await reachAcs(cfg, opts.acsTimeoutMs ?? 5000)})`);
  } catch (err) {
    fail(`ACS ${cfg.acs.url} unreachable: ${(err as Error).message}`);
  }

  if (cfg.ont) {
    const ont = new OntMonitor(cfg.ont);
    await ont.poll();
    await ont.close();
    if (ont.lastError) warn(`ont: ${cfg.ont.host} ifIndex ${cfg.ont.ifIndex} did not answer (${ont.lastError})`);
    else ok(`ont: ${cfg.ont.host} ifIndex ${cfg.ont.ifIndex} link ${ont.status}`);
  }
  return out;
}
