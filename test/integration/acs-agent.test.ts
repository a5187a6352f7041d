// The real device agent against the real CWMP listener: a simulated fleet of
// each model boots, registers with its parameters, then takes a
// setParameterValues task delivered after a connection request, and the new
// value is read back both from the device and through a getParameterValues task.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../agent/fleet/fleet.ts";
import { createConnectionRequester } from "../../acs/connreq/requester.ts";
import { deviceIdOf } from "../../acs/sessions/device-id.ts";
import { AcsUnderTest, BOOT } from "./helpers/acs-under-test.ts";

let acs: AcsUnderTest | null = null;
let fleet: Fleet | null = null;
let stateDir: string | null = null;

afterEach(async () => {
  await fleet?.stop();
  fleet = null;
  await acs?.close();
  acs = null;
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  stateDir = null;
});

const ROOTS = { "router-tr181": "Device.", "ont-tr181": "Device.", "router-tr098": "InternetGatewayDevice." } as const;
const DATA_MODEL = { "router-tr181": "tr181", "ont-tr181": "tr181", "router-tr098": "tr098" } as const;

describe("ACS with the simulated device agent", () => {
  it("a fleet of every model registers, then applies tasks delivered after connection requests", async () => {
    const a = (acs = await AcsUnderTest.start());
    stateDir = mkdtempSync(join(tmpdir(), "flexacs-fleet-"));
    fleet = await startFleet({
      acsUrl: a.url, count: 3, model: "mix", stateDir, fsync: false,
      username: BOOT.username, password: BOOT.password, periodicInterval: 0, seed: 7,
    });

    const booted = await fleet.bootAll();
    expect(booted.map((r) => r.ok)).toEqual([true, true, true]);
    expect(new Set(fleet.devices.map((d) => d.model))).toEqual(new Set(Object.keys(ROOTS)));

    const requester = createConnectionRequester({ store: a.store, logger: pino({ level: "silent" }) });
    for (const device of fleet.devices) {
      const model = device.model as keyof typeof ROOTS;
      const root = ROOTS[model];
      const id = deviceIdOf({
        oui: device.getValue(`${root}DeviceInfo.ManufacturerOUI`)!,
        productClass: device.getValue(`${root}DeviceInfo.ProductClass`)!,
        serialNumber: device.serial,
      })!;

      // Registered with what its Inform said.
      const record = await a.store.getDevice(id);
      expect(record).toMatchObject({
        serialNumber: device.serial,
        dataModel: DATA_MODEL[model],
        softwareVersion: device.getValue(`${root}DeviceInfo.SoftwareVersion`),
        connectionRequestUrl: device.connectionRequestUrl,
        lastRemoteAddress: "127.0.0.1",
      });
      expect(record?.lastEvents).toContain("1 BOOT");
      const params = await a.store.getParameters(id, [`${root}DeviceInfo.SoftwareVersion`, `${root}ManagementServer.ConnectionRequestURL`]);
      expect(params.get(`${root}ManagementServer.ConnectionRequestURL`)?.value).toBe(device.connectionRequestUrl);

      // A setting change: queued, the device is woken, the task is applied and confirmed.
      const path = `${root}DeviceInfo.ProvisioningCode`;
      const value = `FLX-${device.serial}`;
      await a.store.setCredentials(id, { connectionRequestUsername: device.crCredentials().username, connectionRequestPassword: device.crCredentials().password });
      const spv = await a.store.addTask({ deviceId: id, name: "setParameterValues", createdBy: "test", args: { parameterValues: [[path, value, "xsd:string"]] } });
      const readBack = await a.store.addTask({ deviceId: id, name: "getParameterValues", createdBy: "test", args: { parameterNames: [path] } });
      const done = a.next("task.done", (e) => e.task.id === readBack.id);
      expect(await requester.wake(id)).toMatchObject({ ok: true, via: "http" });
      await done;

      expect(device.getValue(path)).toBe(value);
      expect(await a.store.getTask(spv.id)).toMatchObject({ status: "done", result: { status: 0 } });
      expect(await a.store.getTask(readBack.id)).toMatchObject({ status: "done", result: { parameterValues: [[path, value, "xsd:string"]] } });
      expect((await a.store.getParameters(id, [path])).get(path)?.value).toBe(value);
      expect((await a.store.getDevice(id))?.lastEvents).toContain("6 CONNECTION REQUEST");

      // A subtree refresh (GetParameterNames, then the values) brings writability and every leaf.
      const subtree = `${root}ManagementServer.`;
      const refresh = await a.store.addTask({ deviceId: id, name: "refreshObject", createdBy: "test", args: { objectName: subtree } });
      const refreshed = a.next("task.done", (e) => e.task.id === refresh.id);
      expect(await requester.wake(id)).toMatchObject({ ok: true });
      await refreshed;
      const tree = await a.store.getParameters(id, [subtree]);
      expect(tree.get(`${subtree}PeriodicInformInterval`)).toMatchObject({ writable: true, value: device.getValue(`${subtree}PeriodicInformInterval`) });
      expect(tree.get(`${subtree}ConnectionRequestURL`)).toMatchObject({ writable: false, value: device.connectionRequestUrl });
      // Secrets read back empty from the device, and stay so in the store.
      expect(tree.get(`${subtree}ConnectionRequestPassword`)?.value).toBe("");
    }
  });
});
