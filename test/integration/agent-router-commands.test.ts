// Reboot and FactoryReset on the router agent (production bundle) run the
// configured commands. A factory reset forgets the agent's own state before
// the command runs, so the router comes back with 0 BOOTSTRAP; a command that
// fails changes nothing, and the agent carries on without pretending to boot.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectionRequester, type ConnectionRequester } from "../../acs/connreq/requester.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";
import { AgentProcess, buildAgent, writeJson, type BuiltAgent } from "./helpers/router-agent.ts";

const DEVICE = "A1B2C3-CmdRouter-CMD1";
const CR = { username: "cr-cmd", password: "cr-cmd-secret" };

let acs: AcsUnderTest;
let bundle: BuiltAgent;
let dir: string;
let requester: ConnectionRequester;
let agent: AgentProcess | undefined;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function config(reboot: string): string {
  return writeJson(join(dir, "agent.json"), {
    acs: { url: acs.url, credentialsFile: "credentials.json" },
    stateDir: "state",
    device: { oui: "A1B2C3", productClass: "CmdRouter", serialNumber: { value: "CMD1" }, softwareVersion: { value: "1.0.0" } },
    interfaces: { wan: { ip: "lo" } },
    connectionRequest: { port: 0, listen: "127.0.0.1" },
    commands: { reboot, factoryReset: `echo reset >> ${dir}/reset.log` },
    intervals: { periodicInformS: 0 },
  });
}

/** Starts the agent and waits for its boot session; returns that session's Inform events. */
async function boot(cfg: string): Promise<string[]> {
  const since = acs.events.length;
  agent = AgentProcess.start(bundle.file, cfg);
  const informed = await acs.next("device.informed", (e) => e.deviceId === DEVICE, since);
  await acs.next("session.ended", (e) => e.deviceId === DEVICE, since);
  await acs.store.setCredentials(DEVICE, { connectionRequestUsername: CR.username, connectionRequestPassword: CR.password });
  return informed.events;
}

/** Queues a task and wakes the device; resolves when the session that carried it ended. */
async function run(name: "reboot" | "factoryReset" | "setParameterValues", args: Record<string, unknown> = {}): Promise<string[]> {
  await acs.store.addTask({ deviceId: DEVICE, name, createdBy: "test", args } as Parameters<typeof acs.store.addTask>[0]);
  const since = acs.events.length;
  expect(await requester.wake(DEVICE)).toMatchObject({ ok: true });
  const informed = await acs.next("device.informed", (e) => e.deviceId === DEVICE, since);
  await acs.next("session.ended", (e) => e.deviceId === DEVICE, since);
  return informed.events;
}

beforeAll(async () => {
  acs = await AcsUnderTest.start();
  bundle = await buildAgent();
  dir = mkdtempSync(join(tmpdir(), "flx-cmd-"));
  writeJson(join(dir, "credentials.json"), { ...BOOT, connectionRequestUsername: CR.username, connectionRequestPassword: CR.password });
  requester = createConnectionRequester({ store: acs.store, logger: pino({ level: "silent" }) });
});

afterAll(async () => {
  await agent?.kill();
  await acs?.close();
  bundle?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("system commands", () => {
  it("a reboot command that fails: the agent logs it, stays up, and reports no boot it did not do", async () => {
    expect(await boot(config("echo 'reboot: not permitted' >&2; exit 3"))).toEqual(["0 BOOTSTRAP", "1 BOOT"]);
    await run("reboot");
    const failed = await agent!.waitForLog((l) => l.msg === "system restart failed");
    expect(failed).toMatchObject({ kind: "reboot", error: "exit 3: reboot: not permitted" });
    // Still answering connection requests; the next session is an ordinary one.
    expect(await run("setParameterValues", { parameterValues: [["Device.DeviceInfo.ProvisioningCode", "before-reset", "xsd:string"]] })).toEqual(["6 CONNECTION REQUEST"]);
    await agent!.kill();
  });

  it("FactoryReset: state forgotten before the command runs; the router comes back with 0 BOOTSTRAP", async () => {
    const cfg = config(`echo reboot >> ${dir}/reboot.log`);
    // (Possibly 4 VALUE CHANGE too: a new start, a new ephemeral connection-request port.)
    expect((await boot(cfg)).filter((e) => e !== "4 VALUE CHANGE")).toEqual(["1 BOOT"]);
    const state = (): { bootstrappedUrl?: string; data: { values?: Record<string, string> } } => JSON.parse(readFileSync(join(dir, "state", "CMD1.json"), "utf8"));
    expect(state().data.values?.["Device.DeviceInfo.ProvisioningCode"]).toBe("before-reset");
    await run("factoryReset");
    while (!existsSync(join(dir, "reset.log"))) await sleep(50);
    expect(state().bootstrappedUrl).toBeUndefined();
    expect(state().data.values?.["Device.DeviceInfo.ProvisioningCode"]).toBeUndefined();
    // The system goes down with the command: power the agent off and on.
    await agent!.kill();
    expect(await boot(cfg)).toEqual(["0 BOOTSTRAP", "1 BOOT"]);
  });
});
