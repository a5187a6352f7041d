// Fills a SQLite store file with many devices in one transaction, for tests
// and benchmarks that need a 100,000-device fleet: store.upsertDevice commits
// once per device (about 0.3 ms each, 30 s for 100,000), this takes about a
// second. It writes the devices table of the SQLite schema directly, so it
// runs only on a store file that openSqliteStore has created (and migrated)
// and that no ACS has open yet; a schema change that breaks it fails loudly.

import Database from "better-sqlite3";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Device } from "../../acs/store/store.ts";

export type BulkDevice = Pick<Device, "id" | "manufacturer" | "oui" | "productClass" | "serialNumber" | "softwareVersion" | "lastInformAt"> & Partial<Device>;

export async function bulkInsertDevices(dbPath: string, devices: Iterable<BulkDevice>): Promise<number> {
  await (await openSqliteStore(dbPath)).close(); // creates the file and its schema
  const db = new Database(dbPath);
  try {
    const insert = db.prepare(`INSERT INTO devices (id, manufacturer, oui, product_class, serial_number, software_version, hardware_version,
      data_model, registered_at, last_inform_at, last_boot_at, last_remote_address, connection_request_url, udp_connection_request_address,
      last_events, periodic_inform_interval, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')`);
    let n = 0;
    db.transaction(() => {
      for (const d of devices) {
        insert.run(d.id, d.manufacturer, d.oui, d.productClass, d.serialNumber, d.softwareVersion, d.hardwareVersion ?? "",
          d.dataModel ?? "tr181", d.registeredAt ?? Date.now(), d.lastInformAt, d.lastBootAt ?? null, d.lastRemoteAddress ?? null,
          d.connectionRequestUrl ?? null, d.udpConnectionRequestAddress ?? null, JSON.stringify(d.lastEvents ?? []), d.periodicInformInterval ?? null);
        n++;
      }
    })();
    db.pragma("optimize");
    return n;
  } finally {
    db.close();
  }
}

/**
 * The test fleet: `count` devices of 4 models, serials FX000000…; every tenth
 * never informed, the others informed between 1 h and (1 h + count s) ago.
 */
export function* syntheticFleet(count: number, now: number = Date.now()): Generator<BulkDevice> {
  for (let i = 0; i < count; i++) {
    const serial = `FX${String(i).padStart(6, "0")}`;
    const productClass = ["FLX-R1", "FLX-R2", "FLX-ONT", "FLX-AX"][i % 4]!;
    yield {
      id: `00FX00-${productClass}-${serial}`, manufacturer: "Flex", oui: "00FX00", productClass, serialNumber: serial,
      softwareVersion: `2.${i % 3}.0`, lastInformAt: i % 10 === 0 ? null : now - 3_600_000 - i * 1000,
      lastRemoteAddress: i % 10 === 0 ? null : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    };
  }
}
