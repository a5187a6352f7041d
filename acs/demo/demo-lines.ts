// Stores the demo's subscriber lines through the line import's checks (the
// same validation, duplicate and router-model rules as POST
// /api/lines/import). Lines a previous start stored are left as they are; a
// line whose serial another line took meanwhile is reported, not forced.

import { checkImport, newLine } from "../lines/line-import.ts";
import type { LineRepository } from "../lines/line-repository.ts";
import { lineModelChecker } from "../lines/lines-api.ts";
import type { ProfileRegistry } from "../provisioning/profile-registry.ts";
import type { DemoLine } from "./demo-plan.ts";

export interface LinesSeeded {
  added: number;
  /** Stored by an earlier start. */
  present: number;
  /** Lines not stored, with the field at fault and why. */
  refused: { lineId: string; field: string; message: string }[];
}

export async function seedLines(repo: LineRepository, profiles: ProfileRegistry, lines: readonly DemoLine[], now: number): Promise<LinesSeeded> {
  const present = new Set(await repo.existingLineIds(lines.map((l) => l.input.id)));
  const rows = lines.filter((l) => !present.has(l.input.id)).map((l, i) => ({ row: i + 1, line: i + 1, input: l.input }));
  if (rows.length === 0) return { added: 0, present: present.size, refused: [] };
  const check = await checkImport(rows, repo, lineModelChecker(repo, profiles));
  if (check.good.length > 0) await repo.addLines(check.good.map((g) => newLine(g.line, now)));
  const refused = check.errors.map((e) => ({ lineId: rows[e.row - 1]!.input.id, field: e.field, message: e.message }));
  return { added: check.good.length, present: present.size, refused };
}
