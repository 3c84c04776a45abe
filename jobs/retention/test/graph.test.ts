// registryResolver (src/graph.ts) against a scripted /v2: what the keep set learns about one
// manifest. A clean 404 is "missing" (an already-broken image, reported); any other refusal is
// "error" (the package freezes); a digest Forgejo cannot store (not sha256) is "error" too,
// since no package version could ever match it (the comment in src/graph.ts).
import { afterEach, describe, expect, it } from "vitest";
import { RegistryClient } from "@regguard/oci-client";
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, sha256Digest, startScriptedServer, type ScriptedResponse, type StartedScriptedServer } from "@regguard/testkit";
import { registryResolver } from "../src/graph.js";

const sha256 = (text: string) => sha256Digest(Buffer.from(text));
const child = (n: number) => sha256(`child-${n}`);
const manifest = (body: object, mediaType: string): ScriptedResponse => {
  const text = JSON.stringify(body);
  return { status: 200, headers: { "content-type": mediaType, "docker-content-digest": sha256(text) }, body: text };
};

let server: StartedScriptedServer | undefined;
afterEach(async () => server?.stop());

async function resolverFor(answers: Record<string, ScriptedResponse>) {
  server = await startScriptedServer((req) => {
    if (req.path === "/v2/") return { status: 200, body: "{}" };
    return answers[req.path] ?? { status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] } };
  });
  return registryResolver(new RegistryClient({ url: server.url }));
}

describe("registryResolver", () => {
  it("an index: ok, its digest, its children then its subject as refs", async () => {
    const subject = sha256("subject");
    const body = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [1, 2].map((n) => ({ mediaType: OCI_MANIFEST, digest: child(n), size: 10 })),
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 10 },
    };
    const resolve = await resolverFor({ "/v2/viktor/svc/manifests/v1": manifest(body, OCI_INDEX) });
    expect(await resolve("viktor/svc", "v1")).toEqual({ state: "ok", digest: sha256(JSON.stringify(body)), refs: [child(1), child(2), subject] });
  });

  it("a 404 is missing, with the registry's message", async () => {
    const resolve = await resolverFor({});
    const node = await resolve("viktor/svc", "gone");
    expect(node.state).toBe("missing");
    expect(node).toHaveProperty("message", expect.stringContaining("gone"));
  });

  it("a 403 is an error (the package freezes), never missing", async () => {
    const resolve = await resolverFor({ "/v2/viktor/svc/manifests/v1": { status: 403, body: { errors: [{ code: "DENIED", message: "no" }] } } });
    expect(await resolve("viktor/svc", "v1")).toMatchObject({ state: "error" });
  });

  it("a subject with a sha512 digest is an error naming the digest: no Forgejo version can match it", async () => {
    const odd = `sha512:${"ab".repeat(64)}`;
    const body = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256("config"), size: 6 },
      layers: [],
      subject: { mediaType: OCI_MANIFEST, digest: odd, size: 10 },
    };
    const resolve = await resolverFor({ "/v2/viktor/svc/manifests/sig": manifest(body, OCI_MANIFEST) });
    expect(await resolve("viktor/svc", "sig")).toEqual({ state: "error", message: `viktor/svc@sig uses unsupported digest ${odd}` });
  });
});
