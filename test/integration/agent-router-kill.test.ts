// Power cuts during sessions: the router agent (production bundle, linux
// driver, real state file with fsync) is SIGKILLed at random points of 100
// sessions with FlexACS's CWMP listener, each session carrying a
// SetParameterValues. After every kill the state file must be whole; every
// restart must inform 1 BOOT and never a second 0 BOOTSTRAP; and what the
// ACS saw acknowledged must be on disk (ParameterKey and value together).

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AcsEvents } from "../../acs/events.ts";
import { taskKey } from "../../acs/tasks/task-source.ts";
import { seededRandom } from "../../agent/fleet/fleet.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";
import { AgentProcess, buildAgent, writeJson, type BuiltAgent } from "./helpers/router-agent.ts";

const SERIAL = "KILL1";
const DEVICE = "A1B2C3-KillRouter-KILL1";
const CR = { username: "cr-kill", password: "cr-kill-secret" };
const SESSIONS = 100;

let acs: AcsUnderTest;
let bundle: BuiltAgent;
let dir: string;
let config: string;
let agent: AgentProcess | undefined;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  acs = await AcsUnderTest.start();
  bundle = await buildAgent();
  dir = mkdtempSync(join(tmpdir(), "flx-kill-"));
  writeJson(join(dir, "credentials.json"), { ...BOOT, connectionRequestUsername: CR.username, connectionRequestPassword: CR.password });
  config = writeJson(join(dir, "agent.json"), {
    acs: { url: acs.url, credentialsFile: "credentials.json" },
    stateDir: "state",
    device: { oui: "A1B2C3", productClass: "KillRouter", serialNumber: { value: SERIAL }, softwareVersion: { value: "1.0.0" } },
    interfaces: { wan: { ip: "lo" } },
    connectionRequest: { port: 0, listen: "127.0.0.1" },
    intervals: { periodicInformS: 0, rateSampleS: 3600 },
  });
});

