// Tables of the rented-router capability in the SQLite store, created at open
// (CREATE ... IF NOT EXISTS, one transaction) beside the store's own schema.
// Why each UNIQUE is there: see acs/rentals/rental-repository.ts.

export const RENTAL_TABLES = `
CREATE TABLE IF NOT EXISTS rental_routers (
  serial TEXT PRIMARY KEY,
  mac TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  line_id TEXT,
  subscriber_id TEXT,
  due_date TEXT,
  due_reason TEXT,
  charge_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rental_routers_state ON rental_routers (state, serial);
CREATE INDEX IF NOT EXISTS rental_routers_line ON rental_routers (line_id, serial);
CREATE INDEX IF NOT EXISTS rental_routers_subscriber ON rental_routers (subscriber_id, serial);
-- The flagging scan: only routers owed back, in serial order, with their due date.
CREATE INDEX IF NOT EXISTS rental_routers_owed ON rental_routers (serial, due_date) WHERE state IN ('due_back', 'overdue');

-- One row per change: the commit point of every router move. A rowid table:
-- rows carry JSON and are appended, which a WITHOUT ROWID table does slowly.
CREATE TABLE IF NOT EXISTS rental_changes (
  seq INTEGER PRIMARY KEY,
  serial TEXT NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  steps TEXT NOT NULL,
  UNIQUE (serial, version),
  UNIQUE (serial, key)
);
CREATE INDEX IF NOT EXISTS rental_changes_key ON rental_changes (key);

CREATE TABLE IF NOT EXISTS rental_events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  line_id TEXT NOT NULL,
  subscriber_id TEXT NOT NULL,
  date TEXT NOT NULL,
  serial TEXT,
  new_serial TEXT,
  equipment TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rental_events_received ON rental_events (received_at, seq);
CREATE INDEX IF NOT EXISTS rental_events_line ON rental_events (line_id, received_at, seq);

CREATE TABLE IF NOT EXISTS rental_charges (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  serial TEXT NOT NULL,
  line_id TEXT,
  subscriber_id TEXT,
  reason TEXT NOT NULL,
  due_date TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  flagged_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  status_at INTEGER NOT NULL,
  export_batch_id TEXT,
  evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rental_charges_status ON rental_charges (status, id);
CREATE INDEX IF NOT EXISTS rental_charges_serial ON rental_charges (serial, id);

CREATE TABLE IF NOT EXISTS rental_reversals (
  id TEXT PRIMARY KEY,
  charge_id TEXT NOT NULL,
  serial TEXT NOT NULL,
  line_id TEXT,
  subscriber_id TEXT,
  amount_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT NOT NULL,
  export_batch_id TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rental_reversals_charge ON rental_reversals (charge_id);
CREATE INDEX IF NOT EXISTS rental_reversals_unexported ON rental_reversals (id) WHERE export_batch_id IS NULL;

CREATE TABLE IF NOT EXISTS rental_export_intents (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  actor TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rental_export_items (
  item_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  batch_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rental_export_items_batch ON rental_export_items (batch_id, item_id);
CREATE TABLE IF NOT EXISTS rental_export_batches (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  charge_ids TEXT NOT NULL,
  reversal_ids TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  csv TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rental_export_batches_created ON rental_export_batches (created_at, id);

CREATE TABLE IF NOT EXISTS rental_contacts (
  serial TEXT NOT NULL,
  day TEXT NOT NULL,
  remote_address TEXT NOT NULL,
  device_id TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (serial, day, remote_address)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rental_reviews (
  id TEXT PRIMARY KEY,
  serial TEXT NOT NULL,
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  router_state TEXT NOT NULL,
  router_line_id TEXT,
  router_subscriber_id TEXT,
  observed_line_id TEXT NOT NULL,
  observed_subscriber_id TEXT,
  remote_address TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rental_reviews_at ON rental_reviews (at, id);
CREATE INDEX IF NOT EXISTS rental_reviews_serial ON rental_reviews (serial, at);

CREATE TABLE IF NOT EXISTS rental_line_addresses (
  remote_address TEXT PRIMARY KEY,
  line_id TEXT NOT NULL,
  subscriber_id TEXT,
  serial TEXT NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rental_flagging_runs (
  id TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  instance TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  result TEXT
);
CREATE INDEX IF NOT EXISTS rental_flagging_runs_day ON rental_flagging_runs (day, started_at);
CREATE INDEX IF NOT EXISTS rental_flagging_runs_started ON rental_flagging_runs (started_at);
`;
