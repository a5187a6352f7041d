// Command line: `start` (default) runs the ACS until SIGINT/SIGTERM;
// `token create|list|revoke` manages API tokens directly in the store (works
// while the ACS runs); `store copy` moves a whole store to another backend
// (acs/store/copy-command.ts). Exit codes: 0 ok, 1 runtime failure, 2 bad usage.

import { startAcs } from "./app.ts";
import { buildConfig, CONFIG_FLAGS, ConfigError, configHelp, parseConfig, parseFlags } from "./config.ts";
import { createApiToken, ROLES, TokenError } from "./api/tokens.ts";
import { STORE_USAGE, storeCommand } from "./store/copy-command.ts";
import { openStore } from "./store/open.ts";
import type { Role } from "./store/store.ts";

const USAGE = `Usage:
  flexacs [start] [options]                 run the ACS (npm start -- [options])
  flexacs token create --name NAME --role noc|support|admin [--store ...]
  flexacs token list [--store ...]
  flexacs token revoke --name NAME [--store ...]
${STORE_USAGE.trimEnd()}
  flexacs --help

Roles: noc = read only; support = read + reboot, getParameterValues, refreshObject; admin = everything.
`;

class UsageError extends Error {}

function adminTokenBanner(token: string, apiUrl: string): string {
  const line = "=".repeat(72);
  return `${line}
FlexACS first start: created the API token "admin" (role admin).
It is shown only this once and is stored only as a hash: keep it now.

    ${token}

Try:  curl -H "Authorization: Bearer ${token}" ${apiUrl}api/devices
More: npm run token -- create --name NAME --role noc|support|admin
${line}
`;
}

async function start(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\nOptions (a flag wins over its environment variable):\n${configHelp()}\n`);
    return 0;
  }
  const acs = await startAcs(parseConfig(argv, process.env));
  if (acs.initialAdminToken) process.stdout.write(adminTokenBanner(acs.initialAdminToken, acs.apiUrl));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(1); // a second signal: stop waiting for a clean shutdown
      stopping = true;
      void acs.close().finally(resolve);
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
  });
  return 0;
}

async function token(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || rest.includes("--help")) {
    process.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const { values } = parseFlags(rest, { ...CONFIG_FLAGS, name: { type: "string" }, role: { type: "string" } });
  const config = buildConfig(values, process.env);
  const need = (flag: "name" | "role"): string => {
    const v = values[flag];
    if (typeof v !== "string" || v === "") throw new ConfigError(`--${flag}`, `token ${sub} needs --${flag}`);
    return v;
  };
  if (!["create", "list", "revoke"].includes(sub)) throw new UsageError(`unknown token command "${sub}" (create, list or revoke)`);
  const store = await openStore(config.store);
  try {
    if (sub === "create") {
      const name = need("name");
      const role = need("role");
      if (!ROLES.includes(role as Role)) throw new ConfigError("--role", `must be one of ${ROLES.join(", ")} (got "${role}")`);
      const { token: secret } = await createApiToken(store, name, role as Role);
      await store.addAudit({ timestamp: Date.now(), actor: "cli", action: "token.create", deviceId: null, detail: { name, role } });
      process.stdout.write(`Created API token "${name}" (role ${role}). It is shown only this once:\n${secret}\n`);
    } else if (sub === "list") {
      const tokens = await store.listTokens();
      if (tokens.length === 0) process.stdout.write("no API tokens\n");
      for (const t of tokens) process.stdout.write(`${t.name.padEnd(24)} ${t.role.padEnd(8)} created ${new Date(t.createdAt).toISOString()}\n`);
    } else {
      const name = need("name");
      if (!(await store.deleteToken(name))) throw new UsageError(`no API token named "${name}"`);
      await store.addAudit({ timestamp: Date.now(), actor: "cli", action: "token.revoke", deviceId: null, detail: { name } });
      process.stdout.write(`Revoked API token "${name}".\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === "token") return await token(rest);
    if (first === "store") return await storeCommand(rest, (text) => process.stdout.write(text));
    if (first === "start") return await start(rest);
    if (first === undefined || first.startsWith("-")) return await start(argv);
    throw new UsageError(`unknown command "${first}"`);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof TokenError) {
      process.stderr.write(`flexacs: ${err.message}\nRun "flexacs --help" for the options.\n`);
      return 2;
    }
    process.stderr.write(`flexacs: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
