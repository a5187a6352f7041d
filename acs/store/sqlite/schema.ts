// Schema of the SQLite store, versioned with PRAGMA user_version.
// MIGRATIONS[i] brings a database from version i to i+1. A capability that
// needs a table appends a step; a released step is never edited, so existing
// databases upgrade in place at open.

import type { Db } from "./sql-util.ts";

const V1 = `
-- Devices keep an integer key (rid) so that the large child tables (params
-- above all) repeat 8 bytes per row instead of the ~30-byte device id.
CREATE TABLE devices (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  manufacturer TEXT NOT NULL,
  oui TEXT NOT NULL,
  product_class TEXT NOT NULL,
  serial_number TEXT NOT NULL,
  software_version TEXT NOT NULL,
  hardware_version TEXT NOT NULL,
  data_model TEXT NOT NULL CHECK (data_model IN ('tr181', 'tr098')),
  registered_at INTEGER NOT NULL,
  last_inform_at INTEGER,
  last_boot_at INTEGER,
  last_remote_address TEXT,
  connection_request_url TEXT,
  udp_connection_request_address TEXT,
  last_events TEXT NOT NULL,
  periodic_inform_interval INTEGER,
  tags TEXT NOT NULL
);
-- One index per DeviceQuery filter/sort; the trailing id keeps paging in index order.
CREATE INDEX devices_product_class ON devices (product_class, id);
CREATE INDEX devices_software_version ON devices (software_version, id);
CREATE INDEX devices_last_inform ON devices (last_inform_at, id);

-- Tag filter index; devices.tags keeps the list (and its order) for reads.
CREATE TABLE device_tags (
  tag TEXT NOT NULL,
  device_rid INTEGER NOT NULL REFERENCES devices (rid) ON DELETE CASCADE,
  PRIMARY KEY (tag, device_rid)
) WITHOUT ROWID;
CREATE INDEX device_tags_device ON device_tags (device_rid);

CREATE TABLE device_credentials (
  device_rid INTEGER PRIMARY KEY REFERENCES devices (rid) ON DELETE CASCADE,
  cpe_username TEXT,
  cpe_ha1 TEXT,
  connection_request_username TEXT,
  connection_request_password TEXT
);

-- Clustered by (device, path): a subtree is one contiguous key range.
CREATE TABLE params (
  device_rid INTEGER NOT NULL REFERENCES devices (rid) ON DELETE CASCADE,
  path TEXT NOT NULL,
  value TEXT NOT NULL,
  type TEXT NOT NULL,
  writable INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY (device_rid, path)
) WITHOUT ROWID;

-- seq is the insertion order, the tie-break between tasks created in the same ms.
-- Tasks and faults name the device by id (no foreign key): deleteDevice removes them.
CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL,
  name TEXT NOT NULL,
  args TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  not_before INTEGER NOT NULL,
  done_at INTEGER,
  fault TEXT,
  result TEXT
);
-- Probed by every Inform session; stays small because done tasks leave it.
CREATE INDEX tasks_pending ON tasks (device_id, created_at, seq) WHERE status = 'pending';
CREATE INDEX tasks_device ON tasks (device_id, created_at, seq);
CREATE INDEX tasks_status ON tasks (status, created_at, seq);
CREATE INDEX tasks_created ON tasks (created_at, seq);

CREATE TABLE faults (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  detail TEXT,
  rpc TEXT,
  retries INTEGER NOT NULL,
  timestamp INTEGER NOT NULL
);
CREATE INDEX faults_device ON faults (device_id, timestamp, seq);
CREATE INDEX faults_time ON faults (timestamp, seq);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  timestamp INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  device_id TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX audit_time ON audit (timestamp, seq);
CREATE INDEX audit_device ON audit (device_id, timestamp, seq);
CREATE INDEX audit_actor ON audit (actor, timestamp, seq);
CREATE INDEX audit_action ON audit (action, timestamp, seq);

CREATE TABLE tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

const MIGRATIONS: readonly string[] = [V1];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer FlexACS. */
export function migrate(db: Db): void {
  const version = (): number => db.pragma("user_version", { simple: true }) as number;
  if (version() > SCHEMA_VERSION) {
    throw new Error(
      `SQLite store: database schema version ${version()} is newer than this FlexACS supports (${SCHEMA_VERSION}); upgrade FlexACS`,
    );
  }
  // Re-read inside the write lock: another process may have migrated meanwhile.
  db.transaction(() => {
    for (let v = version(); v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
