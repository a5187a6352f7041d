// One ACS instance as an operator runs it: `node --import tsx acs/main.ts`
// in a child process (bench/lib/processes.ts starts it), ports picked by the
// kernel and read back from its "FlexACS started" log line, its REST API
// called over HTTP. For tests of several instances sharing one store.

import { startTsChild, type Child } from "../../../bench/lib/processes.ts";

export interface AcsInstanceOptions {
  instanceId: string;
  /** --store value, e.g. mongodb://127.0.0.1:PORT/db. */
  store: string;
  dataDir: string;
  nonceSecret: string;
  bootstrap: { username: string; password: string };
  /** Extra flags, e.g. ["--session-idle-timeout", "5s"]. */
  args?: string[];
  /** The store is empty: wait for the admin token banner too (printed beside the start log line, in no set order). */
  firstStart?: boolean;
}

const TOKEN_LINE = /^\s+(flx_\S+)$/m;

export class AcsInstance {
  private constructor(
    readonly id: string,
    private readonly child: Child & { stdout: () => string },
    readonly cwmpUrl: string,
    readonly apiUrl: string,
    /** The admin token printed at the first start on an empty store, else null. */
    readonly initialAdminToken: string | null,
  ) {}

  static async start(o: AcsInstanceOptions): Promise<AcsInstance> {
    const child = await startTsChild("acs/main.ts", [
      "start", "--store", o.store, "--instance-id", o.instanceId, "--nonce-secret", o.nonceSecret, "--data-dir", o.dataDir,
      "--cwmp-host", "127.0.0.1", "--cwmp-port", "0", "--api-port", "0",
      "--bootstrap-username", o.bootstrap.username, "--bootstrap-password", o.bootstrap.password,
      ...(o.args ?? []),
    ], (out) => out.includes('"msg":"FlexACS started"') && (!o.firstStart || TOKEN_LINE.test(out)));
    const started = child.stdout().split("\n").find((l) => l.includes('"msg":"FlexACS started"'))!;
    const { cwmpUrl, apiUrl } = JSON.parse(started) as { cwmpUrl: string; apiUrl: string };
    const token = TOKEN_LINE.exec(child.stdout())?.[1] ?? null;
    return new AcsInstance(o.instanceId, child, cwmpUrl, apiUrl, token);
  }

  get cwmpPort(): number {
    return Number(new URL(this.cwmpUrl).port);
  }

  /** Its log lines (JSON) with this `msg`. */
  logLines(msg: string): Record<string, unknown>[] {
    const needle = `"msg":${JSON.stringify(msg)}`;
    return this.child.stdout().split("\n").filter((l) => l.includes(needle)).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async api<T = any>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(new URL(path, this.apiUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  }

  private get exited(): boolean {
    return this.child.proc.exitCode !== null || this.child.proc.signalCode !== null;
  }

  /** kill -9: no shutdown, leases left to expire, sessions cut. */
  async kill9(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.child.proc.once("exit", r));
    this.child.proc.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM (a clean shutdown), unless it is gone already. */
  async stop(): Promise<void> {
    if (!this.exited) await this.child.stop();
  }
}
