// The `linux` driver: the CWMP device is the Linux system the agent runs on.
// The data model (linux-model.ts) reads the system when the ACS asks; Wi-Fi
// changes are written to the router's configuration before they are
// acknowledged; Reboot and FactoryReset run configured commands; TR-143
// speed tests are real HTTP transfers.

import type { CwmpFault, CwmpNamespace, DeviceId, Download } from "../../../acs/cwmp/messages.ts";
import { CPE_FAULTS } from "../../../acs/cwmp/faults.ts";
import { diagnosticsToRun } from "../../datamodel/diagnostics-rules.ts";
import { DeviceModel, type Identity, type ModelHost } from "../../datamodel/device-model.ts";
import type { Template } from "../../datamodel/template.ts";
import { isoSeconds } from "../../datamodel/values.ts";
import type { DriverDevice, SystemRestart, SystemRestartKind, TransferResult } from "../driver.ts";
import { runShapedDiagnostic } from "../sim/speed-test.ts";
import { runCommand } from "./commands.ts";
import type { LinuxIdentity } from "./linux-model.ts";
import type { WifiModel } from "./wifi/wifi-model.ts";

export interface LinuxDriverOptions {
  identity: LinuxIdentity;
  template: Template;
  wifi?: WifiModel;
  commands: { reboot?: string; factoryReset?: string; timeoutS: number };
  /** Inform parameters beyond the forced ones (e.g. the WAN address). */
  informExtra: readonly string[];
}

export class LinuxDevice implements DriverDevice {
  readonly model: DeviceModel;
  readonly namespace: CwmpNamespace = "urn:dslforum-org:cwmp-1-2";
  readonly readOptions = {};
  readonly informParams: readonly string[];

  constructor(
    host: ModelHost,
    ident: Identity,
    private readonly o: LinuxDriverOptions,
  ) {
    this.model = new DeviceModel(o.template, host, ident);
    const forced = [...o.template.params.values()].filter((p) => p.def.fi && !p.tpath.includes("{i}")).map((p) => p.tpath);
    this.informParams = [...forced, ...o.informExtra];
  }

  get deviceId(): DeviceId {
    const id = this.o.identity;
    return { manufacturer: id.manufacturer, oui: id.oui, productClass: id.productClass, serialNumber: id.serial };
  }

  boot(): void {
    // Uptime and counters are the system's own: nothing to restart here.
  }

  /** No file transfers on this driver yet: refused (9001) in the TransferComplete. */
  async download(_req: Download): Promise<TransferResult> {
    const now = isoSeconds(Date.now());
    return { fault: { faultCode: 9001, faultString: `${CPE_FAULTS[9001]}: the linux driver does not install files` }, startTime: now, completeTime: now, reboot: false };
  }

  commit(changed: readonly string[]): Promise<CwmpFault | undefined> {
    return this.o.wifi ? this.o.wifi.commit(this.model, changed) : Promise.resolve(undefined);
  }

  applied(changed: readonly string[]): string[] {
    return diagnosticsToRun(this.model, changed);
  }

  /** A real HTTP transfer at whatever rate the line gives (no shaping); HTTP only (DownloadTransports). */
  async runDiagnostic(objectPath: string, signal: AbortSignal): Promise<void> {
    const url = this.model.get(objectPath + (objectPath.endsWith("UploadDiagnostics.") ? "UploadURL" : "DownloadURL")) ?? "";
    if (!URL.canParse(url) || new URL(url).protocol !== "http:") {
      this.model.set(objectPath + "DiagnosticsState", "Error_InitConnectionFailed");
      return;
    }
    try {
      await runShapedDiagnostic(this.model, objectPath, Number.POSITIVE_INFINITY, signal);
    } catch {
      if (!signal.aborted) this.model.set(objectPath + "DiagnosticsState", "Error_Internal");
    }
  }

  async restartSystem(kind: SystemRestartKind): Promise<SystemRestart> {
    const command = kind === "reboot" ? this.o.commands.reboot : this.o.commands.factoryReset;
    if (!command) return { ok: false, error: `no ${kind} command configured` };
    const r = await runCommand(command, { timeoutMs: this.o.commands.timeoutS * 1000 });
    return r.ok ? { ok: true } : { ok: false, error: r.error };
  }
}
