// Line validation and the bulk import: every rule of a line, CSV and JSON
// parsing with line numbers, and every reason a row is refused (inside the
// file, against the stored lines, against the router's model).

import Database from "better-sqlite3";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkImport, ImportFormatError, newLine, parseCsvRows, parseJsonRows, type ImportRow } from "../../acs/lines/line-import.ts";
import type { LineRepository } from "../../acs/lines/line-repository.ts";
import { mergePatch, patchLine, validateLine } from "../../acs/lines/line-validation.ts";
import { lineSettingsFor } from "../../acs/provisioning/desired-state.ts";
import { createProfileRegistry, loadProfiles, type ProfileRegistry } from "../../acs/provisioning/profile-registry.ts";
import { createSqliteLineRepository } from "../../acs/store/sqlite/lines.ts";

const base = {
  id: "L-1",
  subscriber: { id: "S-1", name: "Alice" },
  address: "1 rue",
  commune: "Lyon",
  router: { serial: "R-1" },
};
const errorsOf = (input: unknown) => {
  const v = validateLine(input);
  return v.ok ? [] : v.errors.map((e) => `${e.field}: ${e.message}`);
};

describe("validateLine", () => {
  it("fills rates with the offer's bounds and Wi-Fi/WAN with nothing", () => {
    expect(validateLine(base)).toEqual({
      ok: true,
      warnings: [],
      line: { ...base, rates: { download: { min: 30, max: 1000 }, upload: { min: 10, max: 1000 } }, wifi: {}, wan: {}, ontSerial: null },
    });
    expect(validateLine({ ...base, rates: { upload: { max: 300 } } })).toMatchObject({ ok: true, line: { rates: { upload: { min: 10, max: 300 } } } });
  });

  it.each([
    [{ ...base, id: "has space" }, "id: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"],
    [{ ...base, subscriber: { id: "S" } }, "subscriber.name: is required"],
    [{ ...base, address: "   " }, "address: must not be empty"],
    [{ ...base, commune: 75056 }, "commune: must be a string"],
    [{ ...base, rates: { download: { min: 29 } } }, "rates.download.min: must be at least 30 Mb/s (the offer's download floor)"],
    [{ ...base, rates: { upload: { min: 9 } } }, "rates.upload.min: must be at least 10 Mb/s (the offer's upload floor)"],
    [{ ...base, rates: { upload: { max: 1001 } } }, "rates.upload.max: must be at most 1000 Mb/s (the offer's upload ceiling)"],
    [{ ...base, rates: { download: { min: 300, max: 100 } } }, "rates.download.min: min must not be above max"],
    [{ ...base, rates: { download: { min: 100.5 } } }, "rates.download.min: must be a whole number of Mb/s"],
    [{ ...base, rates: { download: { min: "100" } } }, "rates.download.min: must be a number of Mb/s"],
    [{ ...base, router: undefined }, 'router: is required: must be {"serial": "<rented router serial>"} or {"customerOwned": true}'],
    [{ ...base, router: "R-1" }, 'router: must be {"serial": "<rented router serial>"} or {"customerOwned": true}'],
    [{ ...base, router: { customerOwned: false } }, 'router: must be {"serial": "<rented router serial>"} or {"customerOwned": true}'],
    [{ ...base, router: { serial: "bad serial" } }, "router.serial: must be 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit"],
    [{ ...base, ontSerial: "R-1" }, "ontSerial: must differ from the router serial"],
    [{ ...base, colour: "blue" }, "colour: is not a field of a line"],
    [{ ...base, wifi: { "2.4GHz": { ssid: "" } } }, "wifi.2.4GHz.ssid: must be 1 to 32 bytes of UTF-8"],
    [{ ...base, wifi: { "2.4GHz": { passphrase: "short" } } }, "wifi.2.4GHz.passphrase: must be 8 to 63 printable ASCII characters or 64 hex digits"],
    [{ ...base, wifi: { "2.4GHz": { security: "open" } } }, "wifi.2.4GHz.security: open is insecure: set insecureOverride to use it"],
    [{ ...base, wifi: { "6GHz": {} } }, "wifi.6GHz: is not a setting of the catalogue"],
    [{ ...base, wan: { mode: "dhcp" } }, "wan.mode: must be pppoe or ipoe"],
    [{ ...base, wan: { vlan: 4095 } }, 'wan.vlan: must be "untagged" or a VLAN ID from 1 to 4094'],
    [{ ...base, wan: { mode: "pppoe", pppoe: { username: "u" } } }, "wan.pppoe.password: is required when wan.mode is pppoe"],
  ])("refuses %j", (input, error) => {
    expect(errorsOf(input)).toEqual([error]);
  });

  it("accepts a customer-owned router, an insecure mode with its override, and a tagged PPPoE WAN", () => {
    const v = validateLine({
      ...base, router: { customerOwned: true }, ontSerial: "ONT-1",
      wifi: { "2.4GHz": { security: "open", insecureOverride: true } },
      wan: { mode: "pppoe", vlan: 835, pppoe: { username: "u@isp", password: "p" } },
    });
    expect(v).toMatchObject({
      ok: true,
      line: { router: { customerOwned: true }, ontSerial: "ONT-1", wifi: { "2.4GHz": { security: "open", insecureOverride: true } } },
      warnings: [{ field: "wifi.2.4GHz.security", message: "open is insecure (allowed by insecureOverride)" }],
    });
  });

  it("reports every problem of a line at once", () => {
    expect(errorsOf({ id: "", wifi: { "5GHz": { channel: 14 } } })).toHaveLength(6);
  });
});

