// The lines API over real HTTP: roles, create/read/patch with secrets masked
// and optimistic versions, the CSV/JSON import (every bad row reported with
// its line, nothing imported unless asked for the good rows), and values a
// known router model cannot take refused with the field named.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProvisioningAcs } from "./helpers/provisioning-acs.ts";
import { ScriptedCpe } from "./helpers/scripted-cpe.ts";

let acs: ProvisioningAcs;
beforeAll(async () => {
  acs = await ProvisioningAcs.start();
});
afterAll(async () => {
  await acs?.close();
});

const line = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  subscriber: { id: `SUB-${id}`, name: `Subscriber ${id}` },
  address: "12 rue Mercière",
  commune: "Lyon",
  wifi: { "2.4GHz": { ssid: `Home-${id}`, passphrase: "a long enough passphrase" } },
  wan: { mode: "ipoe", vlan: 835 },
  router: { serial: `SER-${id}` },
  ...over,
});

const CSV_HEADER = "id,subscriber.id,subscriber.name,address,commune,rates.download.min,rates.download.max,router,ontSerial,wifi.2.4GHz.ssid,wifi.2.4GHz.passphrase,wifi.2.4GHz.channel,wifi.5GHz.channel,wan.mode,wan.pppoe.username,wan.pppoe.password";

describe("lines", () => {
  it("creates, reads and lists a line; secrets never come back; defaults are the offer's bounds", async () => {
    const created = await acs.call("POST", "/api/lines", { body: line("A-1", { wan: { mode: "pppoe", pppoe: { username: "a1@isp", password: "ppp-secret" } } }) });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: "A-1", version: 1, rates: { download: { min: 30, max: 1000 }, upload: { min: 10, max: 1000 } },
      wifi: { "2.4GHz": { ssid: "Home-A-1", passphrase: "********" } }, wan: { mode: "pppoe", pppoe: { username: "a1@isp", password: "********" } },
      router: { serial: "SER-A-1" }, ontSerial: null, devices: [],
    });
    const read = await acs.call("GET", "/api/lines/A-1", { token: acs.tokens.noc });
    expect(read.json).toEqual(created.json);
    expect(JSON.stringify(read.json)).not.toMatch(/ppp-secret|a long enough/);
    const listed = await acs.call("GET", "/api/lines?search=a-1", { token: acs.tokens.support });
    expect(listed.json).toMatchObject({ total: 1, items: [{ id: "A-1" }] });
    expect((await acs.call("GET", "/api/lines/nope")).status).toBe(404);
  });

  it("lets noc and support read but only admin write", async () => {
    for (const token of [acs.tokens.noc, acs.tokens.support]) {
      const r = await acs.call("POST", "/api/lines", { token, body: line("A-2") });
      expect(r).toMatchObject({ status: 403, json: { error: "FLX_ERR_FORBIDDEN", message: expect.stringContaining("create, change or import lines") } });
      expect((await acs.call("POST", "/api/lines/import", { token, body: "[]" })).status).toBe(403);
    }
    expect((await acs.call("GET", "/api/lines", { token: null })).status).toBe(401);
    expect((await acs.call("GET", "/api/lines/A-2")).status).toBe(404);
  });

  it("refuses a bad line with every field named, and stores nothing", async () => {
    const bad = line("A-3", { rates: { download: { min: 20, max: 2000 } }, wifi: { "5GHz": { ssid: "x", channel: 165, security: "wep" } }, router: {} });
    const r = await acs.call("POST", "/api/lines", { body: bad });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(expect.arrayContaining([
      { field: "rates.download.min", message: "must be at least 30 Mb/s (the offer's download floor)" },
      { field: "rates.download.max", message: "must be at most 1000 Mb/s (the offer's download ceiling)" },
      { field: "router", message: 'must be {"serial": "<rented router serial>"} or {"customerOwned": true}' },
      { field: "wifi.5GHz.channel", message: expect.stringContaining("165 is not a 5GHz channel allowed in France") },
      { field: "wifi.5GHz.security", message: "wep is insecure: set insecureOverride to use it" },
    ]));
    expect(r.json.message).toContain("rates.download.min");
    expect((await acs.call("GET", "/api/lines/A-3")).status).toBe(404);
  });

  it("changes a line by merge patch over the version read; a stale version or a taken serial is a conflict", async () => {
    await acs.call("POST", "/api/lines", { body: line("A-4") });
    await acs.call("POST", "/api/lines", { body: line("A-5") });
    const patched = await acs.call("PATCH", "/api/lines/A-4", { body: { version: 1, wifi: { "2.4GHz": { channel: 6 } }, wan: { vlan: null } }, type: "application/merge-patch+json" });
    expect(patched).toMatchObject({ status: 200, json: { version: 2, wifi: { "2.4GHz": { ssid: "Home-A-4", channel: 6 } }, wan: { mode: "ipoe" } } });
    expect(patched.json.wan.vlan).toBeUndefined();
    const stale = await acs.call("PATCH", "/api/lines/A-4", { body: { version: 1, commune: "Nice" } });
    expect(stale).toMatchObject({ status: 409, json: { message: "line A-4 is at version 2, not 1: read it again" } });
    const taken = await acs.call("PATCH", "/api/lines/A-4", { body: { router: { serial: "SER-A-5" } } });
    expect(taken).toMatchObject({ status: 409, json: { message: "router.serial: serial SER-A-5 is already on line A-5" } });
    const invalid = await acs.call("PATCH", "/api/lines/A-4", { body: { wan: { mode: "pppoe" } } });
    expect(invalid).toMatchObject({ status: 400, json: { errors: [{ field: "wan.pppoe.username", message: "is required when wan.mode is pppoe" }, { field: "wan.pppoe.password", message: "is required when wan.mode is pppoe" }] } });
    expect((await acs.call("GET", "/api/lines/A-4")).json).toMatchObject({ version: 2, commune: "Lyon", router: { serial: "SER-A-4" } });
    const owned = await acs.call("PATCH", "/api/lines/A-4", { body: { router: { customerOwned: true } } });
    expect(owned).toMatchObject({ status: 200, json: { version: 3, router: { customerOwned: true } } });
  });
});

