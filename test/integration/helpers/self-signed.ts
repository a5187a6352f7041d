// A self-signed certificate for 127.0.0.1 (openssl), for tests that speak TLS.

import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Writes cert.pem and key.pem into `dir`; valid one day. */
export function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  return { certFile, keyFile };
}
