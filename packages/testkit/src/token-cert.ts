// The token server's signing key and self-signed cert: the cert goes into the registry's rootcertbundle.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import { runCommand } from "./command.js";
import { StartFailedError } from "./errors.js";

/** A signing key plus its cert: PEM path for the registry, base64 DER for the JWT `x5c` header. */
export interface TokenSigningMaterial {
  key: KeyObject;
  certPath: string;
  x5c: string;
}

/** Creates an RSA key and self-signed cert with openssl in `dir` (distribution verifies x5c against the bundle). */
export async function createTokenSigningMaterial(dir: string): Promise<TokenSigningMaterial> {
  const openssl = requireBinary("openssl");
  const keyPath = join(dir, "token-key.pem");
  const certPath = join(dir, "token-cert.pem");
  const res = await runCommand(openssl, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-sha256",
    "-days",
    "7",
    "-subj",
    "/CN=regguard-testkit-token-issuer",
    "-keyout",
    keyPath,
    "-out",
    certPath,
  ]);
  if (res.code !== 0) throw new StartFailedError(`openssl could not create the token cert:\n${res.stderr}`);
  const certPem = await readFile(certPath, "utf8");
  const der = new X509Certificate(certPem).raw;
  const key = createPrivateKey(await readFile(keyPath, "utf8"));
  return { key, certPath, x5c: der.toString("base64") };
}
