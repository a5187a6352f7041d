// Devices per model (ProductClass) without a GROUP BY in the Store interface:
// walk the list sorted by productClass, reading one device at the start of
// each model and counting that model with the indexed countDevices filter, so
// the cost is two index lookups per model, not a scan of every device. A
// device registered during the walk can shift the offsets; a model seen twice
// is then skipped, so a count is never doubled (it is at worst one scrape late).

import type { Store } from "../store/store.ts";

/** Models counted one by one; the devices of any further model are counted together. */
export const MAX_MODELS = 200;

export interface ModelCounts {
  models: { productClass: string; count: number }[];
  /** Devices of the models beyond MAX_MODELS. */
  otherDevices: number;
}

export async function countDevicesByModel(store: Store): Promise<ModelCounts> {
  const counts = new Map<string, number>();
  let offset = 0;
  let total: number | null = null;
  while (counts.size < MAX_MODELS) {
    const page = await store.listDevices({ sort: "productClass", order: "asc", offset, limit: 1 });
    total ??= page.total;
    const first = page.items[0];
    if (!first) break;
    if (counts.has(first.productClass)) {
      offset++;
      continue;
    }
    const n = await store.countDevices({ productClass: first.productClass });
    counts.set(first.productClass, n);
    offset += Math.max(1, n);
  }
  const models = [...counts].map(([productClass, count]) => ({ productClass, count }));
  const counted = models.reduce((sum, m) => sum + m.count, 0);
  return { models, otherDevices: counts.size >= MAX_MODELS ? Math.max(0, (total ?? 0) - counted) : 0 };
}
