// Devices per model without a GROUP BY in the Store interface, on a real
// (in-memory) SQLite store: exact counts, sorted by model, capped at MAX_MODELS.

import { afterEach, expect, test } from "vitest";
import { countDevicesByModel, MAX_MODELS } from "../../acs/dashboards/device-models.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import type { Store } from "../../acs/store/store.ts";

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
});

const add = (s: Store, productClass: string, serial: string) =>
  s.upsertDevice({ id: `OUI-${productClass}-${serial}`, manufacturer: "m", oui: "OUI", productClass, serialNumber: serial }, {});

test("counts each model once, in ProductClass order, including the empty one", async () => {
  store = await openSqliteStore(":memory:");
  for (const [model, n] of [["B", 3], ["A", 1], ["", 2], ["C", 5]] as const) for (let i = 0; i < n; i++) await add(store, model, `${model}${i}`);
  expect(await countDevicesByModel(store)).toEqual({
    models: [{ productClass: "", count: 2 }, { productClass: "A", count: 1 }, { productClass: "B", count: 3 }, { productClass: "C", count: 5 }],
    otherDevices: 0,
  });
  const empty = await openSqliteStore(":memory:");
  expect(await countDevicesByModel(empty)).toEqual({ models: [], otherDevices: 0 });
  await empty.close();
});

test(`beyond ${MAX_MODELS} models the rest are summed`, async () => {
  store = await openSqliteStore(":memory:");
  for (let m = 0; m < MAX_MODELS + 3; m++) await add(store, `M${String(m).padStart(3, "0")}`, "1");
  await add(store, `M${MAX_MODELS + 2}`, "2");
  const { models, otherDevices } = await countDevicesByModel(store);
  expect(models).toHaveLength(MAX_MODELS);
  expect(models.at(-1)).toEqual({ productClass: `M${String(MAX_MODELS - 1).padStart(3, "0")}`, count: 1 });
  expect(otherDevices).toBe(4);
});
