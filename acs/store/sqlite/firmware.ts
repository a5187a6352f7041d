// Firmware files, campaigns and campaign devices on SQLite. A file's image
// is rows of IMAGE_CHUNK_BYTES BLOBs keyed by the file's name, written a few
// per transaction from async reads of the uploaded temp file: better-sqlite3
// is synchronous, and one transaction for a whole image held the event loop
// (every CWMP session and API call) over a second for 256 MiB. The file
// record, inserted last in one short transaction, is the commit point: no
// image is served without it. Campaigns are a JSON document beside the
// columns their queries use; campaign devices are plain columns (the wave job
// counts and filters them), with their state history as a JSON array.
// Contract: acs/firmware/firmware-repository.ts, checked by
// test/contract/firmware-contract.ts.

import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import type Database from "better-sqlite3";
import type { Campaign, CampaignDevice, DeviceState } from "../../firmware/campaign-types.ts";
import {
  FirmwareConflictError, IMAGE_CHUNK_BYTES,
  type DeviceChange, type DeviceListQuery, type FirmwareFile, type FirmwareRepository, type StateCount,
} from "../../firmware/firmware-repository.ts";
import { prepareCached, sqlLimit, transactions } from "./sql-util.ts";
import { checkCount } from "../store-values.ts";
import { BoundedCache, deepFreeze } from "./read-cache.ts";

const TABLES = `
CREATE TABLE IF NOT EXISTS firmware_files (
  name TEXT PRIMARY KEY,
  doc TEXT NOT NULL
) WITHOUT ROWID;

-- A rowid table: WITHOUT ROWID suits small rows, not BLOBs of a quarter megabyte.
-- Chunks of a name without a file record: an upload under way (its chunk 0
-- claims the name) or one cut short by a killed process (removed, see addFile).
CREATE TABLE IF NOT EXISTS firmware_file_chunks (
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (name, seq)
);

CREATE TABLE IF NOT EXISTS firmware_campaigns (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  ended INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS firmware_campaigns_ended ON firmware_campaigns (ended, created_at);

CREATE TABLE IF NOT EXISTS firmware_campaign_devices (
  campaign_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  wave INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL,
  state_at INTEGER NOT NULL,
  command_key TEXT NOT NULL,
  from_version TEXT NOT NULL,
  version TEXT,
  attempts INTEGER NOT NULL,
  fault TEXT,
  history TEXT NOT NULL,
  PRIMARY KEY (campaign_id, device_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS firmware_campaign_devices_seq ON firmware_campaign_devices (campaign_id, seq);
CREATE INDEX IF NOT EXISTS firmware_campaign_devices_wave ON firmware_campaign_devices (campaign_id, wave, state, seq);
CREATE INDEX IF NOT EXISTS firmware_campaign_devices_state ON firmware_campaign_devices (campaign_id, state, state_at);
CREATE INDEX IF NOT EXISTS firmware_campaign_devices_device ON firmware_campaign_devices (device_id, state);
`;

interface DeviceRow {
  campaign_id: string;
  device_id: string;
  wave: number;
  seq: number;
  state: DeviceState;
  state_at: number;
  command_key: string;
  from_version: string;
  version: string | null;
  attempts: number;
  fault: string | null;
  history: string;
}

const toDevice = (r: DeviceRow): CampaignDevice => ({
  campaignId: r.campaign_id, deviceId: r.device_id, wave: r.wave, seq: r.seq, state: r.state, stateAt: r.state_at,
  commandKey: r.command_key, fromVersion: r.from_version, version: r.version, attempts: r.attempts,
  fault: r.fault === null ? null : (JSON.parse(r.fault) as CampaignDevice["fault"]),
  history: JSON.parse(r.history) as CampaignDevice["history"],
});

const toCampaign = (r: { doc: string; rev: number }): Campaign => ({ ...(JSON.parse(r.doc) as Campaign), rev: r.rev });
const campaignDoc = ({ rev: _rev, ...rest }: Campaign): string => JSON.stringify(rest);

const isConstraint = (err: unknown): boolean => (err as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT") === true;

/**
 * Chunks written or deleted per transaction: half a MiB, under a millisecond
 * of the event loop here (median; a commit that runs a WAL checkpoint takes
 * longer, as for any write). test/integration/firmware-sqlite-upload.test.ts
 * checks that an upload leaves the event loop running.
 */
const CHUNKS_PER_TRANSACTION = 2;

/** Reads the next pieces of the file into `bufs`, each filled whole but the file's last one; [] at its end. */
async function readChunks(fh: FileHandle, bufs: readonly Buffer[]): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  for (const buf of bufs) {
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > 0) pieces.push(buf.subarray(0, n));
    if (n < buf.length) break;
  }
  return pieces;
}

