// Shared setup for tests against scripted servers: servers stopped after each
// test, a client with a recognisable secret, and a check that it never leaks.
import { createHash } from "node:crypto";
import { afterEach, expect } from "vitest";
import { startScriptedServer, type ScriptedHandler, type StartedScriptedServer } from "@regguard/testkit";
import { RegistryClient, type RegistryClientOptions } from "../src/index.js";

export const SECRET = "pat-0123456789abcdef";
export const BASIC = `Basic ${Buffer.from(`viktor:${SECRET}`).toString("base64")}`;

const servers: StartedScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** A scripted server stopped after the test. */
export async function serve(handler: ScriptedHandler): Promise<StartedScriptedServer> {
  const s = await startScriptedServer(handler);
  servers.push(s);
  return s;
}

/** Short backoff so retry tests run in milliseconds. */
export function client(url: string, extra: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ url, username: "viktor", password: SECRET, retryBaseMs: 5, timeoutMs: 2000, ...extra });
}

export const sha = (b: string | Uint8Array): `sha256:${string}` => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export function expectNoSecret(e: unknown): void {
  expect(String((e as Error).message)).not.toContain(SECRET);
  expect(JSON.stringify(e)).not.toContain(SECRET);
}
