// The router agent's configuration file: defaults, relative paths, and
// messages that name the key at fault (and never echo a secret).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentConfigError, loadAgentConfig, loadCredentials, parseAgentConfig } from "../../agent/router/config.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const problems = (raw: unknown): string[] => {
  try {
    parseAgentConfig(raw, "/etc/flexacs/agent.json");
  } catch (err) {
    if (err instanceof AgentConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe("agent configuration", () => {
  it("a minimal file gets the documented defaults, paths resolved next to the file", () => {
    const c = parseAgentConfig({ acs: { url: "https://acs.example.net:7547/", credentialsFile: "credentials.json" }, interfaces: { wan: { ip: "eth0", ports: ["eth0"] } } }, "/etc/flexacs/agent.json");
    expect(c.acs.credentialsFile).toBe("/etc/flexacs/credentials.json");
    expect(c.stateDir).toBe("/var/lib/flexacs-agent");
    expect(c.intervals).toEqual({ periodicInformS: 300, rateSampleS: 60, ontPollS: 60 });
    expect(c.connectionRequest).toEqual({ port: 7547, listen: "0.0.0.0" });
    expect(c.wifi).toMatchObject({ backend: "auto", uciFile: "/etc/config/wireless", hostapd: [], reloadTimeoutS: 30 });
    expect(c.device.softwareVersion).toEqual({ file: "/etc/os-release", pattern: 'VERSION_ID="?([^"\\n]+)' });
    expect(c.ont).toBeUndefined();
  });

  it("names every wrong key", () => {
    expect(
      problems({
        acs: { url: "ftp://acs" },
        interfaces: { wan: { ip: "this-name-is-too-long-for-linux" } },
        intervals: { periodicInformS: -1 },
        wifi: { backend: "hostapd" },
        extra: true,
      }).sort(),
    ).toEqual([
      "(top level): Unrecognized key: \"extra\"",
      "acs.url: must be an http:// or https:// URL",
      "interfaces.wan.ip: must be a Linux interface name (1-15 characters)",
      "intervals.periodicInformS: Too small: expected number to be >=0",
    ]);
  });

  it("checks what one key cannot: duplicate ports, hostapd without files", () => {
    expect(problems({ acs: { url: "http://a/" }, interfaces: { wan: { ip: "eth0", ports: ["eth0"] }, lan: { ip: "br-lan", ports: ["eth0"] } }, wifi: { backend: "hostapd" } })).toEqual([
      "interfaces: an Ethernet port is listed twice",
      'wifi.hostapd: list at least one hostapd configuration file for backend "hostapd"',
    ]);
  });

  it("reports a missing file and bad JSON with the file name", () => {
    const d = mkdtempSync(join(tmpdir(), "flx-cfg-"));
    dirs.push(d);
    expect(() => loadAgentConfig(join(d, "none.json"))).toThrow(`${join(d, "none.json")}: cannot read (ENOENT)`);
    writeFileSync(join(d, "bad.json"), "{ acs: ");
    expect(() => loadAgentConfig(join(d, "bad.json"))).toThrow(/bad\.json: not valid JSON/);
  });

  it("credentials file: a wrong value is named, never shown", () => {
    const d = mkdtempSync(join(tmpdir(), "flx-cfg-"));
    dirs.push(d);
    const f = join(d, "credentials.json");
    writeFileSync(f, JSON.stringify({ username: "cpe", password: 12345678 }));
    let message = "";
    try {
      loadCredentials(f);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe("acs.credentialsFile: password: must be a string");
    writeFileSync(f, JSON.stringify({ username: "cpe", password: "s3cret-pass" }));
    expect(loadCredentials(f)).toEqual({ username: "cpe", password: "s3cret-pass" });
  });
});
