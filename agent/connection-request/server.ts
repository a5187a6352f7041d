// The HTTP Connection Request server. One server serves every device of a
// fleet, each under its own random path (ConnectionRequestURL =
// http://<host>:<port>/<path>). 401 + Digest challenge first; on success an
// empty 200, and only then the device starts its session (6 CONNECTION REQUEST).

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkConnectionRequest } from "./auth.ts";
import { allowRequest, type RateWindow } from "./rate-limit.ts";

export interface CrTarget {
  /** Current ConnectionRequestUsername / Password (the ACS may have changed them). */
  crCredentials(): { username: string; password: string };
  /** False while the device is powered off: the request gets no answer at all. */
  readonly online: boolean;
  /** Called once the 200 has been sent. */
  connectionRequest(): void;
  crWindow?: RateWindow;
}

export class ConnectionRequestServer {
  private readonly targets = new Map<string, CrTarget>();
  private readonly secret = randomBytes(16).toString("hex");
  private readonly server: Server;
  private bound?: AddressInfo;

  constructor(private readonly publicHost = "127.0.0.1") {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.bound = this.server.address() as AddressInfo;
  }

  get port(): number {
    return this.bound?.port ?? 0;
  }

  /** The ConnectionRequestURL for a device path, or "" before listen(). */
  urlFor(path: string): string {
    return this.bound ? `http://${this.publicHost}:${this.bound.port}/${path}` : "";
  }

  register(path: string, target: CrTarget): void {
    this.targets.set(`/${path}`, target);
  }

  unregister(path: string): void {
    this.targets.delete(`/${path}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const target = this.targets.get(url.split("?")[0]!);
    const reply = (status: number, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-length": "0", ...headers });
      res.end();
    };
    // A CR has no body; drain anything sent so the socket stays usable.
    req.resume();
    if (!target) return reply(404);
    if (!target.online) {
      req.socket.destroy();
      return;
    }
    if (req.method !== "GET") return reply(405, { allow: "GET" });
    const { username, password } = target.crCredentials();
    const auth = checkConnectionRequest({ authorization: req.headers.authorization, method: "GET", url, username, password, secret: this.secret });
    if (!auth.ok) return reply(401, { "www-authenticate": auth.challenge });
    if (!allowRequest((target.crWindow ??= { start: 0, count: 0 }), Date.now())) return reply(503);
    res.on("finish", () => target.connectionRequest());
    reply(200);
  }
}
