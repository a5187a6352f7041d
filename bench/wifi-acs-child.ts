// Child process of bench/wifi.bench.ts: a full ACS (test/helpers/wifi-acs.ts:
// CWMP listener with provisioning and the agent channel, REST API with the
// lines and Wi-Fi APIs) on loopback, so the benchmark's fleet and the ACS do
// not share an event loop. Prints one JSON line (URLs, admin token), then
// runs until SIGTERM. Usage: wifi-acs-child.ts <periodic inform interval s>

import { WifiAcs } from "../test/helpers/wifi-acs.ts";

const periodic = Number(process.argv[2] ?? 60);
const acs = await WifiAcs.start({ provisioning: { periodicInformInterval: periodic } });
process.stdout.write(`${JSON.stringify({ cwmpUrl: acs.cwmpUrl, apiUrl: acs.apiUrl, token: acs.tokens.admin })}\n`);
process.once("SIGTERM", () => {
  void acs.close().finally(() => process.exit(0));
});
