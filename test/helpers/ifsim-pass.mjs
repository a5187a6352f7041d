// snmpd pass_persist helper serving IF-MIB values from a JSON file a test
// controls (recipe: /work/shared/reference/snmp-test-peer.md §1).
// Plain JavaScript on purpose: snmpd spawns it with the system node, lazily on
// the first request, so it must start fast and need no TypeScript loader.
//
// usage: node ifsim-pass.mjs <state.json> <root OID>
// state: { "interfaces": [ { "index": 1, "descr": "eth0 WAN", "operStatus": 1,
//   "highSpeed": 1000, "inOctets": "123", "outOctets": "456", "hc": true } ] }
// Counters are decimal strings (exact above 2^53). ifIn/OutOctets are the HC
// values mod 2^32. "hc": false hides the ifXTable HC counters (a 32-bit-only agent).

import { readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";

const [statePath, root] = process.argv.slice(2);
const rootParts = root.split(".").filter(Boolean).map(Number);
const IF_ENTRY = ".1.3.6.1.2.1.2.2.1";
const IF_X_ENTRY = ".1.3.6.1.2.1.31.1.1.1";
const TWO_32 = 1n << 32n;

let stamp = "";
let objects = [];

function build(state) {
  const out = [[".1.3.6.1.2.1.2.1.0", "integer", String(state.interfaces.length)]];
  for (const i of state.interfaces) {
    const inOctets = BigInt(i.inOctets);
    const outOctets = BigInt(i.outOctets);
    const speed = Math.min(i.highSpeed * 1e6, 4294967295);
    const row = (entry, col, type, value) => out.push([`${entry}.${col}.${i.index}`, type, String(value)]);
    row(IF_ENTRY, 1, "integer", i.index);
    row(IF_ENTRY, 2, "string", i.descr);
    row(IF_ENTRY, 3, "integer", 6);
    row(IF_ENTRY, 5, "gauge", speed);
    row(IF_ENTRY, 7, "integer", 1);
    row(IF_ENTRY, 8, "integer", i.operStatus);
    row(IF_ENTRY, 10, "counter", inOctets % TWO_32);
    row(IF_ENTRY, 16, "counter", outOctets % TWO_32);
    row(IF_X_ENTRY, 1, "string", i.descr.split(" ")[0]);
    if (i.hc !== false) {
      row(IF_X_ENTRY, 6, "counter64", inOctets);
      row(IF_X_ENTRY, 10, "counter64", outOctets);
    }
    row(IF_X_ENTRY, 15, "gauge", i.highSpeed);
  }
  return out
    .map(([oid, type, value]) => ({ parts: oid.split(".").filter(Boolean).map(Number), oid, type, value }))
    .filter((o) => rootParts.every((p, k) => o.parts[k] === p))
    .sort((a, b) => compare(a.parts, b.parts));
}

function compare(a, b) {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] - b[k];
  return a.length - b.length;
}

// Re-read only when the file changed; a half-written or bad file keeps the last good state.
function refresh() {
  try {
    const st = statSync(statePath);
    const s = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (s === stamp) return;
    objects = build(JSON.parse(readFileSync(statePath, "utf8")));
    stamp = s;
  } catch {
    // keep the previous snapshot
  }
}

const answer = (o) => process.stdout.write(o ? `${o.oid}\n${o.type}\n${o.value}\n` : "NONE\n");
const lines = createInterface({ input: process.stdin });
let pending = null; // the command waiting for its OID (and value) lines
lines.on("line", (line) => {
  if (pending) {
    pending.args.push(line.trim());
    if (pending.args.length < pending.need) return;
    const { cmd, args } = pending;
    pending = null;
    if (cmd === "set") return void process.stdout.write("not-writable\n");
    refresh();
    const parts = args[0].split(".").filter(Boolean).map(Number);
    if (cmd === "get") return answer(objects.find((o) => compare(o.parts, parts) === 0));
    return answer(objects.find((o) => compare(o.parts, parts) > 0));
  }
  const cmd = line.trim();
  if (cmd === "PING") process.stdout.write("PONG\n");
  else if (cmd === "get" || cmd === "getnext") pending = { cmd, need: 1, args: [] };
  else if (cmd === "set") pending = { cmd, need: 2, args: [] };
});
lines.on("close", () => process.exit(0));
