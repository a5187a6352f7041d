// Persistence of Wi-Fi change records (wifi-change.ts): the status API, the
// line's audit trail, and the open changes a restarted ACS resumes.
// Implemented by acs/store/sqlite/wifi-changes.ts and
// acs/store/mongodb/wifi-changes.ts, both checked by
// test/contract/wifi-changes-contract.ts.

import type { WifiChange } from "./wifi-change.ts";

export interface WifiChangeRepository {
  /** Stores a new change, or replaces the stored one with the same id. */
  put(change: WifiChange): Promise<void>;
  get(id: string): Promise<WifiChange | null>;
  /** The line's changes, newest first. */
  listByLine(lineId: string, limit: number): Promise<WifiChange[]>;
  /** Changes still waiting for an outcome (isOpen), oldest first. */
  listOpen(): Promise<WifiChange[]>;
  /** Every change, oldest first, in batches (copying a whole store: acs/store/copy.ts; put() restores them). */
  dump(batchSize?: number): AsyncIterable<WifiChange[]>;
}
