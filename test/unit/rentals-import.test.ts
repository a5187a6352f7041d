// CSV import of contract events: every bad row reported with its line and
// reason, nothing imported unless goodRowsOnly, rows checked in file order
// against the inventory as the earlier rows leave it, the same file twice a no-op.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runFlagging } from "../../acs/rentals/flagging-job.ts";
import { importContractEvents } from "../../acs/rentals/import-csv.ts";
import type { RentalRepository } from "../../acs/rentals/rental-repository.ts";
import { applyRouterAction } from "../../acs/rentals/router-actions.ts";
import { openTestRepo, type TestRepo } from "../helpers/rental-repo.ts";

let t: TestRepo;
let repo: RentalRepository;
const NOW = Date.parse("2026-03-03T08:00:00Z");

beforeEach(async () => {
  t = openTestRepo();
  repo = t.repo;
  for (const [i, serial] of ["SN1", "SN2", "SN3"].entries()) {
    await repo.addRouters([{ serial, mac: `02:00:00:00:00:0${i}`, model: "FlexBox 6" }], 0, "warehouse");
    await applyRouterAction(repo, serial, { to: "shipped" }, { now: 1, actor: "desk", key: `ship-${serial}` });
  }
});
afterEach(() => t.close());

const run = (csv: string, goodRowsOnly = false) => importContractEvents(repo, csv, { now: NOW, actor: "csv:crm", deadlineDays: 30, goodRowsOnly });

const GOOD_AND_BAD = [
  "type,line_id,subscriber_id,date,serial,new_serial,equipment", // 1
  "activation,L1,S1,2026-01-10,SN1,,", // 2
  "activation,L2,S2,2026-02-30,SN2,,", // 3: no 30 February
  "teleportation,L2,S2,2026-01-10,,,", // 4
  "activation,L3,S3,2026-01-10,NOPE,,", // 5: not in the inventory
  "termination_request,L1,S1,2026-03-02,,,", // 6: L1 activated on line 2 of this file
  "activation,L4,S4,2026-01-10,SN1,,", // 7: SN1 is active since line 2
  "activation,L5,S5,2026-01-10,,,rented", // 8
  "activation,L6,S6,2026-01-10,OWN-9,,customer_owned", // 9
  "exchange,L1,S1,2026-01-20,SN1,SN3", // 10: 6 cells
].join("\n");

describe("contract events CSV import", () => {
  it("reports every bad row with its line and reason, and imports nothing", async () => {
    const report = await run(GOOD_AND_BAD);
    expect(report).toEqual({
      accepted: false, rows: 9, imported: 0, duplicates: 0, rejectedRows: 6,
      errors: [
        { line: 3, reason: "date must be a calendar date YYYY-MM-DD (Paris)" },
        { line: 4, reason: "type must be one of: activation, exchange, termination_request, suspension, reactivation" },
        { line: 5, reason: "router NOPE is not in the rented-router inventory (for a customer-owned router or an ONT set equipment to customer_owned or ont)" },
        { line: 7, reason: "router SN1 is due_back, not shipped: only a shipped router can be put on a line" },
        { line: 8, reason: "serial is required for a rented router's activation" },
        { line: 10, reason: "6 cell(s), the header has 7" },
      ],
    });
    expect((await repo.getRouter("SN1"))!.state).toBe("shipped");
    expect(await repo.listContractEvents({})).toEqual([]);
  });

  it("imports the good rows only when asked, in file order", async () => {
    const report = await run(GOOD_AND_BAD, true);
    expect(report).toMatchObject({ accepted: true, rows: 9, imported: 3, duplicates: 0, rejectedRows: 6 });
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 5, 7, 8, 10]);
    expect(await repo.getRouter("SN1")).toMatchObject({ state: "due_back", lineId: "L1", dueDate: "2026-04-11" });
    expect((await repo.listContractEvents({})).map((e) => [e.type, e.lineId, e.source, e.actor])).toEqual([
      ["activation", "L6", "csv", "csv:crm"], ["termination_request", "L1", "csv", "csv:crm"], ["activation", "L1", "csv", "csv:crm"],
    ]);
  });

  it("the same file imported twice applies once, and flags one charge", async () => {
    const csv = [
      "event_id,type,line_id,subscriber_id,date,serial,new_serial",
      "A-1,activation,L1,S1,2026-01-10,SN1,",
      "A-2,activation,L2,S2,2026-01-10,SN2,",
      "X-1,exchange,L2,S2,2026-02-01,SN2,SN3",
      "T-1,termination_request,L1,S1,2026-03-02,,",
    ].join("\r\n");
    expect(await run(csv)).toEqual({ accepted: true, rows: 4, imported: 4, duplicates: 0, rejectedRows: 0, errors: [] });
    expect(await run(csv)).toEqual({ accepted: true, rows: 4, imported: 0, duplicates: 4, rejectedRows: 0, errors: [] });
    expect(await repo.getRouter("SN2")).toMatchObject({ state: "due_back", dueReason: "exchange", dueDate: "2026-03-03" });
    await runFlagging(repo, { today: "2026-04-12", now: NOW });
    await runFlagging(repo, { today: "2026-04-12", now: NOW });
    expect(await run(csv)).toMatchObject({ imported: 0, duplicates: 4, errors: [] });
    expect((await repo.listCharges({})).map((c) => c.serial).sort()).toEqual(["SN1", "SN2"]);
  });

  it("refuses an unreadable file or header with the line it is on", async () => {
    expect((await run("type,line_id\nactivation,L1\n")).errors).toEqual([{ line: 1, reason: "missing column(s): subscriber_id, date" }]);
    expect((await run("type,line_id,subscriber_id,date,colour\n")).errors).toEqual([
      { line: 1, reason: "unknown column(s): colour (known: event_id, type, line_id, subscriber_id, date, serial, new_serial, equipment)" },
    ]);
    expect((await run("")).errors).toEqual([{ line: 1, reason: "empty file: a header line is required" }]);
    const unclosed = await run('type,line_id,subscriber_id,date\nactivation,L1,S1,2026-01-10\n"activation,L2,S2,2026-01-10\n');
    expect(unclosed.errors).toHaveLength(1);
    expect(unclosed.errors[0]!.line).toBe(3);
    expect(unclosed.errors[0]!.reason).toMatch(/^unreadable CSV: Quote Not Closed/);
    expect(unclosed.accepted).toBe(false);
    // A file that cannot be read as rows is refused even when the good rows are asked for.
    expect(await run("type,line_id,subscriber_id,date,colour\nsuspension,L1,S1,2026-01-10,red\n", true)).toMatchObject({ accepted: false, imported: 0, rejectedRows: 1 });
  });

  it("numbers lines as the file does, across quoted cells spanning lines and blank lines", async () => {
    const csv = 'type,line_id,subscriber_id,date,serial\n\nsuspension,"L\n1",S1,2026-01-10,\nsuspension,L2,S2,2026-13-01,\n';
    expect((await run(csv)).errors).toEqual([{ line: 5, reason: "date must be a calendar date YYYY-MM-DD (Paris)" }]);
  });
});
