// Throw-away Linux network namespaces for integration tests (needs root and
// iproute2). Every name carries the test process id, every address is in a
// private /30 that exists only inside these namespaces, and destroy() (or
// the process exiting) removes them with their veth pairs.

import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export class NetnsLab {
  private readonly names: string[] = [];
  private readonly onExit = (): void => this.destroySync();

  constructor(readonly tag = `flx${process.pid}`) {
    process.once("exit", this.onExit);
  }

  /** Creates namespace `<tag>-<suffix>` with its loopback up; returns its name. */
  add(suffix: string): string {
    const name = `${this.tag}-${suffix}`;
    this.ip("netns", "add", name);
    this.names.push(name);
    this.ip("-n", name, "link", "set", "lo", "up");
    return name;
  }

  /** A veth pair: `a` in namespace `nsA` with `addrA`, `b` in `nsB` with `addrB` (CIDR), both up. */
  veth(nsA: string, a: string, addrA: string, nsB: string, b: string, addrB: string, mtu = 1500): void {
    this.ip("-n", nsA, "link", "add", a, "mtu", String(mtu), "type", "veth", "peer", "name", b, "netns", nsB, "mtu", String(mtu));
    this.ip("-n", nsA, "addr", "add", addrA, "dev", a);
    this.ip("-n", nsB, "addr", "add", addrB, "dev", b);
    this.ip("-n", nsA, "link", "set", a, "up");
    this.ip("-n", nsB, "link", "set", b, "up");
  }

  ip(...args: string[]): string {
    return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** A process inside a namespace. */
  spawn(ns: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    return spawn("ip", ["netns", "exec", ns, cmd, ...args], opts);
  }

  /** Reads a file of /sys/class/net as the namespace sees it. */
  sys(ns: string, path: string): string {
    return execFileSync("ip", ["netns", "exec", ns, "cat", `/sys/class/net/${path}`], { encoding: "utf8" }).trim();
  }

  destroySync(): void {
    for (const n of this.names.splice(0).reverse()) {
      try {
        execFileSync("ip", ["netns", "del", n], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
    process.off("exit", this.onExit);
  }
}
