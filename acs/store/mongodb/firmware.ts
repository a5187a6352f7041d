// Firmware files, campaigns and campaign devices on MongoDB, using only what
// FerretDB 1.24 supports (no transactions, no partial indexes). A campaign is
// JSON text beside the fields its queries use (as lines.ts does); campaign
// devices are plain fields, _id "<campaignId>:<deviceId>". createCampaign
// inserts the devices first and the campaign document last: that insert is
// the commit point (devices of a campaign that does not exist are ignored by
// every reader), and a failure removes what was inserted.
//
// Conditional updates (a device's state, a campaign's revision) are atomic on
// MongoDB; FerretDB 1.24 applies updates without isolation (see
// mongo-store.ts), so there two writers racing on one device can both win.
//
// Image bytes are a GridFS file (bucket "firmware_images", IMAGE_CHUNK_BYTES
// chunks, the official driver's GridFSBucket; it works on FerretDB 1.24:
// uploads, ranged and whole downloads, deletes, its {files_id, n} unique
// index) under a fresh ObjectId, named in the file document's imageId. The
// file document is inserted after the whole upload: that insert is the
// commit point, as for campaigns. A refused insert (a taken name) deletes the
// upload; an upload orphaned by a crash before the insert is deleted by the
// next store opening once an hour old (an instance may be mid-upload).
// Contract: acs/firmware/firmware-repository.ts (test/contract/firmware-contract.ts).

import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { GridFSBucket, ObjectId, type Collection, type Db, type Filter } from "mongodb";
import type { Campaign, CampaignDevice, DeviceState } from "../../firmware/campaign-types.ts";
import {
  FirmwareConflictError, IMAGE_CHUNK_BYTES,
  type DeviceChange, type DeviceListQuery, type FirmwareFile, type FirmwareRepository, type StateCount,
} from "../../firmware/firmware-repository.ts";
import { ensureMissingIndexes, indexOf, isDuplicateKey, limited } from "./mongo-util.ts";
import { checkCount } from "../store-values.ts";

/** imageId: the GridFS file of the bytes; absent for a file recorded without them. */
type FileDoc = Omit<FirmwareFile, "name"> & { _id: string; imageId?: ObjectId };
interface CampaignDoc {
  _id: string;
  createdAt: number;
  ended: boolean;
  rev: number;
  doc: string;
}
type DeviceDoc = CampaignDevice & { _id: string };

const INDEXES = {
  firmware_campaigns: [indexOf({ ended: 1, createdAt: -1 })],
  firmware_campaign_devices: [
    indexOf({ campaignId: 1, seq: 1 }),
    indexOf({ campaignId: 1, wave: 1, state: 1, seq: 1 }),
    indexOf({ campaignId: 1, state: 1, stateAt: 1 }),
    indexOf({ deviceId: 1, state: 1 }),
    indexOf({ deviceId: 1, commandKey: 1 }),
  ],
};

const BATCH = 1000;
const ORPHAN_AGE_MS = 3_600_000;
const deviceKey = (campaignId: string, deviceId: string): string => `${campaignId}:${deviceId}`;
const toFile = ({ _id, imageId: _image, ...rest }: FileDoc): FirmwareFile => ({ name: _id, ...rest });
const toCampaign = (d: CampaignDoc): Campaign => ({ ...(JSON.parse(d.doc) as Campaign), rev: d.rev });
const campaignText = ({ rev: _rev, ...rest }: Campaign): string => JSON.stringify(rest);
const toDevice = ({ _id, ...rest }: DeviceDoc): CampaignDevice => rest;

