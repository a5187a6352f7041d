// Builds the router agent into one JavaScript file with its dependencies
// (no node_modules on the router), plus what installs it:
//
//   npm run build:agent            → dist/agent/
//   npx tsx agent/router/packaging/build.ts OUTDIR
//
// dist/agent/: agent.js, agent.example.json, flexacs-agent.service (systemd),
// flexacs-agent.init (OpenWrt procd), install.sh, THIRD-PARTY-LICENSES.txt.
// CommonJS, so `node agent.js` works from any folder; the package.json next to
// it only keeps a parent "type": "module" (this repository's) from applying.
// The build fails if ACS server code or a server-only package got in.

import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
export const ENTRY = join(root, "agent/router/main.ts");
/** What the router must never carry: the ACS's server stack and stores. */
const FORBIDDEN_PACKAGES = ["better-sqlite3", "mongodb", "fastify", "@fastify", "ws", "prom-client", "csv-parse", "csv-stringify"];
/** The only ACS files the agent may use: the pure CWMP codec, faults and Digest helpers. */
const ALLOWED_ACS = /^acs\/cwmp\/(codec(\/.*)?|codec|digest|faults|messages)\.ts$/;
const SHIPPED = ["agent.example.json", "flexacs-agent.service", "flexacs-agent.init", "install.sh"];

export interface AgentBundle {
  file: string;
  bytes: number;
  /** Source files and packages in the bundle (paths relative to the project root). */
  inputs: string[];
  packages: string[];
}

const packageOf = (input: string): string | undefined => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m?.[1];
};

export function bundleProblems(inputs: readonly string[]): string[] {
  const problems: string[] = [];
  for (const i of inputs) {
    const pkg = packageOf(i);
    if (pkg && FORBIDDEN_PACKAGES.some((f) => pkg === f || pkg.startsWith(`${f}/`))) problems.push(`server package in the agent bundle: ${pkg} (${i})`);
    if (!pkg && i.startsWith("acs/") && !ALLOWED_ACS.test(i)) problems.push(`ACS server code in the agent bundle: ${i}`);
  }
  return problems;
}

async function licenses(meta: Metafile): Promise<string> {
  const pkgs = [...new Set(Object.keys(meta.inputs).map(packageOf).filter((p): p is string => !!p))].sort();
  const parts: string[] = ["Third-party packages bundled into agent.js\n"];
  for (const p of pkgs) {
    const dir = join(root, "node_modules", p);
    const info = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version?: string; license?: string };
    const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"].map((f) => join(dir, f)).find((f) => existsSync(f));
    parts.push(`\n==== ${p} ${info.version ?? ""} (${info.license ?? "see package"}) ====\n${file ? await readFile(file, "utf8") : ""}`);
  }
  return parts.join("");
}

export async function buildAgentBundle(outDir: string): Promise<AgentBundle> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, "agent.js");
  const r = await build({
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
    absWorkingDir: root,
  });
  const inputs = Object.keys(r.metafile.inputs).map((i) => relative(root, resolve(root, i)));
  const problems = bundleProblems(inputs);
  if (problems.length) throw new Error(problems.join("\n"));
  for (const f of SHIPPED) await copyFile(join(here, f), join(outDir, f));
  await writeFile(join(outDir, "package.json"), `${JSON.stringify({ name: "flexacs-agent", private: true, type: "commonjs" })}\n`);
  await writeFile(join(outDir, "THIRD-PARTY-LICENSES.txt"), await licenses(r.metafile));
  return {
    file,
    bytes: r.metafile.outputs[relative(root, file)]?.bytes ?? (await readFile(file)).length,
    inputs,
    packages: [...new Set(inputs.map(packageOf).filter((p): p is string => !!p))].sort(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, "dist/agent"));
  const b = await buildAgentBundle(out);
  console.log(`${relative(process.cwd(), b.file)}: ${(b.bytes / 1024).toFixed(0)} KB, packages: ${b.packages.join(", ")}`);
}
