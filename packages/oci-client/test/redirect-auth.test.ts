// A registry that redirects to object storage (a 307 to S3/MinIO): whatever
// the storage host answers, it is not the registry, so its challenge must not
// choose where the registry's credentials go.
import { describe, expect, it } from "vitest";
import type { ScriptedResponse, StartedScriptedServer } from "@regguard/testkit";
import { ForbiddenError, UnauthorizedError, type RegistryClient } from "../src/index.js";
import { BASIC, client, expectNoSecret, serve, sha } from "./scripted.js";

const blob = { digest: sha("layer"), size: 5 };
const calls: Record<string, (c: RegistryClient) => Promise<unknown>> = {
  "streamed GET": (c) => c.openBlob("viktor/app", blob),
  HEAD: (c) => c.checkBlob("viktor/app", blob),
  "buffered GET": (c) => c.manifest("viktor/app", blob.digest),
};

/** Storage that refuses with a challenge naming a realm of its own choosing. */
async function lyingStorage(status: number): Promise<{ storage: StartedScriptedServer; evil: StartedScriptedServer }> {
  const evil = await serve(() => ({ status: 200, body: { token: "harvested" } }));
  const storage = await serve(() => ({ status, headers: { "www-authenticate": `Bearer realm="${evil.url}/token",service="s3"` }, body: "" }));
  return { storage, evil };
}

const redirectTo = (storage: StartedScriptedServer): ScriptedResponse => ({
  status: 307,
  headers: { location: `${storage.url}/bucket/blob?X-Amz-Signature=abc` },
  body: "",
});

describe("a redirect target that challenges", () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: a 401 from storage is UnauthorizedError naming it, with no token fetch and no credentialed retry`, async () => {
      const { storage, evil } = await lyingStorage(401);
      const registry = await serve(() => redirectTo(storage));
      const c = client(registry.url);
      const err = await call(c).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect((err as Error).message).toContain(storage.host);
      expectNoSecret(err);
      expect(evil.requests).toHaveLength(0);
      expect(storage.requests).toHaveLength(1);
      expect(storage.requests[0]?.headers.authorization).toBeUndefined();
      expect(registry.requests.map((r) => r.headers.authorization)).toEqual([BASIC]);
      expect(c.stats.tokenRequests).toBe(0);
    });
  }

  it("a 403 from storage is ForbiddenError naming the storage host, not the registry's credentials", async () => {
    const { storage, evil } = await lyingStorage(403);
    const registry = await serve(() => redirectTo(storage));
    const err = await client(registry.url)
      .checkBlob("viktor/app", blob)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toContain(storage.host);
    expect(evil.requests).toHaveLength(0);
    expect(registry.requests).toHaveLength(1);
  });

  it("with Bearer auth on the registry, storage's challenge after the token retry is refused as well", async () => {
    const { storage, evil } = await lyingStorage(401);
    const realm = await serve(() => ({ status: 200, body: { token: "registry-token" } }));
    const registry = await serve((req) =>
      req.headers.authorization === "Bearer registry-token"
        ? redirectTo(storage)
        : { status: 401, headers: { "www-authenticate": `Bearer realm="${realm.url}/token",service="registry"` }, body: "" },
    );
    const c = client(registry.url);
    const err = await c.checkBlob("viktor/app", blob).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as Error).message).toContain(storage.host);
    expect(evil.requests).toHaveLength(0);
    expect(realm.requests).toHaveLength(1);
    expect(storage.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([BASIC, "Bearer registry-token"]);
  });
});