/** Creates the missing indexes and returns the repository over `db`. */
export async function createMongoFirmwareRepository(db: Db): Promise<FirmwareRepository> {
  await ensureMissingIndexes(db, INDEXES);
  const files: Collection<FileDoc> = db.collection<FileDoc>("firmware_files");
  const campaigns: Collection<CampaignDoc> = db.collection<CampaignDoc>("firmware_campaigns");
  const devices: Collection<DeviceDoc> = db.collection<DeviceDoc>("firmware_campaign_devices");
  const images = new GridFSBucket(db, { bucketName: "firmware_images", chunkSizeBytes: IMAGE_CHUNK_BYTES });

  /**
   * Deletes a GridFS file and its chunks, best effort (it runs while another
   * error is reported). delete() removes the chunks before it reports a
   * missing files document: that of an upload cut part-way.
   */
  async function dropImage(id: ObjectId): Promise<void> {
    await images.delete(id).catch(() => undefined);
  }

  const used = new Set((await files.find({ imageId: { $exists: true } }, { projection: { imageId: 1 } }).toArray()).map((f) => f.imageId!.toHexString()));
  for (const orphan of await images.find({ uploadDate: { $lt: new Date(Date.now() - ORPHAN_AGE_MS) } }, { projection: { _id: 1 } }).toArray()) {
    if (!used.has(orphan._id.toHexString())) await dropImage(orphan._id);
  }

  /** Devices whose campaign document exists (see the commit point above). */
  async function committed(docs: DeviceDoc[]): Promise<CampaignDevice[]> {
    const ids = [...new Set(docs.map((d) => d.campaignId))];
    if (ids.length === 0) return [];
    const existing = new Set((await campaigns.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((c) => c._id));
    return docs.filter((d) => existing.has(d.campaignId)).map(toDevice);
  }

  return {
    async addFile(file, imagePath) {
      const { name, ...rest } = file;
      const taken = (): FirmwareConflictError => new FirmwareConflictError(`a firmware file named ${name} exists already`);
      // Checked first so a taken name costs no upload; the insert below still decides a race.
      if (await files.findOne({ _id: name }, { projection: { _id: 1 } })) throw taken();
      const image = imagePath === null ? null : { id: new ObjectId(), path: imagePath };
      try {
        if (image) {
          const upload = images.openUploadStreamWithId(image.id, name);
          await pipeline(createReadStream(image.path, { highWaterMark: IMAGE_CHUNK_BYTES }), upload);
          if (upload.length !== file.size) throw new Error(`firmware image ${image.path} has ${upload.length} bytes, the record says ${file.size}`);
        }
        await files.insertOne({ _id: name, ...rest, ...(image && { imageId: image.id }) });
      } catch (err) {
        if (image) await dropImage(image.id);
        if (isDuplicateKey(err)) throw taken();
        throw err;
      }
    },

    async getFile(name) {
      const d = await files.findOne({ _id: name });
      return d ? toFile(d) : null;
    },

    async openImage(name) {
      const d = await files.findOne({ _id: name }, { projection: { imageId: 1 } });
      return d?.imageId ? images.openDownloadStream(d.imageId) : null;
    },

    async listFiles() {
      return (await files.find({}).sort({ _id: 1 }).toArray()).map(toFile);
    },

    async createCampaign(campaign, list) {
      if (await campaigns.findOne({ _id: campaign.id }, { projection: { _id: 1 } })) throw new FirmwareConflictError(`campaign ${campaign.id} exists already`);
      try {
        for (let i = 0; i < list.length; i += BATCH) {
          await devices.insertMany(list.slice(i, i + BATCH).map((d) => ({ _id: deviceKey(d.campaignId, d.deviceId), ...d })));
        }
        await campaigns.insertOne({ _id: campaign.id, createdAt: campaign.createdAt, ended: campaign.endedAt !== null, rev: campaign.rev, doc: campaignText(campaign) });
      } catch (err) {
        await devices.deleteMany({ campaignId: campaign.id });
        if (isDuplicateKey(err)) throw new FirmwareConflictError(`campaign ${campaign.id} exists already`);
        throw err;
      }
    },

    async getCampaign(id) {
      const d = await campaigns.findOne({ _id: id });
      return d ? toCampaign(d) : null;
    },

    async listCampaigns(filter = {}) {
      const f: Filter<CampaignDoc> = filter.ended === undefined ? {} : { ended: filter.ended };
      return (await campaigns.find(f).sort({ createdAt: -1, _id: -1 }).toArray()).map(toCampaign);
    },

    async replaceCampaign(campaign, expectedRev) {
      const r = await campaigns.updateOne(
        { _id: campaign.id, rev: expectedRev },
        { $set: { doc: campaignText(campaign), ended: campaign.endedAt !== null, rev: expectedRev + 1 } },
      );
      return r.modifiedCount === 1;
    },

    async listDevices(campaignId, q: DeviceListQuery = {}) {
      checkCount("offset", q.offset);
      const f: Filter<DeviceDoc> = { campaignId };
      if (q.states !== undefined) f.state = { $in: [...q.states] };
      if (q.wave !== undefined) f.wave = q.wave;
      if (q.stateBefore !== undefined) f.stateAt = { $lt: q.stateBefore };
      const total = await devices.countDocuments(f);
      const docs = await limited(q.limit, (limit) => devices.find(f).sort({ seq: 1 }).skip(q.offset ?? 0).limit(limit).toArray());
      return { total, items: docs.map(toDevice) };
    },

    async countStates(campaignId) {
      const rows = await devices.aggregate<{ _id: { wave: number; state: DeviceState }; count: number }>([
        { $match: { campaignId } },
        { $group: { _id: { wave: "$wave", state: "$state" }, count: { $sum: 1 } } },
      ]).toArray();
      return rows
        .map((r): StateCount => ({ wave: r._id.wave, state: r._id.state, count: r.count }))
        .sort((a, b) => a.wave - b.wave || (a.state < b.state ? -1 : a.state > b.state ? 1 : 0));
    },

    async recordsOf(deviceId, states) {
      const docs = await devices.find({ deviceId, state: { $in: [...states] } }).sort({ stateAt: 1, campaignId: 1 }).toArray();
      return committed(docs);
    },

    async findByCommandKey(deviceId, commandKey) {
      const d = await devices.findOne({ deviceId, commandKey });
      return d ? ((await committed([d]))[0] ?? null) : null;
    },

    async devicesIn(states) {
      return new Set(await devices.distinct("deviceId", { state: { $in: [...states] } }));
    },

    async transitionDevice(campaignId, deviceId, expected, change: DeviceChange) {
      const set: Partial<CampaignDevice> = {};
      if (change.path.length > 0) Object.assign(set, { state: change.path.at(-1)!, stateAt: change.at });
      if (change.fault !== undefined) set.fault = change.fault;
      if (change.version !== undefined) set.version = change.version;
      if (change.attempts !== undefined) set.attempts = change.attempts;
      const filter = { _id: deviceKey(campaignId, deviceId), state: expected };
      if (Object.keys(set).length === 0) return (await devices.countDocuments(filter)) === 1;
      const update = change.path.length > 0
        ? { $set: set, $push: { history: { $each: change.path.map((state) => ({ state, at: change.at })) } } }
        : { $set: set };
      const r = await devices.updateOne(filter, update);
      return r.matchedCount === 1;
    },

    async moveUnsentDevices(campaignId, from, to, at, wave) {
      const f: Filter<DeviceDoc> = { campaignId, state: { $in: [...from] }, attempts: 0 };
      if (wave !== undefined) f.wave = wave;
      const r = await devices.updateMany(f, { $set: { state: to, stateAt: at }, $push: { history: { state: to, at } } });
      return r.modifiedCount;
    },
  };
}
