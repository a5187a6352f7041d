// `npm run bench [-- --json] [-- --only name[,name]] [-- --quick]`
// Runs every capability's benchmark in one process run, so ratios compare
// figures measured on the same machine at the same time. With --json the last
// line of output is one JSON object holding every figure.

import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchOptions {
  quick: boolean;
}
type BenchModule = { run(opts: BenchOptions): Promise<Record<string, number>> };

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const onlyIdx = args.indexOf("--only");
const only = onlyIdx >= 0 ? (args[onlyIdx + 1] ?? "").split(",") : null;

const here = dirname(fileURLToPath(import.meta.url));
// Order matters only for readability: cheap micro-benchmarks first.
const order = ["xml", "store", "sessions"];
const names = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.slice(0, -".bench.ts".length))
  .filter((n) => !only || only.includes(n))
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));

const figures: Record<string, number> = {};
for (const name of names) {
  console.log(`\n== ${name} ==`);
  const mod = (await import(join(here, `${name}.bench.ts`))) as BenchModule;
  const started = Date.now();
  Object.assign(figures, await mod.run({ quick }));
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
if (json) console.log(JSON.stringify(figures));
process.exit(0);