describe("import", () => {
  it("imports CSV and JSON", async () => {
    const csv = [CSV_HEADER,
      'C-1,S1,"Durand, Paul",1 quai,Lyon,100,500,SER-C-1,ONT-C-1,Durand,"pass phrase, with comma",auto,36,pppoe,c1@isp,pw-c1',
      "C-2,S2,Lefebvre,2 quai,Lyon,,,customer-owned,ONT-C-2,,,,,ipoe,,",
    ].join("\n");
    const r = await acs.call("POST", "/api/lines/import", { body: csv, type: "text/csv" });
    expect(r).toMatchObject({ status: 200, json: { imported: 2, rejectedRows: 0, errors: [] } });
    expect((await acs.call("GET", "/api/lines/C-1")).json).toMatchObject({
      subscriber: { name: "Durand, Paul" }, rates: { download: { min: 100, max: 500 }, upload: { min: 10, max: 1000 } },
      wifi: { "2.4GHz": { ssid: "Durand", channel: "auto" }, "5GHz": { channel: 36 } }, wan: { mode: "pppoe", pppoe: { username: "c1@isp" } },
      router: { serial: "SER-C-1" }, ontSerial: "ONT-C-1",
    });
    expect((await acs.call("GET", "/api/lines/C-2")).json).toMatchObject({ router: { customerOwned: true }, wifi: {}, wan: { mode: "ipoe" } });
    const json = await acs.call("POST", "/api/lines/import", { body: JSON.stringify([line("J-1"), line("J-2")], null, 2) });
    expect(json).toMatchObject({ status: 200, json: { imported: 2 } });
  });

  it("reports every bad row with its line number and reason, and imports nothing", async () => {
    const csv = [CSV_HEADER,
      "D-1,S1,Ok,1 rue,Lyon,,,SER-D-1,,,,,,,,",
      "D-2,S2,Rates,1 rue,Lyon,500,100,SER-D-2,,,,,,,,",
      "D-1,S3,Dup id,1 rue,Lyon,,,SER-D-3,,,,,,,,",
      "D-4,S4,Dup serial,1 rue,Lyon,,,SER-D-1,,,,,,,,",
      "D-5,S5,Taken,1 rue,Lyon,,,SER-P-1,,,,,,,,",
      "P-2,S6,Exists,1 rue,Lyon,,,SER-D-6,,,,,,,,",
      "D-7,S7,Fields,1 rue",
      "",
      'D-8,S8,"Multi',
      'line name",1 rue,Lyon,,,SER-D-8,,Name,short,14,,,,',
      "D-9,,No subscriber,1 rue,,,,,,,,,,pppoe,,",
    ].join("\n");
    for (const id of ["P-1", "P-2"]) expect((await acs.call("POST", "/api/lines", { body: line(id) })).status).toBe(201);
    const before = (await acs.call("GET", "/api/lines")).json.total;
    const r = await acs.call("POST", "/api/lines/import", { body: csv, type: "text/csv" });
    expect(r.status).toBe(400);
    expect(r.json.rejectedRows).toBe(8);
    expect(r.json.message).toMatch(/^8 of 9 rows are bad; nothing was imported \(first: line 3, rates.download.min: min must not be above max\)$/);
    const at = (line: number) => r.json.errors.filter((e: { line: number }) => e.line === line).map((e: { field: string; message: string }) => `${e.field}: ${e.message}`);
    expect(at(2)).toEqual([]);
    expect(at(3)).toEqual(["rates.download.min: min must not be above max"]);
    expect(at(4)).toEqual(["id: line D-1 is also on line 2 of this file"]);
    expect(at(5)).toEqual(["router.serial: serial SER-D-1 is also on line 2 of this file"]);
    expect(at(6)).toEqual(["router.serial: serial SER-P-1 is already on line P-1"]);
    expect(at(7)).toEqual(["id: line P-2 already exists"]);
    expect(at(8)).toEqual(["(row): has 4 fields, the header has 16"]);
    expect(at(10)).toEqual([
      "wifi.2.4GHz.passphrase: must be 8 to 63 printable ASCII characters or 64 hex digits",
      "wifi.2.4GHz.channel: 14 is not a 2.4GHz channel allowed in France (1–13)",
    ]);
    expect(at(12)).toEqual([
      "subscriber.id: is required", "commune: is required", "router: is required: must be {\"serial\": \"<rented router serial>\"} or {\"customerOwned\": true}",
      "wan.pppoe.username: is required when wan.mode is pppoe", "wan.pppoe.password: is required when wan.mode is pppoe",
    ]);
    expect((await acs.call("GET", "/api/lines")).json.total).toBe(before);
    expect((await acs.call("GET", "/api/lines/D-1")).status).toBe(404);
  });

  it("imports the good rows only when asked, and still reports the bad ones", async () => {
    const rows = [line("G-1"), line("G-2", { wifi: { "2.4GHz": { ssid: "this ssid is far too long for any radio to carry" } } }), line("G-3")];
    const text = JSON.stringify(rows, null, 2);
    const r = await acs.call("POST", "/api/lines/import?goodRowsOnly=true", { body: text });
    expect(r).toMatchObject({ status: 200, json: { imported: 2, rejectedRows: 1 } });
    const secondLine = text.split("\n").findIndex((l) => l.includes('"G-2"')) ; // the "id" line inside element 2
    expect(r.json.errors).toEqual([{ row: 2, line: expect.any(Number), field: "wifi.2.4GHz.ssid", message: "must be 1 to 32 bytes of UTF-8" }]);
    expect(r.json.errors[0].line).toBe(secondLine); // 1-based line of the element's "{", just above its "id"
    expect((await acs.call("GET", "/api/lines/G-3")).status).toBe(200);
    expect((await acs.call("GET", "/api/lines/G-2")).status).toBe(404);
  });

  it("refuses a file it cannot read as rows", async () => {
    const unknown = await acs.call("POST", "/api/lines/import", { body: "id,colour\nX,blue", type: "text/csv" });
    expect(unknown).toMatchObject({ status: 400, json: { message: expect.stringMatching(/^line 1: column "colour" is not a line field/) } });
    const broken = await acs.call("POST", "/api/lines/import", { body: 'id,commune\nX,"Lyon\n', type: "text/csv" });
    expect(broken).toMatchObject({ status: 400, json: { message: expect.stringMatching(/^line 2: not valid CSV: Quote Not Closed/) } });
    const notJson = await acs.call("POST", "/api/lines/import", { body: "[{", type: "application/json" });
    expect(notJson).toMatchObject({ status: 400, json: { message: expect.stringMatching(/^line 1: not valid JSON/) } });
    expect((await acs.call("POST", "/api/lines/import", { body: "x", type: "text/plain" })).status).toBe(415);
  });
});