afterAll(async () => {
  await agent?.kill();
  await acs?.close();
  bundle?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface StateFile {
  v: number;
  serial: string;
  bootstrappedUrl?: string;
  data: { values?: Record<string, string> };
}

const readState = (): StateFile => JSON.parse(readFileSync(join(dir, "state", `${SERIAL}.json`), "utf8")) as StateFile;

describe("router agent killed at random points of 100 sessions", () => {
  it("keeps a readable state file, resumes with 1 BOOT, never bootstraps twice, never loses an acknowledged change", async () => {
    // First contact, left to finish: 0 BOOTSTRAP + 1 BOOT.
    agent = AgentProcess.start(bundle.file, config);
    let sessionMs = (await acs.next("session.ended", (e) => e.deviceId === DEVICE && e.ok)).durationMs;
    await agent.kill();
    expect(acs.named("device.informed").map((e) => e.events)).toEqual([["0 BOOTSTRAP", "1 BOOT"]]);
    expect(readState().bootstrappedUrl).toBe(acs.url);

    const random = seededRandom(20261126);
    const keys: string[] = [];
    const ids: string[] = [];
    const informed: AcsEvents["device.informed"][] = [];
    const reportedKeys: { key: string; ackedBefore: number }[] = [];
    let acked = -1;
    let midSession = 0;
    for (let i = 0; i < SESSIONS; i++) {
      const spv = await acs.store.addTask({ deviceId: DEVICE, name: "setParameterValues", createdBy: "test", args: { parameterValues: [["Device.DeviceInfo.ProvisioningCode", `pc-${i}`, "xsd:string"]] } });
      keys.push(taskKey(spv.id));
      ids.push(spv.id);
      // A read after the change keeps the session going past the acknowledgement.
      await acs.store.addTask({ deviceId: DEVICE, name: "getParameterValues", createdBy: "test", args: { parameterNames: ["Device."] } });
      const since = acs.events.length;
      const ackedAtStart = acked;
      const onInform = acs.next("device.informed", (e) => e.deviceId === DEVICE, since).then(async (e) => {
        informed.push(e);
        const p = await acs.store.getParameters(DEVICE, ["Device.ManagementServer.ParameterKey"]);
        reportedKeys.push({ key: p.get("Device.ManagementServer.ParameterKey")?.value ?? "", ackedBefore: ackedAtStart });
      });
      agent = AgentProcess.start(bundle.file, config);
      // Where the power goes: anywhere from process start (state load, Inform in flight) on;
      // at a random point of the session (scaled to how long sessions take on this machine);
      // or just after the ACS counted the change as acknowledged.
      const mode = i % 3;
      if (mode === 0) await sleep(random() * 400);
      else if (mode === 1) await Promise.race([onInform, agent.exited, sleep(5000)]).then(() => sleep(random() * sessionMs));
      else {
        const acknowledged = Promise.race([acs.next("task.done", (e) => e.task.id === spv.id, since), acs.next("task.fault", (e) => e.task.id === spv.id, since)]);
        await Promise.race([acknowledged, agent.exited, sleep(5000)]).then(() => sleep(random() * 2));
      }
      // (The ACS may report the previous, killed session as ended only now: look after this Inform.)
      const seen = acs.events.slice(since);
      const sawInform = seen.findIndex((e) => e.name === "device.informed") >= 0;
      const sawEnd = seen.slice(seen.findIndex((e) => e.name === "device.informed") + 1).find((e) => e.name === "session.ended" && e.payload.deviceId === DEVICE);
      await agent.kill();
      if (sawInform && !sawEnd) midSession++;
      if (sawEnd?.name === "session.ended" && sawEnd.payload.ok) sessionMs = sawEnd.payload.durationMs;

      // Whole and well-formed after every kill; never a torn or partial write, no temp file left to mistake for it.
      const s = readState();
      expect(s).toMatchObject({ v: 1, serial: SERIAL, bootstrappedUrl: acs.url });
      // Acknowledged means committed: the newest change the ACS saw confirmed is on disk (or a newer one it did not see).
      for (let j = ids.length - 1; j > acked; j--) {
        if ((await acs.store.getTask(ids[j]!))?.status === "done") {
          acked = j;
          break;
        }
      }
      const onDisk = s.data.values?.["Device.ManagementServer.ParameterKey"] ?? "";
      const diskIndex = keys.indexOf(onDisk);
      expect(diskIndex).toBeGreaterThanOrEqual(acked);
      if (diskIndex >= 0) expect(s.data.values?.["Device.DeviceInfo.ProvisioningCode"]).toBe(`pc-${diskIndex}`);
    }

    // Power back on for good: the pending changes go through, still no bootstrap.
    const since = acs.events.length;
    agent = AgentProcess.start(bundle.file, config);
    await acs.next("session.ended", (e) => e.deviceId === DEVICE && e.ok, since);
    const last = acs.events.slice(since).find((e) => e.name === "device.informed")!.payload as AcsEvents["device.informed"];
    // (4 VALUE CHANGE as well: each start listens on a new ephemeral port, so ConnectionRequestURL changed.)
    expect(last.events).toContain("1 BOOT");
    expect(last.bootstrap).toBe(false);

    const all = acs.named("device.informed").filter((e) => e.deviceId === DEVICE);
    expect(all.filter((e) => e.events.includes("0 BOOTSTRAP"))).toHaveLength(1);
    expect(all.slice(1).every((e) => !e.bootstrap && e.events.includes("1 BOOT"))).toBe(true);
    expect(informed.length).toBeGreaterThan(SESSIONS / 2);
    expect(midSession).toBeGreaterThanOrEqual(10);
    // Every Inform reported a ParameterKey at least as new as what the ACS had seen acknowledged before it.
    for (const r of reportedKeys) expect(keys.indexOf(r.key)).toBeGreaterThanOrEqual(r.ackedBefore);
    expect(readdirSync(join(dir, "state"))).toEqual([`${SERIAL}.json`]);
    console.info(`kill test: ${informed.length} Informs after restarts, ${midSession} kills landed mid-session, last acknowledged change #${acked}`);
  });
});
