// Client side of fixtures/acs-process.ts: starts FlexACS in a child process
// (in a network namespace when given) and talks to its REST API over IPC.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { AcsReplyMessage, AcsRequestMessage } from "../fixtures/acs-process.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/acs-process.ts");

type Reply = Extract<AcsReplyMessage, { id: number }>;
type Pending = (m: Reply) => void;
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export class AcsProcess {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly child: ChildProcess,
    readonly cwmpUrl: string,
  ) {
    child.on("message", (m: AcsReplyMessage) => {
      if ("id" in m && !("type" in m)) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }

  static async start(o: { netns?: string; cwmpHost: string; dataDir: string; username: string; password: string }): Promise<AcsProcess> {
    const node = [process.execPath, "--import", "tsx", FIXTURE];
    const [cmd, ...args] = o.netns ? ["ip", "netns", "exec", o.netns, ...node] : node;
    const child = spawn(cmd!, args, {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, FLX_ACS: JSON.stringify({ cwmpHost: o.cwmpHost, dataDir: o.dataDir, username: o.username, password: o.password }) },
    });
    const ready = await new Promise<AcsReplyMessage>((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`ACS process exited with ${code}`)));
    });
    if (!("cwmpUrl" in ready)) throw new Error("ACS process did not start");
    return new AcsProcess(child, ready.cwmpUrl);
  }

  private call(m: WithoutId<AcsRequestMessage>): Promise<Reply> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (r) => (r.error ? reject(new Error(r.error)) : resolve(r)));
      this.child.send({ ...m, id });
    });
  }

  /** A REST API call as the admin token; `body` is the parsed JSON reply. */
  async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r = await this.call({ op: "api", method, path, body });
    return { status: r.status!, body: r.body as T };
  }

  async setConnectionRequestCredentials(deviceId: string, username: string, password: string): Promise<void> {
    await this.call({ op: "setCredentials", deviceId, username, password });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    await this.call({ op: "close" }).catch(() => undefined);
    await exited;
  }
}
