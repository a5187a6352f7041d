// The simulated CPE's real download (agent/drivers/sim/http-download.ts)
// against a real HTTP server on 127.0.0.1: an image is accepted only when its
// size is the Download's FileSize and its SHA-256 the one the server declares.

import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Download } from "../../acs/cwmp/messages.ts";
import { fetchVerified } from "../../agent/drivers/sim/http-download.ts";

const IMAGE = randomBytes(50_000);
const b64 = (data: Buffer): string => createHash("sha256").update(data).digest("base64");

let server: Server | null = null;
afterEach(async () => {
  await new Promise((done) => server?.close(done) ?? done(undefined));
  server = null;
});

/** Serves IMAGE at every path with the digest header chosen by the path. */
async function fileServer(): Promise<string> {
  server = createServer((req, res) => {
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (req.url === "/repr.bin") headers["repr-digest"] = `sha-256=:${b64(IMAGE)}:`;
    if (req.url === "/legacy.bin") headers.digest = `SHA-256=${b64(IMAGE)}`;
    if (req.url === "/wrong.bin") headers["repr-digest"] = `sha-256=:${b64(Buffer.from("other"))}:`;
    if (req.url === "/missing.bin") return res.writeHead(404).end();
    res.writeHead(200, headers).end(IMAGE);
  });
  await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const download = (url: string, fileSize: number): Download => ({
  kind: "Download", commandKey: "k", fileType: "1 Firmware Upgrade Image", url, username: "", password: "",
  fileSize, targetFileName: "", delaySeconds: 0, successURL: "", failureURL: "",
});

describe("simulated CPE download", () => {
  it("checks the size and the declared SHA-256 of what it fetched", async () => {
    const base = await fileServer();
    const fetch = (path: string, size = IMAGE.length) => fetchVerified(new URL(base + path), download(base + path, size), new AbortController().signal);
    expect(await fetch("/repr.bin")).toBe(0);
    expect(await fetch("/legacy.bin")).toBe(0);
    expect(await fetch("/plain.bin")).toBe(0); // no digest declared: the size is all there is to check
    expect(await fetch("/plain.bin", 0)).toBe(0); // FileSize 0: unknown
    expect(await fetch("/wrong.bin")).toBe(9018);
    expect(await fetch("/repr.bin", IMAGE.length - 1)).toBe(9018);
    expect(await fetch("/missing.bin")).toBe(9016);
  });
});