/** Creates the capability's tables if missing and returns its repository over `db`. */
export function createSqliteFirmwareRepository(db: Database.Database): FirmwareRepository {
  db.transaction(() => db.exec(TABLES)).immediate();
  const tx = transactions(db);

  const insertFile = db.prepare<[string, string]>("INSERT INTO firmware_files (name, doc) VALUES (?, ?)");
  const getFile = db.prepare<[string], { doc: string }>("SELECT doc FROM firmware_files WHERE name = ?");
  const allFiles = db.prepare<[], { doc: string }>("SELECT doc FROM firmware_files ORDER BY name");
  const insertChunk = db.prepare<[string, number, Buffer]>("INSERT INTO firmware_file_chunks (name, seq, data) VALUES (?, ?, ?)");
  const getChunk = db.prepare<[string, number], { data: Buffer }>("SELECT data FROM firmware_file_chunks WHERE name = ? AND seq = ?");
  const countChunks = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM firmware_file_chunks WHERE name = ?");
  const nextChunkName = db.prepare<[string], { name: string }>("SELECT name FROM firmware_file_chunks WHERE name > ? ORDER BY name LIMIT 1");
  const deleteLastChunks = db.prepare<[string, string, number]>(
    "DELETE FROM firmware_file_chunks WHERE name = ? AND seq IN (SELECT seq FROM firmware_file_chunks WHERE name = ? ORDER BY seq DESC LIMIT ?)",
  );
  const getCampaign = db.prepare<[string], { doc: string; rev: number }>("SELECT doc, rev FROM firmware_campaigns WHERE id = ?");
  const insertCampaign = db.prepare<[string, number, number, number, string]>("INSERT INTO firmware_campaigns (id, created_at, ended, rev, doc) VALUES (?, ?, ?, ?, ?)");
  const replaceCampaign = db.prepare<[string, number, string, number]>("UPDATE firmware_campaigns SET doc = ?, ended = ?, rev = rev + 1 WHERE id = ? AND rev = ?");
  const insertDevice = db.prepare<[string, string, number, number, string, number, string, string, string | null, number, string | null, string]>(
    `INSERT INTO firmware_campaign_devices (campaign_id, device_id, wave, seq, state, state_at, command_key, from_version, version, attempts, fault, history)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getDevice = db.prepare<[string, string], DeviceRow>("SELECT * FROM firmware_campaign_devices WHERE campaign_id = ? AND device_id = ?");
  const updateDevice = db.prepare<[string, number, string | null, string | null, number, string, string, string]>(
    "UPDATE firmware_campaign_devices SET state = ?, state_at = ?, fault = ?, version = ?, attempts = ?, history = ? WHERE campaign_id = ? AND device_id = ?",
  );
  const byCommandKey = db.prepare<[string, string], DeviceRow>("SELECT * FROM firmware_campaign_devices WHERE device_id = ? AND command_key = ?");
  const countStates = db.prepare<[string], StateCount>(
    "SELECT wave, state, count(*) AS count FROM firmware_campaign_devices WHERE campaign_id = ? GROUP BY wave, state ORDER BY wave, state",
  );

  // recordsOf runs in every session and finds nothing for most devices (read-cache.ts): per device, per list of
  // states, the records found, dropped by every write to the device's records.
  const recordCache = new BoundedCache<string, Map<string, readonly CampaignDevice[]>>();

  const taken = (name: string): FirmwareConflictError => new FirmwareConflictError(`a firmware file named ${name} exists already`);
  const claimed = (name: string): FirmwareConflictError => new FirmwareConflictError(`a firmware file named ${name} is being stored`);

  /**
   * Deletes the chunks of `name`, a few per statement, the last ones first:
   * while chunk 0 stays, the name stays claimed and no other upload mixes its chunks in.
   */
  async function removeChunks(name: string): Promise<void> {
    while (deleteLastChunks.run(name, name, CHUNKS_PER_TRANSACTION).changes > 0) await nextTurn();
  }

  /**
   * Removes the chunks no file record owns: uploads cut short by a killed process.
   * Run before this repository's first upload rather than at its creation:
   * tools open the store beside a running ACS (owner-lock.ts) and must not
   * take the chunks of its upload under way; only an ACS or a store copy adds files.
   */
  async function removeOrphans(): Promise<void> {
    for (let row = nextChunkName.get(""); row; row = nextChunkName.get(row.name)) {
      if (!getFile.get(row.name)) await removeChunks(row.name);
    }
  }
  let orphansRemoved: Promise<void> | undefined;

  /** Writes the image at `path` as chunks of `name`, counted in `progress`; returns its size. Leaves what it wrote on failure. */
  async function writeChunks(name: string, path: string, progress: { chunks: number }): Promise<number> {
    const fh = await open(path, "r");
    try {
      const bufs = Array.from({ length: CHUNKS_PER_TRANSACTION }, () => Buffer.allocUnsafe(IMAGE_CHUNK_BYTES));
      let size = 0;
      for (let pieces = await readChunks(fh, bufs); pieces.length > 0; pieces = await readChunks(fh, bufs)) {
        const first = progress.chunks;
        try {
          tx.write(() => {
            // Chunk 0 claims the name: refused while the name has a record (one without
            // bytes would show this upload's part) or another upload's chunk 0.
            if (first === 0 && getFile.get(name)) throw taken(name);
            pieces.forEach((data, i) => insertChunk.run(name, first + i, data));
          });
        } catch (err) {
          if (first === 0 && isConstraint(err)) throw claimed(name);
          throw err;
        }
        progress.chunks += pieces.length;
        size += pieces.reduce((sum, p) => sum + p.length, 0);
      }
      return size;
    } finally {
      await fh.close();
    }
  }

  return {
    async addFile(file, imagePath) {
      await (orphansRemoved ??= removeOrphans().catch((err: unknown) => {
        orphansRemoved = undefined;
        throw err;
      }));
      const written = { chunks: 0 };
      try {
        if (imagePath !== null) {
          const size = await writeChunks(file.name, imagePath, written);
          if (size !== file.size) throw new Error(`firmware image ${imagePath} has ${size} bytes, the record says ${file.size}`);
        }
        // The commit point, one short transaction. The count also catches an upload of the
        // name under way (for a record without bytes) and chunks another process removed.
        tx.write(() => {
          if (getFile.get(file.name)) throw taken(file.name);
          if (countChunks.get(file.name)!.n !== written.chunks) {
            if (written.chunks === 0) throw claimed(file.name);
            throw new Error(`the stored chunks of firmware image ${file.name} changed while it was written (another process removed them): nothing recorded`);
          }
          insertFile.run(file.name, JSON.stringify(file));
        });
      } catch (err) {
        // Best effort: what stays (the store closed meanwhile) is removed before the next process's first upload.
        if (written.chunks > 0) await removeChunks(file.name).catch(() => undefined);
        throw err;
      }
    },

    async getFile(name) {
      const row = getFile.get(name);
      return row ? (JSON.parse(row.doc) as FirmwareFile) : null;
    },

    async openImage(name) {
      // Chunk 0 exists for every file stored with bytes (uploads are never empty); the
      // record makes them its own (without it they are an upload under way or cut short).
      const first = tx.read(() => (getFile.get(name) ? getChunk.get(name, 0) : undefined));
      if (!first) return null;
      // One query per chunk: an open better-sqlite3 iterator would lock the connection across the awaits of the reader.
      return Readable.from((function* () {
        let row: { data: Buffer } | undefined = first;
        for (let seq = 1; row; seq++) {
          yield row.data;
          row = getChunk.get(name, seq);
        }
      })(), { highWaterMark: 2 });
    },

    async listFiles() {
      return allFiles.all().map((r) => JSON.parse(r.doc) as FirmwareFile);
    },

    async createCampaign(campaign, devices) {
      tx.write(() => {
        if (getCampaign.get(campaign.id)) throw new FirmwareConflictError(`campaign ${campaign.id} exists already`);
        insertCampaign.run(campaign.id, campaign.createdAt, campaign.endedAt === null ? 0 : 1, campaign.rev, campaignDoc(campaign));
        for (const d of devices) {
          recordCache.delete(d.deviceId);
          insertDevice.run(
            d.campaignId, d.deviceId, d.wave, d.seq, d.state, d.stateAt, d.commandKey, d.fromVersion, d.version, d.attempts,
            d.fault === null ? null : JSON.stringify(d.fault), JSON.stringify(d.history),
          );
        }
      });
    },

    async getCampaign(id) {
      const row = getCampaign.get(id);
      return row ? toCampaign(row) : null;
    },

    async listCampaigns(filter = {}) {
      const where = filter.ended === undefined ? "" : ` WHERE ended = ${filter.ended ? 1 : 0}`;
      const rows = prepareCached(db, `SELECT doc, rev FROM firmware_campaigns${where} ORDER BY created_at DESC, id DESC`).all() as { doc: string; rev: number }[];
      return rows.map(toCampaign);
    },

    async replaceCampaign(campaign, expectedRev) {
      return replaceCampaign.run(campaignDoc(campaign), campaign.endedAt === null ? 0 : 1, campaign.id, expectedRev).changes === 1;
    },

    async listDevices(campaignId, q: DeviceListQuery = {}) {
      checkCount("offset", q.offset);
      const where = ["campaign_id = ?"];
      const args: unknown[] = [campaignId];
      if (q.states !== undefined) (where.push("state IN (SELECT value FROM json_each(?))"), args.push(JSON.stringify(q.states)));
      if (q.wave !== undefined) (where.push("wave = ?"), args.push(q.wave));
      if (q.stateBefore !== undefined) (where.push("state_at < ?"), args.push(q.stateBefore));
      const clause = where.join(" AND ");
      return tx.read(() => {
        const { n } = prepareCached(db, `SELECT count(*) AS n FROM firmware_campaign_devices WHERE ${clause}`).get(...args) as { n: number };
        const rows = prepareCached(db, `SELECT * FROM firmware_campaign_devices WHERE ${clause} ORDER BY seq LIMIT ? OFFSET ?`)
          .all(...args, sqlLimit(q.limit), q.offset ?? 0) as DeviceRow[];
        return { total: n, items: rows.map(toDevice) };
      });
    },

    async countStates(campaignId) {
      return countStates.all(campaignId);
    },

    async recordsOf(deviceId, states) {
      const key = states.join(",");
      let byStates = recordCache.get(deviceId);
      const cached = byStates?.get(key);
      if (cached) return cached as CampaignDevice[];
      // Placeholders, not json_each, keep it a plain index lookup.
      const rows = prepareCached(db, `SELECT * FROM firmware_campaign_devices WHERE device_id = ? AND state IN (${states.map(() => "?").join(", ")}) ORDER BY state_at, campaign_id`)
        .all(deviceId, ...states) as DeviceRow[];
      const records = deepFreeze(rows.map(toDevice));
      if (!byStates) recordCache.set(deviceId, (byStates = new Map()));
      byStates.set(key, records);
      return records;
    },

    async findByCommandKey(deviceId, commandKey) {
      const row = byCommandKey.get(deviceId, commandKey);
      return row ? toDevice(row) : null;
    },

    async devicesIn(states) {
      const rows = prepareCached(db, "SELECT DISTINCT device_id FROM firmware_campaign_devices WHERE state IN (SELECT value FROM json_each(?))")
        .all(JSON.stringify(states)) as { device_id: string }[];
      return new Set(rows.map((r) => r.device_id));
    },

    async transitionDevice(campaignId, deviceId, expected, change: DeviceChange) {
      recordCache.delete(deviceId);
      return tx.write(() => {
        const row = getDevice.get(campaignId, deviceId);
        if (!row || row.state !== expected) return false;
        const d = toDevice(row);
        const history = [...d.history, ...change.path.map((state) => ({ state, at: change.at }))];
        const state = change.path.at(-1) ?? d.state;
        const fault = change.fault === undefined ? d.fault : change.fault;
        updateDevice.run(
          state, change.path.length > 0 ? change.at : d.stateAt, fault === null ? null : JSON.stringify(fault),
          change.version === undefined ? d.version : change.version, change.attempts ?? d.attempts, JSON.stringify(history), campaignId, deviceId,
        );
        return true;
      });
    },

    async moveUnsentDevices(campaignId, from, to, at, wave) {
      const sql = `UPDATE firmware_campaign_devices SET state = ?, state_at = ?, history = json_insert(history, '$[#]', json_object('state', ?, 'at', ?))
        WHERE campaign_id = ? AND state IN (SELECT value FROM json_each(?)) AND attempts = 0${wave === undefined ? "" : " AND wave = ?"}`;
      const args: unknown[] = [to, at, to, at, campaignId, JSON.stringify(from)];
      if (wave !== undefined) args.push(wave);
      const moved = prepareCached(db, sql).run(...args).changes;
      // Which devices moved is not known here: rare (a wave, a pause, a cancel), so every device is read again.
      if (moved > 0) recordCache.clear();
      return moved;
    },
  };
}
