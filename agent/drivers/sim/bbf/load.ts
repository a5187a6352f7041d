// The committed BBF extracts, loaded once per process.

import { readFileSync } from "node:fs";
import type { BbfDefinitions } from "../../../datamodel/schema.ts";

const load = (file: string): BbfDefinitions => JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8")) as BbfDefinitions;

export const TR181: BbfDefinitions = load("./tr181.json");
export const TR098: BbfDefinitions = load("./tr098.json");