describe("merge patch", () => {
  it("merges objects, removes on null, replaces the router whole", () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: 3 }, { a: { b: null, e: 4 }, d: [1] })).toEqual({ a: { c: 2, e: 4 }, d: [1] });
    const line = validateLine({ ...base, router: { customerOwned: true } });
    if (!line.ok) throw new Error("fixture");
    expect(patchLine(line.line, { router: { serial: "R-9" } })).toMatchObject({ router: { serial: "R-9" } });
  });
});

describe("CSV rows", () => {
  it("types cells, keeps text that does not convert, and numbers rows by the line they start on", () => {
    const csv = "\uFEFFid,rates.download.min,router,wifi.2.4GHz.channel,wifi.5GHz.enabled,wan.vlan,subscriber.name\n"
      + "L-1,100,customer-owned,auto,no,untagged,Alice\n"
      + "\n"
      + 'L-2,fast,R-2,6,TRUE,835,"two\nlines"\n'
      + "L-3,,R-3,x,maybe,v10,\n";
    const rows = parseCsvRows(csv);
    expect(rows).toEqual([
      { row: 1, line: 2, input: { id: "L-1", rates: { download: { min: 100 } }, router: { customerOwned: true }, wifi: { "2.4GHz": { channel: "auto" }, "5GHz": { enabled: false } }, wan: { vlan: "untagged" }, subscriber: { name: "Alice" } } },
      { row: 2, line: 4, input: { id: "L-2", rates: { download: { min: "fast" } }, router: { serial: "R-2" }, wifi: { "2.4GHz": { channel: 6 }, "5GHz": { enabled: true } }, wan: { vlan: 835 }, subscriber: { name: "two\nlines" } } },
      { row: 3, line: 6, input: { id: "L-3", router: { serial: "R-3" }, wifi: { "2.4GHz": { channel: "x" }, "5GHz": { enabled: "maybe" } }, wan: { vlan: "v10" } } },
    ]);
  });

  it("refuses an unknown or repeated column, an empty file and broken quoting", () => {
    expect(() => parseCsvRows("id,colour\n")).toThrow(/^line 1: column "colour" is not a line field/);
    expect(() => parseCsvRows("id,id\n")).toThrow('line 1: column "id" appears twice');
    expect(() => parseCsvRows("")).toThrow(ImportFormatError);
    expect(() => parseCsvRows('id\n"L-1\n')).toThrow(/^line 2: not valid CSV/);
  });
});