describe("values a known model cannot take", () => {
  it("refuses a security mode the booted router's model lacks, naming the field, and changes nothing", async () => {
    const fleet = await acs.fleet("router-tr181", 1, "HWAU");
    const d = fleet.devices[0]!;
    await acs.call("POST", "/api/lines", { body: line("M-1", { router: { serial: d.serial } }) });
    expect(await d.boot()).toMatchObject({ ok: true, rpcs: 2 });
    const r = await acs.call("PATCH", "/api/lines/M-1", { body: { wifi: { "2.4GHz": { security: "wpa-wpa2-psk" } } } });
    expect(r).toMatchObject({
      status: 400,
      json: { error: "FLX_ERR_VALIDATION", errors: [{ field: "wifi.2.4GHz.security", message: "wpa-wpa2-psk is not supported by this model (wpa2-psk, wpa2-wpa3-psk, wpa3-sae, open)" }] },
    });
    expect((await acs.call("GET", "/api/lines/M-1")).json).toMatchObject({ version: 1 });
    expect(d.getValue("Device.WiFi.AccessPoint.1.Security.ModeEnabled")).toBe("WPA2-Personal");
    // A value it can take goes through.
    expect((await acs.call("PATCH", "/api/lines/M-1", { body: { wifi: { "2.4GHz": { security: "wpa3-sae" } } } })).status).toBe(200);
  });

  it("refuses a channel the model cannot use (ZTE H298A: 5 GHz 36-64), at creation and in an import", async () => {
    // A ZTE router that contacted the ACS before its line existed (quarantined meanwhile).
    const cpe = new ScriptedCpe({
      url: acs.cwmpUrl, username: "flexacs-boot", password: "bootstrap-secret",
      deviceId: { manufacturer: "ZTE", oui: "0019C6", productClass: "ZXHN H298A", serialNumber: "ZTEGC0FFEE01" },
    });
    const params = [
      { name: "InternetGatewayDevice.DeviceInfo.HardwareVersion", value: "V1.1", type: "xsd:string" as const },
      { name: "InternetGatewayDevice.DeviceInfo.SoftwareVersion", value: "V1.1.20", type: "xsd:string" as const },
      { name: "InternetGatewayDevice.ManagementServer.ParameterKey", value: "", type: "xsd:string" as const },
    ];
    expect((await cpe.inform(["0 BOOTSTRAP", "1 BOOT"], params)).status).toBe(200);
    expect((await cpe.emptyPost()).envelope?.body.kind).toBe("SetParameterValues");
    cpe.close();
    const zte = line("Z-1", { router: { serial: "ZTEGC0FFEE01" }, wifi: { "5GHz": { ssid: "Z", channel: 100 } } });
    const r = await acs.call("POST", "/api/lines", { body: zte });
    expect(r).toMatchObject({ status: 400, json: { errors: [{ field: "wifi.5GHz.channel", message: "100 is not a channel this model supports (36, 40, 44, 48, 52, 56, 60, 64)" }] } });
    const imp = await acs.call("POST", "/api/lines/import", { body: JSON.stringify([zte]) });
    expect(imp).toMatchObject({ status: 400, json: { errors: [{ row: 1, line: 1, field: "wifi.5GHz.channel" }] } });
    expect((await acs.call("GET", "/api/lines/Z-1")).status).toBe(404);
    expect((await acs.call("POST", "/api/lines", { body: { ...zte, wifi: { "5GHz": { ssid: "Z", channel: 48 } } } })).status).toBe(201);
  });
});
