// Command line of the router agent (the bundle's `node agent.js …`, or
// `npm run agent -- linux …` from the source tree).

import { parseArgs } from "node:util";
import { runCheck } from "./check.ts";
import { AgentConfigError, DEFAULT_CONFIG_FILE, loadAgentConfig } from "./config.ts";
import { createAgentLogger } from "./logger.ts";
import { startRouterAgent } from "./run.ts";

export const ROUTER_HELP = `FlexACS device agent for a Linux router (TR-069 CPE, linux driver).

Usage: node agent.js [--config FILE] [--check]

  -c, --config FILE   configuration (JSON)                          [${DEFAULT_CONFIG_FILE}]
      --check         validate the configuration and what it points at (credentials,
                      interfaces, identity sources, Wi-Fi files, state folder), check
                      that the ACS answers, print one line per check, then exit:
                      0 when nothing FAILed, 1 otherwise
  -h, --help          this text

The agent informs the ACS at start (0 BOOTSTRAP + 1 BOOT the first time, 1 BOOT
afterwards), then periodically and on connection requests. SIGTERM or SIGINT
stop it cleanly. Exit codes: 0 stopped, 1 runtime error, 2 bad usage or
configuration, 75 an accepted reboot did not happen (the supervisor restarts it).
Installation: agent/README.md.`;

/** Runs the CLI; resolves with an exit code, or never while the agent runs. */
export async function routerCli(argv: string[]): Promise<number> {
  let values: { config?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: "string", short: "c" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (err) {
    console.error(`flexacs-agent: ${(err as Error).message}\n\n${ROUTER_HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(ROUTER_HELP);
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG_FILE;
  if (values.check) {
    const lines = await runCheck(file);
    for (const l of lines) console.log(`${l.level.padEnd(4)} ${l.text}`);
    return lines.some((l) => l.level === "FAIL") ? 1 : 0;
  }

  let cfg;
  try {
    cfg = loadAgentConfig(file);
  } catch (err) {
    if (!(err instanceof AgentConfigError)) throw err;
    console.error(`flexacs-agent: invalid configuration\n${err.problems.map((p) => `  ${p}`).join("\n")}`);
    return 2;
  }
  const log = createAgentLogger(cfg.logLevel);
  let agent;
  try {
    agent = await startRouterAgent(cfg, { log, onRestartTimeout: () => process.exit(75) });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, "agent cannot start");
    return 1;
  }
  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, "stopping");
    await agent.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return new Promise(() => undefined);
}
