// Device agent CLI.
//   npm run agent -- sim --count 100 --acs http://127.0.0.1:7547/cwmp --model mix
//   npm run agent -- linux --config /etc/flexacs/agent.json [--check]   (agent/router/cli.ts)
//   npm run agent -- --help

import { parseArgs } from "node:util";
import pino from "pino";
import { MODEL_NAMES, type ModelName } from "./drivers/sim/model-spec.ts";
import { startFleet } from "./fleet/fleet.ts";

const HELP = `FlexACS device agent: simulated TR-069 CPEs for testing an ACS.

Usage: npm run agent -- sim --acs URL [options]
       npm run agent -- linux --config FILE [--check]   this Linux system as a CPE (npm run agent -- linux --help)

  --acs URL                 ACS URL (ManagementServer.URL factory value)       [required]
  --count N                 number of simulated devices                        [1]
  --model NAME              ${MODEL_NAMES.join(" | ")} | mix                    [router-tr181]
  --serial-prefix X         serial = X + number (default per model: HWA, OGN, FLOG)
  --periodic SECONDS        PeriodicInformInterval; 0 = no periodic Informs     [0]
  --state-dir DIR           per-device state files (bootstrap, keys, credentials) [data/agent-state]
  --cr-host HOST            host in ConnectionRequestURL and to listen on       [127.0.0.1]
  --cr-port P               Connection Request port (one server for the fleet)  [7548]
  --username U              bootstrap ACS username (ManagementServer.Username)
  --password P              bootstrap ACS password (ManagementServer.Password)
  --cr-username U           factory ConnectionRequestUsername                   [the serial]
  --cr-password P           factory ConnectionRequestPassword                   [cr-<serial>]
  --seed N                  seed for per-device values and simulated randomness
  --download-failure-rate R 0..1 share of simulated downloads failing (9010/9018) [0]
  --concurrency N           sessions at a time while booting the fleet          [50]
  --max-sockets N           sockets in the shared keep-alive pool to the ACS    [256]
  --no-retry                do not retry failed sessions (default: retry with the TR-069 back-off)
  -h, --help                this text

Devices boot (0 BOOTSTRAP + 1 BOOT on first contact, 1 BOOT afterwards), then
wait for Connection Requests, periodic Informs and scheduled actions. Ctrl-C stops.`;

const log = pino({ name: "agent" }, pino.destination(2));

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "linux") {
    const { routerCli } = await import("./router/cli.ts");
    return routerCli(argv.slice(1));
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      acs: { type: "string" },
      count: { type: "string", default: "1" },
      model: { type: "string", default: "router-tr181" },
      "serial-prefix": { type: "string" },
      periodic: { type: "string", default: "0" },
      "state-dir": { type: "string", default: "data/agent-state" },
      "cr-host": { type: "string", default: "127.0.0.1" },
      "cr-port": { type: "string", default: "7548" },
      username: { type: "string" },
      password: { type: "string" },
      "cr-username": { type: "string" },
      "cr-password": { type: "string" },
      seed: { type: "string" },
      "download-failure-rate": { type: "string", default: "0" },
      concurrency: { type: "string", default: "50" },
      "max-sockets": { type: "string", default: "256" },
      "no-retry": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== "sim") throw new Error(`unknown driver "${positionals[0]}" (sim or linux)`);
  if (!values.acs) throw new Error("--acs URL is required");
  const model = values.model as ModelName | "mix";
  if (model !== "mix" && !MODEL_NAMES.includes(model)) throw new Error(`unknown model "${values.model}"`);
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const rate = Number(values["download-failure-rate"]);
  if (!(rate >= 0 && rate <= 1)) throw new Error("--download-failure-rate must be between 0 and 1");

  const fleet = await startFleet({
    acsUrl: new URL(values.acs).toString(),
    count: int("count", values.count, 1),
    model,
    serialPrefix: values["serial-prefix"],
    periodicInterval: int("periodic", values.periodic, 0),
    stateDir: values["state-dir"]!,
    crHost: values["cr-host"],
    crPort: int("cr-port", values["cr-port"], 0),
    username: values.username,
    password: values.password,
    crUsername: values["cr-username"],
    crPassword: values["cr-password"],
    seed: values.seed === undefined ? undefined : int("seed", values.seed, 0),
    downloadFailureRate: rate,
    retry: !values["no-retry"],
    maxSockets: int("max-sockets", values["max-sockets"], 1),
    log: (event, fields) => log.info(fields, event),
  });
  log.info({ devices: fleet.devices.length, model, crPort: fleet.crServer.port, stateDir: values["state-dir"] }, "fleet started");
  for (const d of fleet.devices.slice(0, 5)) log.info({ serial: d.serial, model: d.model, connectionRequestUrl: d.connectionRequestUrl }, "device");

  const stop = async (): Promise<void> => {
    log.info("stopping");
    await fleet.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());

  const results = await fleet.bootAll({ concurrency: int("concurrency", values.concurrency, 1) });
  const failed = results.filter((r) => !r.ok);
  log.info({ ok: results.length - failed.length, failed: failed.length, firstError: failed[0]?.error }, "boot sessions done");
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    log.error({ err: (err as Error).message }, "agent failed");
    process.exit(1);
  },
);
