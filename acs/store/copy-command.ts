// `flexacs store copy --from SPEC --to SPEC [--verify]`: copies a whole store
// (copy.ts) and prints one row per record kind. With --verify the target is
// counted again and any difference fails the command (exit 1). Stop the ACS
// instances first: records written during the copy may be missed.

import { ConfigError, parseFlags, parseStoreSpec, type StoreSpec } from "../config.ts";
import { copyStore, StoreCopyError, type KindCount } from "./copy.ts";
import { describeStore, openStore } from "./open.ts";
import { openRestorer } from "./restore.ts";

export const STORE_USAGE = "  flexacs store copy --from sqlite:PATH|mongodb://… --to sqlite:PATH|mongodb://… [--verify]\n";

function specOf(flag: "from" | "to", raw: unknown): StoreSpec {
  if (typeof raw !== "string") throw new ConfigError(`--${flag}`, `store copy needs --${flag} sqlite:PATH or mongodb://HOST/DB`);
  try {
    return parseStoreSpec(raw);
  } catch (err) {
    throw new ConfigError(`--${flag}`, (err as Error).message);
  }
}

export function formatCounts(rows: readonly KindCount[]): string {
  const verified = rows.some((r) => r.target !== null);
  const w = Math.max(...rows.map((r) => r.kind.length), 4);
  const head = `${"kind".padEnd(w)}  ${"source".padStart(8)}${verified ? `  ${"target".padStart(8)}` : ""}`;
  const lines = rows.map((r) => {
    const mark = r.target === null ? "" : r.target === r.source ? "  ok" : "  DIFFERENT";
    return `${r.kind.padEnd(w)}  ${String(r.source).padStart(8)}${r.target === null ? "" : `  ${String(r.target).padStart(8)}`}${mark}`;
  });
  return [head, ...lines].join("\n");
}

/** Runs `store <sub> …`; returns the exit code. */
export async function storeCommand(argv: string[], out: (text: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "copy") throw new ConfigError("store", `unknown store command "${sub ?? ""}" (copy)`);
  const { values } = parseFlags(rest, { from: { type: "string" }, to: { type: "string" }, verify: { type: "boolean" } });
  const from = specOf("from", values.from);
  const to = specOf("to", values.to);
  if (describeStore(from) === describeStore(to)) throw new ConfigError("--to", "must be another store than --from");
  const source = await openStore(from);
  try {
    // The target's owner lock: copying under a running ACS would bypass its in-process caches.
    const target = await openStore(to, { serve: true });
    const restorer = await openRestorer(to).catch(async (err: unknown) => {
      await target.close();
      throw err;
    });
    try {
      out(`copying ${describeStore(from)} → ${describeStore(to)}\n`);
      const rows = await copyStore(source, target, restorer, { verify: values.verify === true, log: (line) => out(`  ${line}\n`) });
      out(`${formatCounts(rows)}\n`);
      if (rows.some((r) => r.target !== null && r.target !== r.source)) {
        out("verification FAILED: the target's counts differ from the source's\n");
        return 1;
      }
      out(values.verify ? "copied and verified\n" : "copied (run with --verify to count the target again)\n");
      return 0;
    } catch (err) {
      if (err instanceof StoreCopyError) {
        out(`nothing copied: ${err.message}\n`);
        return 1;
      }
      throw err;
    } finally {
      await restorer.close();
      await target.close();
    }
  } finally {
    await source.close();
  }
}
