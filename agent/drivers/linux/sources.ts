// Identity values read once at start-up from configured sources: a constant,
// a file (its first line, or the first group of a regular expression), a
// command's output (same rule), or an interface's MAC address.

import { readFile } from "node:fs/promises";
import type { SourceSpec } from "../../router/config.ts";
import { runCommand } from "./commands.ts";
import type { NetInterfaces } from "./sysfs.ts";

export class SourceError extends Error {
  override name = "SourceError";
}

function pick(text: string, pattern: string | undefined, what: string): string {
  if (pattern === undefined) return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
  const m = new RegExp(pattern, "m").exec(text);
  if (!m) throw new SourceError(`${what}: pattern ${JSON.stringify(pattern)} does not match`);
  return (m[1] ?? m[0]).trim();
}

/** The value of a source; throws a SourceError naming `what` when it cannot be read or is empty. */
export async function readSource(spec: SourceSpec, nets: NetInterfaces, what: string): Promise<string> {
  let value: string;
  if ("value" in spec) value = spec.value;
  else if ("interface" in spec) {
    value = nets.mac(spec.interface);
    if (!value) throw new SourceError(`${what}: interface ${spec.interface} has no MAC address (absent?)`);
  } else if ("file" in spec) {
    let text: string;
    try {
      text = await readFile(spec.file, "utf8");
    } catch (err) {
      throw new SourceError(`${what}: cannot read ${spec.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    value = pick(text, spec.pattern, what);
  } else {
    const r = await runCommand(spec.command, { timeoutMs: 10_000, capture: true });
    if (!r.ok) throw new SourceError(`${what}: command failed (${r.error})`);
    value = pick(r.output, spec.pattern, what);
  }
  if (!value) throw new SourceError(`${what}: empty value`);
  if (value.length > 64) throw new SourceError(`${what}: longer than 64 characters`);
  return value;
}
