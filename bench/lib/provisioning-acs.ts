// The ACS process of the provisioning benchmark: SQLite store in the given
// folder, the line repository on a second connection to the same file, the
// CWMP listener with the provisioning and task sources, the REST API with the
// lines API, both on 127.0.0.1 ephemeral ports. Prints one JSON line
// { cwmpUrl, apiUrl, token } when ready; stops on SIGTERM.
// Usage: tsx bench/lib/provisioning-acs.ts <data-dir> <bootstrap-user> <bootstrap-password>

import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { buildApiServer } from "../../acs/api/server.ts";
import { createApiToken } from "../../acs/api/tokens.ts";
import { createConnectionRequester } from "../../acs/connreq/requester.ts";
import { buildCwmpServer } from "../../acs/cwmp-listener/server.ts";
import { EventBus } from "../../acs/events.ts";
import { registerLinesApi } from "../../acs/lines/lines-api.ts";
import { createProfileRegistry, loadProfiles } from "../../acs/provisioning/profile-registry.ts";
import { createProvisioningSource } from "../../acs/provisioning/provisioning-source.ts";
import { createSqliteLineRepository } from "../../acs/store/sqlite/lines.ts";
import { openSqliteStore } from "../../acs/store/sqlite/sqlite-store.ts";
import { createTaskSource } from "../../acs/tasks/task-source.ts";

const [dir, username, password] = process.argv.slice(2);
if (!dir || !username || !password) throw new Error("usage: provisioning-acs.ts <data-dir> <bootstrap-user> <bootstrap-password>");
const realm = "FlexACS";
const path = join(dir, "acs.db");
const store = await openSqliteStore(path);
// A second connection to the store's file (WAL), with the store's durability setting.
const db = new Database(path);
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
const lines = createSqliteLineRepository(db);
const profiles = createProfileRegistry(await loadProfiles());
const logger = pino({ level: "warn" });
const bus = new EventBus();
const cwmp = await buildCwmpServer({
  store, bus, logger,
  sources: [createProvisioningSource({ lines, profiles, realm }), createTaskSource()],
  options: { realm, bootstrapCredential: { username, password }, nonceSecret: "bench-nonce-secret-0123456789", allowBasic: "never", instanceId: "bench" },
});
await cwmp.listen({ host: "127.0.0.1", port: 0 });
const requester = createConnectionRequester({ store, logger });
const api = await buildApiServer({ store, bus, logger, requester, options: { bodyLimitBytes: 1 << 20, onlineWindowMs: 600_000 } });
await registerLinesApi(api, { store, lines, profiles });
await api.listen({ host: "127.0.0.1", port: 0 });
const { token } = await createApiToken(store, "bench", "admin");
const port = (s: typeof cwmp) => (s.server.address() as AddressInfo).port;
process.stdout.write(`${JSON.stringify({ cwmpUrl: `http://127.0.0.1:${port(cwmp)}/cwmp`, apiUrl: `http://127.0.0.1:${port(api)}`, token })}\n`);

process.once("SIGTERM", () => {
  void (async () => {
    await cwmp.close();
    await api.close();
    db.close();
    await store.close();
    process.exit(0);
  })();
});
