// Copies a whole store into another, empty one (SQLite → MongoDB when an
// operator moves to several ACS instances, and back), through the Store
// interface and the capability repositories, then counts every kind on both
// sides. Records keep their ids and times: tasks, faults and audit events go
// through restore.ts (the Store would give them new ids), everything else
// through the ordinary write calls, which store what they are given.
//
// Not copied: leases (they only coordinate running instances). Firmware
// files go with their image bytes (kept in the store), one at a time through
// a temp file. Rental and link-rate records go through their repositories'
// dump()/restore() (ids, versions, idempotency keys and times kept).

import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { FirmwareFile } from "../firmware/firmware-repository.ts";
import type { Line } from "../lines/line.ts";
import { LINKRATE_DUMP_KINDS } from "../linkrate/measurement-dump.ts";
import { RENTAL_DUMP_KINDS } from "../rentals/rental-dump.ts";
import type { RecordRestorer } from "./restore.ts";
import type { DeviceCredentials, Store } from "./store.ts";

export interface KindCount {
  kind: string;
  source: number;
  /** Counted in the target after the copy (null when not verified). */
  target: number | null;
}

export class StoreCopyError extends Error {
  override name = "StoreCopyError";
}

const PAGE = 500;
/** Devices copied at once: each is a few round trips (record, parameters, credentials). */
const DEVICE_CONCURRENCY = 8;

/** A firmware file with its image: repositories take an image from a local file. */
async function copyFirmwareFile(from: Store, to: Store, file: FirmwareFile): Promise<void> {
  const image = await from.firmware.openImage(file.name);
  if (!image) return to.firmware.addFile(file, null);
  const dir = await mkdtemp(join(tmpdir(), "flexacs-copy-image-"));
  try {
    await pipeline(image, createWriteStream(join(dir, "image")));
    await to.firmware.addFile(file, join(dir, "image"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pages<T>(read: (offset: number, limit: number) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await read(offset, PAGE);
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function* batches<T>(items: readonly T[]): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += PAGE) yield items.slice(i, i + PAGE);
}

const hasCredentials = (c: DeviceCredentials | null): c is DeviceCredentials =>
  c !== null && Object.values(c).some((v) => v !== null);

/** Every kind this copy carries, counted in one store. */
export async function countKinds(store: Store): Promise<Map<string, number>> {
  const devices = await pages((offset, limit) => store.listDevices({ sort: "id", offset, limit }).then((r) => r.items));
  let parameters = 0;
  let credentials = 0;
  await inPool(devices, DEVICE_CONCURRENCY, async (d) => {
    // Read first: `x += await y` would add to the value x had before the wait.
    const [params, creds] = await Promise.all([store.getParameters(d.id), store.getCredentials(d.id)]);
    parameters += params.size;
    if (hasCredentials(creds)) credentials++;
  });
  let wifiChanges = 0;
  for await (const batch of store.wifiChanges.dump()) wifiChanges += batch.length;
  const campaigns = await store.firmware.listCampaigns();
  let campaignDevices = 0;
  for (const c of campaigns) campaignDevices += (await store.firmware.listDevices(c.id, { limit: 1 })).total;
  const dumped = new Map<string, number>([...RENTAL_DUMP_KINDS, ...LINKRATE_DUMP_KINDS].map((k) => [k, 0]));
  for await (const b of store.rentals.dump()) dumped.set(b.kind, dumped.get(b.kind)! + b.items.length);
  for await (const b of store.linkrate.dump()) dumped.set(b.kind, dumped.get(b.kind)! + b.items.length);
  return new Map([
    ["devices", devices.length],
    ["parameters", parameters],
    ["credentials", credentials],
    ["tasks", (await store.listTasks({})).length],
    ["faults", (await store.listFaults({})).length],
    ["audit", (await store.listAudit({})).length],
    ["tokens", (await store.listTokens()).length],
    ["lines", (await store.lines.listLines({ limit: 1 })).total],
    ["provisioning states", (await store.lines.listStates({ limit: 1 })).total],
    ["wifi changes", wifiChanges],
    ["firmware files", (await store.firmware.listFiles()).length],
    ["firmware campaigns", campaigns.length],
    ["campaign devices", campaignDevices],
    ...dumped,
  ]);
}

/**
 * Copies `from` into `to` (which must be empty) and returns the count of every
 * kind in the source and, with `verify`, in the target; the caller decides what
 * a difference means (copy-command.ts fails).
 */
export async function copyStore(
  from: Store, to: Store, restorer: RecordRestorer, opts: { verify: boolean; log?: (line: string) => void },
): Promise<KindCount[]> {
  const occupied = [...(await countKinds(to))].filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`);
  if (occupied.length > 0) throw new StoreCopyError(`the target is not empty (${occupied.join(", ")}): copy into an empty store`);
  const source = await countKinds(from);

  for (const token of await from.listTokens()) await to.addToken(token);

  const devices = await pages((offset, limit) => from.listDevices({ sort: "id", offset, limit }).then((r) => r.items));
  let done = 0;
  await inPool(devices, DEVICE_CONCURRENCY, async ({ id, manufacturer, oui, productClass, serialNumber, ...fields }) => {
    await to.upsertDevice({ id, manufacturer, oui, productClass, serialNumber }, fields);
    const params = await from.getParameters(id);
    if (params.size > 0) await to.updateParameters(id, params);
    const creds = await from.getCredentials(id);
    if (hasCredentials(creds)) await to.setCredentials(id, creds);
    if (++done % 1000 === 0) opts.log?.(`${done} of ${devices.length} devices copied`);
  });

  // Lists are newest first; the oldest go in first so insertion order (the tie-break of equal times) is kept.
  for await (const b of batches((await from.listTasks({})).reverse())) await restorer.tasks(b);
  for await (const b of batches((await from.listFaults({})).reverse())) await restorer.faults(b);
  for await (const b of batches((await from.listAudit({})).reverse())) await restorer.audit(b);

  const lines: Line[] = await pages((offset, limit) => from.lines.listLines({ offset, limit }).then((r) => r.items));
  for await (const b of batches(lines)) await to.lines.addLines(b);
  for (const state of await pages((offset, limit) => from.lines.listStates({ offset, limit }).then((r) => r.items))) await to.lines.putState(state);
  for await (const b of from.wifiChanges.dump()) for (const change of b) await to.wifiChanges.put(change);

  for (const file of await from.firmware.listFiles()) await copyFirmwareFile(from, to, file);
  for (const campaign of (await from.firmware.listCampaigns()).reverse()) {
    const members = await pages((offset, limit) => from.firmware.listDevices(campaign.id, { offset, limit }).then((r) => r.items));
    await to.firmware.createCampaign(campaign, members);
  }

  for await (const b of from.rentals.dump(PAGE)) await to.rentals.restore(b);
  for await (const b of from.linkrate.dump(PAGE)) await to.linkrate.restore(b);

  const target = opts.verify ? await countKinds(to) : null;
  return [...source].map(([kind, n]) => ({ kind, source: n, target: target ? (target.get(kind) ?? 0) : null }));
}
