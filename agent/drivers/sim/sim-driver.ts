// The `sim` driver: a device backed only by a shared model template and its
// own small overlay. Transfers and diagnostics are simulated.

import type { CwmpNamespace, DeviceId, Download } from "../../../acs/cwmp/messages.ts";
import { DeviceModel, type Identity, type ModelHost } from "../../datamodel/device-model.ts";
import { isoSeconds } from "../../datamodel/values.ts";
import type { DriverDevice, TransferResult } from "../driver.ts";
import { diagnosticsToRun } from "../../datamodel/diagnostics-rules.ts";
import { completeDiagnostic } from "./diagnostics.ts";
import { setLineBehaviour, testRateMbps, type LineBehaviour } from "./line-behaviour.ts";
import { compile, type CompiledModel, type ModelName } from "./model-spec.ts";
import { MODELS } from "./models/index.ts";
import { isRealTestUrl, runShapedDiagnostic } from "./speed-test.ts";
import { firmwareVersionOf, sleep, transfer, type TransferOptions } from "./transfer.ts";

/** Options shared by every simulated device of a fleet. */
export interface SimOptions extends TransferOptions {
  /** Wall-clock time a simulated diagnostic takes. */
  diagnosticsDelayMs: number;
}

export class SimDevice implements DriverDevice {
  readonly model: DeviceModel;
  private readonly c: CompiledModel;
  /** Speed tests run so far per direction (the flapping behaviour alternates on it). */
  private testsRun?: { download: number; upload: number };

  constructor(
    readonly name: ModelName,
    host: ModelHost,
    ident: Identity,
    private readonly opts: SimOptions,
    /** Simulated line behaviour: speed tests become real shaped transfers. */
    private readonly behaviour?: LineBehaviour,
  ) {
    this.c = compile(MODELS[name]);
    this.model = new DeviceModel(this.c.template, host, ident);
    setLineBehaviour(this.model, behaviour);
  }

  get deviceId(): DeviceId {
    const m = this.c.model;
    return { manufacturer: m.manufacturer, oui: m.oui, productClass: m.productClass, serialNumber: this.model.ident.serial };
  }

  get namespace(): CwmpNamespace {
    return this.c.model.cwmpNamespace;
  }

  get readOptions(): { booleanDigits?: boolean } {
    return this.c.model.booleanDigits ? { booleanDigits: true } : {};
  }

  get informParams(): readonly string[] {
    return this.c.informParams;
  }

  boot(): void {
    this.model.bootTime = this.model.host.now();
  }

  async download(req: Download, signal: AbortSignal): Promise<TransferResult> {
    const startTime = isoSeconds(this.model.host.now());
    const fault = await transfer(req, this.opts, signal, this.model.ident.seed);
    const firmware = req.fileType.startsWith("1 ");
    if (fault.faultCode === 0 && firmware) {
      const sw = `${this.model.root}DeviceInfo.SoftwareVersion`;
      this.model.set(sw, firmwareVersionOf(req, this.model.get(sw) ?? ""));
    }
    const reboot = fault.faultCode === 0 && (firmware || req.fileType.startsWith("3 "));
    return { fault, startTime, completeTime: isoSeconds(this.model.host.now()), reboot };
  }

  applied(changed: readonly string[]): string[] {
    return diagnosticsToRun(this.model, changed);
  }

  async runDiagnostic(objectPath: string, signal: AbortSignal): Promise<void> {
    if (this.behaviour && isRealTestUrl(this.model, objectPath)) {
      const dir = objectPath.endsWith("UploadDiagnostics.") ? "upload" : "download";
      const runs = (this.testsRun ??= { download: 0, upload: 0 });
      const nominal = dir === "upload" ? (this.behaviour.uploadMbps ?? this.c.model.uplinkMbps) : (this.behaviour.downloadMbps ?? this.c.model.downlinkMbps);
      const rate = testRateMbps(this.behaviour, nominal, this.model.host.now(), runs[dir]++);
      return runShapedDiagnostic(this.model, objectPath, rate, signal);
    }
    await sleep(this.opts.diagnosticsDelayMs, signal);
    if (!signal.aborted && this.model.get(objectPath + "DiagnosticsState") === "Requested") {
      completeDiagnostic(this.model, this.c.model, objectPath, this.opts.random);
    }
  }
}
