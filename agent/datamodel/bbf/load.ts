// The committed BBF extracts. Imported as JSON modules (not read from disk) so
// the agent bundle carries them and runs from any folder; the ACS profile
// validator uses the same two.

import type { BbfDefinitions } from "../schema.ts";
import tr098 from "./tr098.json" with { type: "json" };
import tr181 from "./tr181.json" with { type: "json" };

// JSON typing widens the range tuples; generate.ts and its test guard the shape.
export const TR181 = tr181 as unknown as BbfDefinitions;
export const TR098 = tr098 as unknown as BbfDefinitions;
