// Firmware files over real sockets: uploaded through the API (streamed past
// the API's body limit, digest checked, nothing kept when refused, the bytes
// kept in the store) and served to CPEs on the CWMP listener with HTTP
// Range, ETag and HEAD, from the disk cache the store refills.

import { createHash, randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { IMAGE_CHUNK_BYTES } from "../../acs/firmware/firmware-repository.ts";
import { FirmwareAcs } from "./helpers/firmware-acs.ts";

let acs: FirmwareAcs | null = null;
afterEach(async () => {
  await acs?.close();
  acs = null;
});

/** 300 KiB: several times the test API's 64 KiB body limit, so only a streamed upload gets through. */
const IMAGE = randomBytes(300 * 1024);
const SHA = createHash("sha256").update(IMAGE).digest("hex");
const NAME = "hw-ax3000-3.2.15.bin";

async function upload(a: FirmwareAcs, query: string, body: Buffer = IMAGE, token?: string) {
  return a.call("POST", `/api/firmware?${query}`, { raw: body, token });
}

/** What is on disk besides the (empty) incoming and fetching folders. */
const storedFiles = (a: FirmwareAcs): string[] => [
  ...readdirSync(a.firmwareDir).filter((f) => f !== ".incoming" && f !== ".fetching"),
  ...readdirSync(join(a.firmwareDir, ".incoming")),
  ...readdirSync(join(a.firmwareDir, ".fetching")),
];

async function storedImage(a: FirmwareAcs, name: string): Promise<Buffer | null> {
  const stream = await a.repo.openImage(name);
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("firmware files", () => {
  it("serves an uploaded image whole, by range, by HEAD and conditionally", async () => {
    const a = (acs = await FirmwareAcs.start());
    const up = await upload(a, `name=${NAME}&version=3.2.15&sha256=${SHA.toUpperCase()}`);
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ name: NAME, version: "3.2.15", size: IMAGE.length, sha256: SHA, uploadedBy: "admin-fw", profile: null });
    expect((await a.call("GET", "/api/firmware", { token: a.tokens.noc })).json.items.map((f: { name: string }) => f.name)).toEqual([NAME]);

    const url = `${a.cwmpBase}/firmware/${NAME}`;
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(IMAGE)).toBe(true);
    const etag = `"${SHA}"`;
    expect(whole.headers.get("etag")).toBe(etag);
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(whole.headers.get("repr-digest")).toBe(`sha-256=:${Buffer.from(SHA, "hex").toString("base64")}:`);

    const head = await fetch(url, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), head.headers.get("etag")]).toEqual([200, String(IMAGE.length), etag]);
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const part = async (range: string, extra: Record<string, string> = {}) => {
      const r = await fetch(url, { headers: { range, ...extra } });
      return { status: r.status, contentRange: r.headers.get("content-range"), body: Buffer.from(await r.arrayBuffer()) };
    };
    const mid = await part("bytes=100-199");
    expect([mid.status, mid.contentRange]).toEqual([206, `bytes 100-199/${IMAGE.length}`]);
    expect(mid.body.equals(IMAGE.subarray(100, 200))).toBe(true);
    const suffix = await part("bytes=-10");
    expect([suffix.status, suffix.contentRange]).toEqual([206, `bytes ${IMAGE.length - 10}-${IMAGE.length - 1}/${IMAGE.length}`]);
    expect(suffix.body.equals(IMAGE.subarray(IMAGE.length - 10))).toBe(true);
    const resume = await part("bytes=200000-", { "if-range": etag });
    expect(resume.status).toBe(206);
    expect(resume.body.equals(IMAGE.subarray(200000))).toBe(true);
    // A resume against another version of the file gets the whole current one.
    const stale = await part("bytes=200000-", { "if-range": `"${"0".repeat(64)}"` });
    expect([stale.status, stale.body.length]).toEqual([200, IMAGE.length]);
    // Several ranges are not served as multipart: the whole file.
    expect((await part("bytes=0-1,5-6")).status).toBe(200);
    const beyond = await part(`bytes=${IMAGE.length}-`);
    expect([beyond.status, beyond.contentRange, beyond.body.length]).toEqual([416, `bytes */${IMAGE.length}`, 0]);

    expect((await fetch(url, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(`${a.cwmpBase}/firmware/nope.bin`)).status).toBe(404);
  });

  it("keeps the bytes in the store and refetches an image gone from the disk cache for concurrent downloads", async () => {
    const a = (acs = await FirmwareAcs.start());
    expect((await upload(a, `name=${NAME}&version=3.2.15&sha256=${SHA}`)).status).toBe(201);
    expect((await storedImage(a, NAME))?.equals(IMAGE)).toBe(true);
    expect(storedFiles(a)).toEqual([SHA]);

    rmSync(join(a.firmwareDir, SHA));
    const url = `${a.cwmpBase}/firmware/${NAME}`;
    const [whole, part, head] = await Promise.all([fetch(url), fetch(url, { headers: { range: "bytes=1000-1999" } }), fetch(url, { method: "HEAD" })]);
    expect([whole.status, whole.headers.get("etag")]).toEqual([200, `"${SHA}"`]);
    expect(Buffer.from(await whole.arrayBuffer()).equals(IMAGE)).toBe(true);
    expect([part.status, part.headers.get("content-range")]).toEqual([206, `bytes 1000-1999/${IMAGE.length}`]);
    expect(Buffer.from(await part.arrayBuffer()).equals(IMAGE.subarray(1000, 2000))).toBe(true);
    expect([head.status, head.headers.get("content-length")]).toEqual([200, String(IMAGE.length)]);
    // Back in the cache, no fetch left behind.
    expect(storedFiles(a)).toEqual([SHA]);
  });

  it("never caches or serves store bytes that are not the recorded image", async () => {
    const a = (acs = await FirmwareAcs.start());
    expect((await upload(a, `name=${NAME}&version=3.2.15&sha256=${SHA}`)).status).toBe(201);
    rmSync(join(a.firmwareDir, SHA));
    // One byte of the stored image altered behind the ACS's back.
    const db = new Database(join(a.dir, "acs.db"));
    try {
      db.prepare("UPDATE firmware_file_chunks SET data = ? WHERE name = ? AND seq = 1").run(Buffer.alloc(IMAGE_CHUNK_BYTES, 0), NAME);
    } finally {
      db.close();
    }
    const r = await fetch(`${a.cwmpBase}/firmware/${NAME}`);
    expect([r.status, await r.text()]).toEqual([503, "firmware file not available on this ACS instance now\n"]);
    expect(storedFiles(a)).toEqual([]);
  });

  it("refuses an upload whose SHA-256 is not the declared one, and keeps nothing", async () => {
    const a = (acs = await FirmwareAcs.start());
    const wrong = createHash("sha256").update("something else").digest("hex");
    const r = await upload(a, `name=${NAME}&version=3.2.15&sha256=${wrong}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("FLX_ERR_CHECKSUM");
    expect(r.json.message).toContain(SHA);
    expect((await a.call("GET", "/api/firmware")).json.items).toEqual([]);
    expect(storedFiles(a)).toEqual([]);
    expect((await fetch(`${a.cwmpBase}/firmware/${NAME}`)).status).toBe(404);
    // The name is still free for the right image.
    expect((await upload(a, `name=${NAME}&version=3.2.15&sha256=${SHA}`)).status).toBe(201);
    expect(storedFiles(a)).toEqual([SHA]);
  });

  it("refuses other bad uploads with a clear error, keeping nothing", async () => {
    const a = (acs = await FirmwareAcs.start({ maxBytes: 100 * 1024 }));
    const tooBig = await upload(a, `name=${NAME}&version=3.2.15&sha256=${SHA}`);
    expect([tooBig.status, tooBig.json.error]).toEqual([413, "FLX_ERR_BODY_TOO_LARGE"]);
    expect(storedFiles(a)).toEqual([]);

    const small = IMAGE.subarray(0, 1000);
    const smallSha = createHash("sha256").update(small).digest("hex");
    expect((await upload(a, `name=${NAME}&version=3.2.15&sha256=${smallSha}`, small, a.tokens.noc)).status).toBe(403);
    expect((await upload(a, `name=../etc/passwd&version=1&sha256=${smallSha}`, small)).status).toBe(400);
    expect((await upload(a, `name=${NAME}&sha256=${smallSha}`, small)).json.message).toContain("version is required");
    // Checked against a profile: the declared digest must be the profile's target image (refused before reading).
    const profiled = await upload(a, `name=${NAME}&sha256=${smallSha}&profile=firmware-profiles/homewave/hw-ax3000.ts`, small);
    expect([profiled.status, profiled.json.error]).toEqual([400, "FLX_ERR_CHECKSUM"]);
    expect(profiled.json.message).toContain("hw-ax3000-3.2.15.bin");
    expect(storedFiles(a)).toEqual([]);

    expect((await upload(a, `name=${NAME}&version=3.2.15&sha256=${smallSha}`, small)).status).toBe(201);
    const taken = await upload(a, `name=${NAME}&version=3.2.16&sha256=${smallSha}`, small);
    expect([taken.status, taken.json.error]).toEqual([409, "FLX_ERR_CONFLICT"]);
    expect((await a.call("GET", "/api/firmware")).json.items).toMatchObject([{ name: NAME, version: "3.2.15" }]);
  });
});
