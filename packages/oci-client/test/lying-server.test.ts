// A scripted server that lies: malformed JSON, wrong content types, oversized
// bodies, cross-origin Links and realms, flaky statuses. Every case must end
// in a clear typed error (or a correct retry), no crash, no credential leak.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startScriptedServer, type ScriptedRequest, type ScriptedResponse, type StartedScriptedServer } from "@regguard/testkit";
import {
  AbortedError,
  DigestMismatchError,
  InvalidManifestError,
  MEDIA_TYPE,
  ProtocolError,
  RegistryClient,
  TimeoutError,
  TooLargeError,
  TransportError,
  UnauthorizedError,
  UntrustedLinkError,
  UntrustedRealmError,
  walkImage,
  type Finding,
} from "../src/index.js";

const SECRET = "pat-0123456789abcdef";
const servers: StartedScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(handler: (req: ScriptedRequest) => ScriptedResponse | Promise<ScriptedResponse>): Promise<StartedScriptedServer> {
  const s = await startScriptedServer(handler);
  servers.push(s);
  return s;
}
const client = (url: string, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
  new RegistryClient({ url, username: "viktor", password: SECRET, retryBaseMs: 5, timeoutMs: 2000, ...extra });
const sha = (b: string | Uint8Array): `sha256:${string}` => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const noSecret = (e: unknown) => {
  expect(String((e as Error).message)).not.toContain(SECRET);
  expect(JSON.stringify(e)).not.toContain(SECRET);
};

describe("a lying registry", () => {
  it("an index child whose HEAD answers another digest is reported with CHECK_BLOBS=false, where only the HEAD is asked (issue 16)", async () => {
    const child = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociManifest,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha("c"), size: 1 },
        layers: [],
      }),
    );
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociIndex,
        manifests: [{ mediaType: MEDIA_TYPE.ociManifest, digest: sha(child), size: child.length }],
      }),
    );
    const s = await serve((req): ScriptedResponse => {
      if (req.path === "/v2/viktor/app/manifests/latest")
        return { status: 200, headers: { "content-type": MEDIA_TYPE.ociIndex, "docker-content-digest": sha(index) }, body: index };
      // Same size, another digest: a registry serving some other manifest under the child's name.
      if (req.method === "HEAD" && req.path === `/v2/viktor/app/manifests/${sha(child)}`) {
        return {
          status: 200,
          headers: { "content-type": MEDIA_TYPE.ociManifest, "docker-content-digest": sha("other"), "content-length": String(child.length) },
        };
      }
      return { status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN" }] } };
    });
    const findings: Finding[] = [];
    for await (const e of walkImage(client(s.url), "viktor/app", "latest", { checkBlobs: false })) if (e.type === "finding") findings.push(e.finding);
    expect(findings.map((f) => [f.kind, f.digest, f.parent])).toEqual([["digest_mismatch", sha(child), sha(index)]]);
    expect(s.requests.filter((r) => r.path.includes(sha(child))).map((r) => r.method)).toEqual(["HEAD"]);
  });

  it("malformed catalog JSON is a ProtocolError", async () => {
    const s = await serve(() => ({ status: 200, headers: { "content-type": "application/json" }, body: "{not json" }));
    const err = await client(s.url)
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    noSecret(err);
  });

  it("a manifest body that is not what Content-Type claims is an InvalidManifestError", async () => {
    const s = await serve(() => ({ status: 200, headers: { "content-type": MEDIA_TYPE.ociIndex }, body: "<html>login</html>" }));
    await expect(client(s.url).manifest("viktor/app", "latest")).rejects.toBeInstanceOf(InvalidManifestError);
  });

  it("a manifest served under a digest it does not hash to is a DigestMismatchError", async () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [] });
    const wrong = sha("something else");
    const s = await serve(() => ({ status: 200, headers: { "content-type": MEDIA_TYPE.ociIndex, "docker-content-digest": wrong }, body }));
    await expect(client(s.url).manifest("viktor/app", wrong)).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(client(s.url).manifest("viktor/app", "v1")).rejects.toThrow(/Docker-Content-Digest/);
  });

  it("a manifest over 4 MiB (distribution's and containerd's limit) is refused before it is buffered", async () => {
    const big = new Uint8Array(4 * 1024 * 1024 + 1);
    const s = await serve(() => ({ status: 200, headers: { "content-type": MEDIA_TYPE.ociManifest }, body: big }));
    await expect(client(s.url).manifest("viktor/app", "v1")).rejects.toBeInstanceOf(TooLargeError);
  });

  it("a cross-origin next Link is not followed", async () => {
    const s = await serve(() => ({ status: 200, headers: { link: '<http://127.0.0.2:1/v2/_catalog?last=a>; rel="next"' }, body: { repositories: ["a"] } }));
    const names: string[] = [];
    const err = await (async () => {
      for await (const r of client(s.url).repositories()) names.push(r);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UntrustedLinkError);
    expect(names).toEqual(["a"]);
  });

  it("Forgejo's tags quirk: a Link on the last page ends at the empty page", async () => {
    const s = await serve((req) => {
      const last = new URL(req.path, "http://x").searchParams.get("last");
      const tags = last === null ? ["a", "b"] : last === "b" ? ["c"] : [];
      return { status: 200, headers: { link: `</v2/viktor/app/tags/list?n=2&last=${tags.at(-1) ?? "z"}>; rel="next"` }, body: { name: "viktor/app", tags } };
    });
    expect(await client(s.url).tags("viktor/app", { pageSize: 2 })).toEqual(["a", "b", "c"]);
  });

  it("a Bearer realm on another host gets no credentials when pinned, and a clear error", async () => {
    const realm = await serve(() => ({ status: 200, body: { token: "t" } }));
    const s = await serve(() => ({ status: 401, headers: { "www-authenticate": `Bearer realm="${realm.url}/token",service="x"` }, body: "" }));
    const err = await client(s.url, { pinRealm: true })
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UntrustedRealmError);
    expect(realm.requests).toHaveLength(0);
    noSecret(err);
  });

  it("an unpinned realm gets Basic credentials and the token (access_token form) is used on the retry", async () => {
    const realm = await serve(() => ({ status: 200, body: { access_token: "tok-1", expires_in: 300 } }));
    const s = await serve((req) =>
      req.headers.authorization === "Bearer tok-1"
        ? { status: 200, body: { name: "viktor/app", tags: ["v1"] } }
        : { status: 401, headers: { "www-authenticate": `Bearer realm="${realm.url}/token",service="svc",scope="repository:viktor/app:pull"` }, body: "" },
    );
    expect(await client(s.url).tags("viktor/app")).toEqual(["v1"]);
    expect(realm.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`viktor:${SECRET}`).toString("base64")}`);
    expect(realm.requests[0]?.path).toContain("scope=repository%3Aviktor%2Fapp%3Apull");
  });

  it("a second 401 after a fresh token is UnauthorizedError, without the password in it", async () => {
    const realm = await serve(() => ({ status: 200, body: { token: "tok" } }));
    const s = await serve(() => ({
      status: 401,
      headers: { "www-authenticate": `Bearer realm="${realm.url}/token"` },
      body: { errors: [{ code: "UNAUTHORIZED" }] },
    }));
    const err = await client(s.url)
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(s.requests).toHaveLength(2);
    noSecret(err);
  });

  it("retries 503 and honours 429 Retry-After, then succeeds", async () => {
    let n = 0;
    const s = await serve(() => {
      n++;
      if (n === 1) return { status: 503, body: "" };
      if (n === 2) return { status: 429, headers: { "retry-after": "0" }, body: "" };
      return { status: 200, body: { name: "viktor/app", tags: ["v1"] } };
    });
    const c = client(s.url);
    expect(await c.tags("viktor/app")).toEqual(["v1"]);
    expect(c.stats.retries).toBe(2);
  });

  it("gives up on a persistent 500 with the status and the registry's code", async () => {
    const s = await serve(() => ({ status: 500, body: { errors: [{ code: "UNKNOWN", message: "db down" }] } }));
    const err = (await client(s.url, { retries: 2 })
      .tags("viktor/app")
      .catch((e: unknown) => e)) as { status: number; registryCode: string };
    expect(err).toMatchObject({ status: 500, registryCode: "UNKNOWN" });
    expect(s.requests).toHaveLength(3);
  });

  it("times out a hanging request and reports a TimeoutError after retries", async () => {
    const s = await serve(() => ({ status: 200, delayMs: 1500, body: { tags: [] } }));
    const err = await client(s.url, { timeoutMs: 200, retries: 1 })
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it.each([
    ["with a Content-Length (read by undici's consume path)", { "content-length": "64" }],
    ["chunked, without one (read through the byte cap)", {}],
  ])("a body trickled past the deadline is a TimeoutError, %s", async (_, headers: Record<string, string>) => {
    async function* trickle() {
      for (let i = 0; i < 64; i++) {
        yield new TextEncoder().encode(" ");
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const s = await serve(() => ({ status: 200, headers: { "content-type": "application/json", ...headers }, bodyStream: trickle() }));
    const started = Date.now();
    const err = await client(s.url, { timeoutMs: 300, retries: 0 })
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    // Ended at the deadline, not when the 3.2 s body would have finished.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("the caller's signal aborts every request in flight, without piling listeners on it", async () => {
    const s = await serve(() => ({ status: 200, delayMs: 1500, body: { tags: [] } }));
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const c = client(s.url, { signal: controller.signal, concurrency: 32, timeoutMs: 5000 });
    const pending = Array.from({ length: 20 }, (_, i) => c.tags(`viktor/app${i}`).catch((e: unknown) => e));
    setTimeout(() => controller.abort(new Error("SIGTERM")), 100);
    const results = await Promise.all(pending);
    process.off("warning", onWarning);
    expect(results.every((e) => e instanceof AbortedError)).toBe(true);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });

  it("a dropped connection is a TransportError", async () => {
    const s = await serve(() => ({ destroy: true }));
    const err = await client(s.url, { retries: 1 })
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    noSecret(err);
  });

  it("follows a 307 to another origin without Authorization", async () => {
    const blob = new TextEncoder().encode("layer bytes");
    const storage = await serve(() => ({ status: 200, body: blob }));
    const s = await serve(() => ({ status: 307, headers: { location: `${storage.url}/bucket/blob?X-Amz-Signature=abc` }, body: "" }));
    const chunks: Buffer[] = [];
    for await (const c of await client(s.url).openBlob("viktor/app", { digest: sha(blob), size: blob.length })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("layer bytes");
    expect(s.requests[0]?.headers.authorization).toMatch(/^Basic /);
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("a redirect loop is a final ProtocolError: its hops are followed once, never the whole loop again per retry", async () => {
    const s = await serve((req) => ({ status: 302, headers: { location: `${req.path.split("?")[0]}?hop=${s.requests.length}` }, body: "" }));
    const err = await client(s.url)
      .manifest("viktor/app", "v1")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/too many redirects/);
    // The first request and its 5 redirects: one round, no retries.
    expect(s.requests).toHaveLength(6);
    noSecret(err);
  });

  it("a catalog or tag list redirected to another origin is refused like an off-origin Link; that origin is never asked", async () => {
    const other = await serve(() => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: { repositories: ["evil/planted"], tags: ["planted"] },
    }));
    const s = await serve((req) => ({ status: 307, headers: { location: `${other.url}${req.path}` }, body: "" }));
    const repos = async () => {
      const out: string[] = [];
      for await (const r of client(s.url).repositories()) out.push(r);
      return out;
    };
    await expect(repos()).rejects.toBeInstanceOf(UntrustedLinkError);
    await expect(client(s.url).tags("viktor/app")).rejects.toBeInstanceOf(UntrustedLinkError);
    expect(other.requests).toEqual([]);
  });

  it("a catalog that repeats its names page after page is a pagination loop, each name yielded once", async () => {
    let page = 0;
    const s = await serve(() => {
      page++;
      // New link every time (so the link check alone would follow it forever), the same names.
      return {
        status: 200,
        headers: { "content-type": "application/json", link: `</v2/_catalog?n=2&last=x${page}>; rel="next"` },
        body: { repositories: ["viktor/a", "viktor/b", "viktor/a"] },
      };
    });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const r of client(s.url).repositories()) seen.push(r);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/pagination loops .* lists only names already listed/);
    expect(seen).toEqual(["viktor/a", "viktor/b"]);
    expect(s.requests).toHaveLength(2);
  });

  it("a blob stream that does not match its digest errors at the end", async () => {
    const s = await serve(() => ({ status: 200, body: "tampered" }));
    const read = async () => {
      for await (const _ of await client(s.url).openBlob("viktor/app", { digest: sha("original"), size: 8 })) void _;
    };
    await expect(read()).rejects.toBeInstanceOf(DigestMismatchError);
  });
});
