// The Store contract: one suite that every Store implementation must pass
// (SQLite in sqlite.test.ts, MongoDB in mongodb.test.ts). It checks only what
// a caller of the interface can observe. Where acs/store/store.ts leaves a
// behaviour open, the suite pins the decision taken (see the comments of each
// section and of acs/store/sqlite/*.ts).

import { afterEach, beforeEach, describe } from "vitest";
import type { Store } from "../../acs/store/store.ts";
import { deviceContract } from "./store-contract-devices.ts";
import type { ContractContext } from "./store-contract-helpers.ts";
import { parameterContract } from "./store-contract-params.ts";
import { recordContract } from "./store-contract-records.ts";
import { taskContract } from "./store-contract-tasks.ts";

/**
 * Declares `describe(label)` with the whole contract.
 * `open` must return a new, empty store for each test; the suite closes it
 * after the test, then calls `cleanup` (e.g. to delete the file or database).
 */
export function describeStoreContract(label: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(label, () => {
    const ctx: ContractContext = { store: undefined as unknown as Store };
    beforeEach(async () => {
      ctx.store = await open();
    });
    afterEach(async () => {
      await ctx.store.close();
      await cleanup?.();
    });
    deviceContract(ctx);
    parameterContract(ctx);
    taskContract(ctx);
    recordContract(ctx);
  });
}
