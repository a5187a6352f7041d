// Firmware images shared through the store: two ACS instances (acs/main.ts
// processes, each with its own data dir) on one MongoDB store (FerretDB).
// An image uploaded through instance A is downloaded from instance B, which
// never saw the upload: whole, by range and resumed with If-Range, byte for
// byte the upload, under the same ETag, B fetching it from the store once
// for concurrent downloads and keeping it in its own disk cache.

import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFerretDB, type FerretDB } from "../helpers/ferretdb.ts";
import { AcsInstance } from "./helpers/acs-instance.ts";

const BOOTSTRAP = { username: "fw-boot", password: "fw-bootstrap-secret" };
/** 2 MiB and a bit: several store chunks, the last one partial. */
const IMAGE = randomBytes(2 * 1024 * 1024 + 4321);
const SHA = createHash("sha256").update(IMAGE).digest("hex");
const NAME = "hw-ax3000-3.2.15.bin";

describe("firmware images on two ACS instances sharing one MongoDB store", () => {
  let ferret: FerretDB;
  let dir: string;
  let a: AcsInstance;
  let b: AcsInstance;
  let token: string;

  beforeAll(async () => {
    ferret = await startFerretDB();
    dir = await mkdtemp(join(tmpdir(), "flexacs-fw-shared-"));
    const common = { store: `${ferret.url}flexacs_fw_shared`, nonceSecret: "fw-shared-nonce-secret", bootstrap: BOOTSTRAP };
    a = await AcsInstance.start({ ...common, instanceId: "acs-a", dataDir: join(dir, "a"), firstStart: true });
    token = a.initialAdminToken!;
    b = await AcsInstance.start({ ...common, instanceId: "acs-b", dataDir: join(dir, "b") });
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await ferret?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("serves on instance B, whole and by range with the same ETag, an image uploaded through instance A", async () => {
    const up = await fetch(new URL(`/api/firmware?name=${NAME}&version=3.2.15&sha256=${SHA}`, a.apiUrl), {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" }, body: new Uint8Array(IMAGE),
    });
    expect(up.status).toBe(201);
    // B lists it through the store, and does not have it on disk yet.
    expect((await b.api(token, "GET", "/api/firmware")).json.items).toMatchObject([{ name: NAME, size: IMAGE.length, sha256: SHA }]);
    const cached = (instance: string): string[] => readdirSync(join(dir, instance, "firmware")).filter((f) => !f.startsWith("."));
    expect(cached("b")).toEqual([]);

    const base = (i: AcsInstance): string => new URL(`/firmware/${NAME}`, i.cwmpUrl).href;
    // Concurrent first downloads from B: one fetch from the store serves them all.
    const [whole, part, head] = await Promise.all([
      fetch(base(b)),
      fetch(base(b), { headers: { range: "bytes=262000-530000" } }),
      fetch(base(b), { method: "HEAD" }),
    ]);
    const etag = `"${SHA}"`;
    expect([whole.status, whole.headers.get("etag"), whole.headers.get("content-length")]).toEqual([200, etag, String(IMAGE.length)]);
    expect(Buffer.from(await whole.arrayBuffer()).equals(IMAGE)).toBe(true);
    expect([part.status, part.headers.get("etag"), part.headers.get("content-range")]).toEqual([206, etag, `bytes 262000-530000/${IMAGE.length}`]);
    expect(Buffer.from(await part.arrayBuffer()).equals(IMAGE.subarray(262000, 530001))).toBe(true);
    expect([head.status, head.headers.get("etag"), head.headers.get("content-length")]).toEqual([200, etag, String(IMAGE.length)]);
    expect(b.logLines("firmware image fetched from the store")).toMatchObject([{ name: NAME, sha256: SHA, size: IMAGE.length }]);
    expect(cached("b")).toEqual([SHA]);

    // A download started on A resumes on B (If-Range with A's ETag), and both say the same thing.
    const fromA = await fetch(base(a), { method: "HEAD" });
    expect([fromA.status, fromA.headers.get("etag"), fromA.headers.get("repr-digest")]).toEqual([200, etag, whole.headers.get("repr-digest")]);
    const resumed = await fetch(base(b), { headers: { range: "bytes=1000000-", "if-range": fromA.headers.get("etag")! } });
    expect(resumed.status).toBe(206);
    expect(Buffer.from(await resumed.arrayBuffer()).equals(IMAGE.subarray(1_000_000))).toBe(true);
    // Served from B's cache from now on: no second fetch.
    expect(b.logLines("firmware image fetched from the store")).toHaveLength(1);
    expect(a.logLines("firmware image fetched from the store")).toEqual([]);
  });
});
