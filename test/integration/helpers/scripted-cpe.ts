// A scripted CPE for listener tests: real HTTP on one keep-alive socket, real
// CWMP XML (built with the codec), Digest answered like curl-based CPEs do
// (nonce reused with an increasing nc), cookies replayed unless told not to.

import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { parseEnvelope, serializeEnvelope } from "../../../acs/cwmp/codec.ts";
import { buildDigestAuthorization, parseChallenge, type DigestChallenge } from "../../../acs/cwmp/digest.ts";
import type { CwmpNamespace, DeviceId, Envelope, Inform, ParameterValue } from "../../../acs/cwmp/messages.ts";

export const NS: CwmpNamespace = "urn:dslforum-org:cwmp-1-2";

export interface CpeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  envelope: Envelope | null;
}

export interface ScriptedCpeOptions {
  url: string;
  username: string;
  password: string;
  deviceId?: DeviceId;
  /** Do not replay Set-Cookie (the session must follow the TCP connection). */
  dropCookies?: boolean;
  /** For https URLs: the CA to trust. */
  ca?: Buffer;
  /** A connection pool shared with other CPEs (as a simulated fleet does); closed by its owner. */
  agent?: Agent;
}

export const DEVICE: DeviceId = { manufacturer: "ExampleCo", oui: "00D09E", productClass: "HGW", serialNumber: "SN0001" };

export function informParams(crUrl = "http://127.0.0.1:7547/cr", extra: ParameterValue[] = []): ParameterValue[] {
  return [
    { name: "Device.RootDataModelVersion", value: "2.15", type: "xsd:string" },
    { name: "Device.DeviceInfo.HardwareVersion", value: "HW-1.0", type: "xsd:string" },
    { name: "Device.DeviceInfo.SoftwareVersion", value: "3.2.14", type: "xsd:string" },
    { name: "Device.ManagementServer.ParameterKey", value: "", type: "xsd:string" },
    { name: "Device.ManagementServer.ConnectionRequestURL", value: crUrl, type: "xsd:string" },
    { name: "Device.ManagementServer.PeriodicInformInterval", value: "300", type: "xsd:unsignedInt" },
    ...extra,
  ];
}

export class ScriptedCpe {
  readonly deviceId: DeviceId;
  private readonly agent: Agent;
  private cookie: string | null = null;
  private challenge: DigestChallenge | null = null;
  private nc = 0;
  private informId = 0;

  constructor(private readonly opts: ScriptedCpeOptions) {
    this.deviceId = opts.deviceId ?? DEVICE;
    const https = opts.url.startsWith("https:");
    this.agent = opts.agent ?? (https ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: opts.ca }) : new Agent({ keepAlive: true, maxSockets: 1 }));
  }

  informEnvelope(events: string[] = ["2 PERIODIC"], params: ParameterValue[] = informParams(), headers: Partial<Envelope> = {}): Envelope {
    const body: Inform = {
      kind: "Inform",
      deviceId: this.deviceId,
      events: events.map((eventCode) => ({ eventCode, commandKey: "" })),
      maxEnvelopes: 1,
      currentTime: new Date().toISOString(),
      retryCount: 0,
      parameterList: params,
    };
    return { namespace: NS, id: `inf-${++this.informId}`, ...headers, body };
  }

  inform(events?: string[], params?: ParameterValue[], headers?: Partial<Envelope>): Promise<CpeResponse> {
    return this.post(serializeEnvelope(this.informEnvelope(events, params, headers)));
  }

  emptyPost(): Promise<CpeResponse> {
    return this.post(null);
  }

  /** Answers an ACS request: `body` sent with the request's cwmp:ID. */
  respond(to: Envelope, body: Envelope["body"]): Promise<CpeResponse> {
    return this.post(serializeEnvelope({ namespace: to.namespace, id: to.id, body }));
  }

  /** POSTs raw bytes (or nothing); answers one Digest challenge, like a CPE. */
  async post(body: string | Buffer | null, headers: Record<string, string | null> = {}): Promise<CpeResponse> {
    let r = await this.send(body, headers);
    if (r.status === 401) {
      const values = ([] as string[]).concat(r.headers["www-authenticate"] ?? []);
      this.challenge = values.map((v) => parseChallenge(v)).find((c) => c !== null) ?? null;
      this.nc = 0;
      if (this.challenge) r = await this.send(body, headers);
    }
    return r;
  }

  /** Destroys the socket: the CPE "dies" mid-session. */
  kill(): void {
    this.agent.destroy();
  }

  close(): void {
    this.agent.destroy();
  }

  private send(body: string | Buffer | null, extra: Record<string, string | null>): Promise<CpeResponse> {
    const url = new URL(this.opts.url);
    const headers: Record<string, string> = {};
    if (body !== null) headers["content-type"] = 'text/xml; charset="utf-8"';
    else headers["content-length"] = "0";
    if (this.cookie) headers.cookie = this.cookie;
    if (this.challenge) {
      headers.authorization = buildDigestAuthorization(this.challenge, this.opts.username, this.opts.password, "POST", url.pathname, ++this.nc);
    }
    // A header given as null is left out (e.g. no Content-Type at all).
    for (const [k, v] of Object.entries(extra)) if (v === null) delete headers[k]; else headers[k] = v;
    const doRequest = url.protocol === "https:" ? httpsRequest : request;
    return new Promise((resolve, reject) => {
      const req = doRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers, agent: this.agent, ...(this.opts.ca && { ca: this.opts.ca }) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const setCookie = res.headers["set-cookie"]?.[0];
            if (setCookie && !this.opts.dropCookies) this.cookie = setCookie.split(";")[0]!;
            const text = Buffer.concat(chunks).toString("utf8");
            const isXml = (res.headers["content-type"] ?? "").startsWith("text/xml");
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, envelope: isXml ? parseEnvelope(text) : null });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body ?? undefined);
    });
  }
}
