// The Wi-Fi change repository contract (acs/wifi/change-repository.ts): one
// suite for the SQLite and MongoDB implementations (wifi-changes-sqlite.test.ts,
// wifi-changes-mongodb.test.ts).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WifiChangeRepository } from "../../acs/wifi/change-repository.ts";
import { moveTo, type WifiChange } from "../../acs/wifi/wifi-change.ts";

export interface OpenedWifiChangeRepository {
  repo: WifiChangeRepository;
  close(): Promise<void>;
}

function change(id: string, lineId: string, createdAt: number): WifiChange {
  return {
    id, lineId, routerSerial: `R-${lineId}`, deviceId: null, actor: "support-desk", createdAt, lineVersion: 2,
    changes: [{ field: "bands.2.4GHz.passphrase", from: "********", to: "********" }, { field: "bands.2.4GHz.ssid", from: "Ancien", to: "Nouveau" }],
    insecure: [], keys: ["wifi.2.4GHz.passphrase", "wifi.2.4GHz.ssid"], status: "queued", statusAt: createdAt, note: "queued",
    offlineSince: null, wake: null, wakes: 0, appliedAt: null, failure: null, supersededBy: null, history: [{ status: "queued", at: createdAt, note: "queued" }],
  };
}

export function describeWifiChangeContract(label: string, open: () => Promise<OpenedWifiChangeRepository>): void {
  describe(label, () => {
    let opened: OpenedWifiChangeRepository;
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      await opened.close();
    });

    it("stores a change and reads it back as stored (band keys with a dot included)", async () => {
      const c = change("c1", "L-1", 1000);
      await opened.repo.put(c);
      expect(await opened.repo.get("c1")).toEqual(c);
      expect(await opened.repo.get("nope")).toBeNull();
    });

    it("replaces a change by id, and lists only the open ones, oldest first", async () => {
      await opened.repo.put(change("c2", "L-1", 2000));
      await opened.repo.put(change("c1", "L-2", 1000));
      await opened.repo.put(change("c3", "L-1", 3000));
      const applied = moveTo(change("c2", "L-1", 2000), "applied", 2500, "applied after 500 ms", { appliedAt: 2500 });
      await opened.repo.put(applied);
      expect(await opened.repo.get("c2")).toEqual(applied);
      expect((await opened.repo.listOpen()).map((c) => c.id)).toEqual(["c1", "c3"]);
    });

    it("lists a line's changes newest first, up to the limit", async () => {
      for (const [id, at] of [["a", 1000], ["b", 3000], ["c", 2000]] as const) await opened.repo.put(change(id, "L-9", at));
      await opened.repo.put(change("x", "L-8", 5000));
      expect((await opened.repo.listByLine("L-9", 10)).map((c) => c.id)).toEqual(["b", "c", "a"]);
      expect((await opened.repo.listByLine("L-9", 2)).map((c) => c.id)).toEqual(["b", "c"]);
      expect(await opened.repo.listByLine("L-0", 10)).toEqual([]);
    });
  });
}