describe("JSON rows", () => {
  it("numbers each element by the line it starts on, strings with brackets included", () => {
    const text = '[\n  {"id": "a[,{"},\n\n  {"id": "b"}, {"id": "c"}\n]';
    expect(parseJsonRows(text)).toEqual([
      { row: 1, line: 2, input: { id: "a[,{" } },
      { row: 2, line: 4, input: { id: "b" } },
      { row: 3, line: 4, input: { id: "c" } },
    ]);
    expect(parseJsonRows('{"lines": [{"id": "x"}]}')).toEqual([{ row: 1, line: 1, input: { id: "x" } }]);
    expect(() => parseJsonRows('{"id": "x"}')).toThrow("line 1: expected an array of lines");
    expect(() => parseJsonRows("[")).toThrow(/^line 1: not valid JSON/);
  });
});

describe("checkImport", () => {
  let repo: LineRepository;
  let profiles: ProfileRegistry;
  beforeAll(async () => {
    profiles = createProfileRegistry(await loadProfiles());
  });
  beforeEach(async () => {
    repo = createSqliteLineRepository(new Database(":memory:"));
    const stored = validateLine({ ...base, id: "OLD", router: { serial: "R-OLD" }, ontSerial: "ONT-OLD" });
    if (!stored.ok) throw new Error("fixture");
    await repo.addLines([newLine(stored.line, 1)]);
  });

  const rows = (...inputs: unknown[]): ImportRow[] => inputs.map((input, i) => ({ row: i + 1, line: 10 + i, input }));
  /** The ZTE H298A's rules for any router serial starting with "ZTE". */
  const zteModel = async (line: { router: unknown; wifi: object; wan: object }) => {
    const zte = profiles.profiles.find((p) => p.match.productClass === "ZXHN H298A")!;
    return String(JSON.stringify(line.router)).includes('"ZTE') ? lineSettingsFor(zte, line as never).problems : [];
  };

  it("passes good rows", async () => {
    const r = await checkImport(rows({ ...base, id: "N-1", router: { serial: "R-N1" } }, { ...base, id: "N-2", router: { customerOwned: true } }), repo, zteModel);
    expect(r).toMatchObject({ badRows: 0, errors: [] });
    expect(r.good.map((g) => g.line.id)).toEqual(["N-1", "N-2"]);
  });

  it("reports every reason with row, line and field, keeping the first of duplicates", async () => {
    const r = await checkImport(rows(
      { ...base, id: "A", router: { serial: "R-A" }, ontSerial: "O-A" },
      { ...base, id: "A", router: { serial: "R-A2" } },
      { ...base, id: "B", router: { serial: "R-A" } },
      { ...base, id: "C", router: { serial: "R-C" }, ontSerial: "O-A" },
      { ...base, id: "OLD", router: { serial: "R-D" } },
      { ...base, id: "E", router: { serial: "R-OLD" } },
      { ...base, id: "F", router: { serial: "R-F" }, ontSerial: "ONT-OLD" },
      { ...base, id: "G", router: { serial: "ZTE-1" }, wifi: { "5GHz": { channel: 100 } } },
      { ...base, id: "H", rates: { download: { max: 5000 } } },
    ), repo, zteModel);
    expect(r.badRows).toBe(8);
    expect(r.good.map((g) => g.line.id)).toEqual(["A"]);
    expect(r.errors.map((e) => `${e.row}@${e.line} ${e.field}: ${e.message}`)).toEqual([
      "2@11 id: line A is also on line 10 of this file",
      "3@12 router.serial: serial R-A is also on line 10 of this file",
      "4@13 ontSerial: serial O-A is also on line 10 of this file",
      "5@14 id: line OLD already exists",
      "6@15 router.serial: serial R-OLD is already on line OLD",
      "7@16 ontSerial: serial ONT-OLD is already on line OLD",
      "8@17 wifi.5GHz.channel: 100 is not a channel this model supports (36, 40, 44, 48, 52, 56, 60, 64)",
      "9@18 rates.download.max: must be at most 1000 Mb/s (the offer's download ceiling)",
    ]);
  });
});
