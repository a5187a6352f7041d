// Writes tr181.json and tr098.json next to this file: the BBF definitions of the
// objects in objects.ts. The XML extraction itself is the agent's
// (agent/drivers/sim/bbf/generate.ts); only the object list differs.
//
//   npx tsx acs/provisioning/bbf/generate.ts [bbfDir]
//
// bbfDir defaults to ../shared/data/bbf next to the repository.

import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { extract, formatDefinitions } from "../../../agent/drivers/sim/bbf/generate.ts";
import { profileBbfDir } from "./data-model.ts";
import { TR098_PROFILE_OBJECTS, TR181_PROFILE_OBJECTS } from "./objects.ts";

export const PROFILE_BBF_SOURCES = [
  { file: "tr-181-2-17-0-cwmp-full.xml", out: "tr181.json", objects: TR181_PROFILE_OBJECTS },
  { file: "tr-098-1-8-0-full.xml", out: "tr098.json", objects: TR098_PROFILE_OBJECTS },
] as const;

export const defaultBbfSourceDir = resolve(profileBbfDir, "../../../../shared/data/bbf");

/** File name → JSON text, exactly as committed. */
export async function generateProfileBbf(bbfDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of PROFILE_BBF_SOURCES) out[s.out] = formatDefinitions(await extract(join(bbfDir, s.file), s.objects));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await generateProfileBbf(resolve(process.argv[2] ?? defaultBbfSourceDir));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(profileBbfDir, name), text);
    console.log(`wrote ${name} (${text.length} bytes)`);
  }
}
