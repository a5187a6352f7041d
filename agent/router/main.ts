// Entry point of the router bundle (dist/agent/agent.js): `node agent.js --config FILE`.

import { routerCli } from "./cli.ts";

routerCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`flexacs-agent: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
