import { Writable } from "node:stream";
import { expect, test } from "vitest";
import { createLogger } from "../../acs/logger.ts";
import { MASK, isSecretParameterName, redactSecrets } from "../../acs/secrets.ts";

const PASSPHRASE = "correct-horse-battery-staple";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

test("a Wi-Fi passphrase never reaches the log output, whatever shape carries it", () => {
  const { logger, lines } = capture();
  const path = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase";
  logger.info({ task: { name: "setParameterValues", args: { parameterValues: [[path, PASSPHRASE, "xsd:string"]] } } }, "task queued");
  logger.info({ rpc: { kind: "SetParameterValues", parameterList: [{ name: path, value: PASSPHRASE, type: "xsd:string" }] } }, "rpc sent");
  logger.info({ deep: { a: { b: { c: { d: { KeyPassphrase: PASSPHRASE } } } } } }, "nested");
  logger.child({ deviceId: "d1" }).child({ session: { SAEPassphrase: PASSPHRASE } }).info("grandchild binding");
  logger.error(Object.assign(new Error("set failed"), { detail: { PreSharedKey: PASSPHRASE } }), "with error");
  logger.info({ err: Object.assign(new Error("inner"), { args: [[path, PASSPHRASE]] }) }, "error under err");

  const output = lines.join("\n");
  expect(lines).toHaveLength(6);
  expect(output).not.toContain(PASSPHRASE);
  // The record stays useful: names, messages and errors are kept, only values are masked.
  const [first, second, , , fifth] = lines.map((l) => JSON.parse(l));
  expect(first.task.args.parameterValues).toEqual([[path, MASK, "xsd:string"]]);
  expect(second.rpc.parameterList[0]).toEqual({ name: path, value: MASK, type: "xsd:string" });
  expect(fifth.err.message).toBe("set failed");
  expect(fifth.err.stack).toContain("set failed");
  expect(fifth.err.detail).toEqual({ PreSharedKey: MASK });
});

test("authorization headers, cookies, tokens and passwords are masked", () => {
  const { logger, lines } = capture();
  logger.info({
    req: { headers: { authorization: "Bearer flx_secret-token-value", cookie: "sid=cookie-value", "user-agent": "curl/8" } },
    password: "cpe-password-value",
    connectionRequestPassword: "cr-password-value",
    token: "flx_other-token-value",
    nonceSecret: "nonce-secret-value",
  }, "request");
  const entry = JSON.parse(lines[0]!);
  for (const secret of ["flx_secret-token-value", "cookie-value", "cpe-password-value", "cr-password-value", "flx_other-token-value", "nonce-secret-value"]) {
    expect(lines[0]).not.toContain(secret);
  }
  expect(entry.req.headers["user-agent"]).toBe("curl/8");
  expect(entry.req.headers.authorization).toBe(MASK);
});

test("redactSecrets copies only what it masks and leaves its input untouched", () => {
  const clean = { a: [1, { b: "x" }], name: "Device.DeviceInfo.SoftwareVersion", value: "1.0" };
  expect(redactSecrets(clean)).toBe(clean);
  const input = { list: [{ name: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey", value: "k" }], other: { keep: 1 } };
  const out = redactSecrets(input);
  expect(out.list[0]!.value).toBe(MASK);
  expect(input.list[0]!.value).toBe("k");
  expect(out.other).toBe(input.other);
  // An empty secret stays empty: "not set" is information, not a secret.
  expect(redactSecrets({ password: "" })).toEqual({ password: "" });
});

test("secret parameter names are recognised on the last path segment", () => {
  for (const name of [
    "Device.WiFi.AccessPoint.1.Security.KeyPassphrase",
    "Device.WiFi.AccessPoint.1.Security.SAEPassphrase",
    "Device.WiFi.AccessPoint.1.Security.PreSharedKey",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.WEPKey.1.WEPKey",
    "Device.ManagementServer.ConnectionRequestPassword",
    "Device.Users.User.1.Password",
    "Device.WiFi.AccessPoint.1.Security.RadiusSecret",
  ]) {
    expect(isSecretParameterName(name), name).toBe(true);
  }
  for (const name of ["Device.WiFi.SSID.1.SSID", "Device.WiFi.AccessPoint.1.Security.ModeEnabled", "Device.ManagementServer.ConnectionRequestUsername", "Device.Users.User.1.Username"]) {
    expect(isSecretParameterName(name), name).toBe(false);
  }
});
