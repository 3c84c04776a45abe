// blobs.ts in detail against a scripted server (issue 16: the module's own mutation score): what
// a HEAD answers, what a streamed GET refuses (too many bytes, too few, other bytes of the same
// length) and when a slow stream is a stall. The registry tests cover the happy path on registry:2.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { ScriptedRequest, ScriptedResponse } from "@regguard/testkit";
import {
  blobExists,
  DEFAULT_STALL_LIMIT,
  DigestMismatchError,
  ForbiddenError,
  InvalidReferenceError,
  NotFoundError,
  SizeMismatchError,
  TimeoutError,
  VerifyStream,
} from "../src/index.js";
import { client, serve, sha } from "./scripted.js";

const BLOB = Buffer.from("layer bytes, exactly as announced");
const D = { digest: sha(BLOB), size: BLOB.length };

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("headBlob and checkBlob", () => {
  it("HEAD /v2/<repo>/blobs/<digest> answers the size from Content-Length", async () => {
    const s = await serve(() => ({ status: 200, headers: { "content-length": "123" } }));
    expect(await client(s.url).headBlob("viktor/app", D.digest)).toEqual({ size: 123 });
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`HEAD /v2/viktor/app/blobs/${D.digest}`]);
  });

  it("checkBlob: the same size passes, another size is a SizeMismatchError naming both", async () => {
    const same = await serve(() => ({ status: 200, headers: { "content-length": String(D.size) } }));
    await expect(client(same.url).checkBlob("viktor/app", D)).resolves.toBeUndefined();
    const other = await serve(() => ({ status: 200, headers: { "content-length": String(D.size - 1) } }));
    const err = await client(other.url)
      .checkBlob("viktor/app", D)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect((err as Error).message).toBe(`blob viktor/app@${D.digest}: descriptor says ${D.size} bytes, the registry has ${D.size - 1}`);
  });

  it("a missing blob is a NotFoundError", async () => {
    const s = await serve(() => ({ status: 404, body: { errors: [{ code: "BLOB_UNKNOWN" }] } }));
    await expect(client(s.url).headBlob("viktor/app", D.digest)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client(s.url).checkBlob("viktor/app", D)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("an invalid repository name is refused before any request", async () => {
    const s = await serve(() => ({ status: 200 }));
    await expect(client(s.url).headBlob("../etc", D.digest)).rejects.toBeInstanceOf(InvalidReferenceError);
    await expect(client(s.url).openBlob("Viktor/App", D)).rejects.toBeInstanceOf(InvalidReferenceError);
    expect(s.requests).toEqual([]);
  });
});

describe("openBlob: the bytes must be the descriptor's", () => {
  it("GET /v2/<repo>/blobs/<digest>: the exact bytes pass through", async () => {
    const s = await serve(() => ({ status: 200, body: BLOB }));
    expect(await readAll(await client(s.url).openBlob("viktor/app", D))).toEqual(BLOB);
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v2/viktor/app/blobs/${D.digest}`]);
  });

  it("a missing blob is a NotFoundError before any stream is handed out", async () => {
    const s = await serve(() => ({ status: 404, body: { errors: [{ code: "BLOB_UNKNOWN" }] } }));
    await expect(client(s.url).openBlob("viktor/app", D)).rejects.toBeInstanceOf(NotFoundError);
    // The message names the blob, so a log line says which one of an image's layers is gone.
    await expect(client(s.url).openBlob("viktor/app", D)).rejects.toThrow(`blob viktor/app@${D.digest} not found: HTTP 404 (BLOB_UNKNOWN)`);
  });

  it("more bytes than announced is a SizeMismatchError", async () => {
    const s = await serve(() => ({ status: 200, body: Buffer.concat([BLOB, Buffer.from("!")]) }));
    const err = await readAll(await client(s.url).openBlob("viktor/app", D)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect((err as Error).message).toBe(`blob viktor/app@${D.digest}: more than the ${D.size} bytes the descriptor announces`);
  });

  it("fewer bytes than announced is a SizeMismatchError (truncated)", async () => {
    const s = await serve(() => ({ status: 200, body: BLOB.subarray(0, 5) }));
    const err = await readAll(await client(s.url).openBlob("viktor/app", D)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect((err as Error).message).toBe(`blob viktor/app@${D.digest}: got 5 bytes, the descriptor says ${D.size} (truncated transfer?)`);
  });

  it("other bytes of the same length are a DigestMismatchError naming what they hash to", async () => {
    const other = Buffer.from(BLOB.toString().toUpperCase());
    const s = await serve(() => ({ status: 200, body: other }));
    const err = await readAll(await client(s.url).openBlob("viktor/app", D)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toBe(`blob viktor/app@${D.digest}: content hashes to ${sha(other)}`);
  });

  it("VerifyStream counts the bytes that passed", async () => {
    const v = new VerifyStream("x", D.digest, D.size);
    v.write(BLOB.subarray(0, 4));
    v.write(BLOB.subarray(4));
    expect(v.bytesSeen).toBe(D.size);
    v.end();
    expect(await readAll(v)).toEqual(BLOB);
  });
});

describe("openBlob: a stall is a TimeoutError, a slow but steady stream is not", () => {
  const chunked = (chunks: number, every: number) =>
    async function* (): AsyncGenerator<Uint8Array> {
      const size = Math.ceil(BLOB.length / chunks);
      for (let i = 0; i < BLOB.length; i += size) {
        yield BLOB.subarray(i, i + size);
        await sleep(every);
      }
    };

  it("below the floor over a window: destroyed with a TimeoutError that says so", async () => {
    // 1 byte per 100 ms = 10 B/s, against a floor of 200 B/s over 150 ms windows.
    const s = await serve((_req: ScriptedRequest) => ({
      status: 200,
      headers: { "content-length": String(BLOB.length) },
      bodyStream: chunked(BLOB.length, 100)(),
    }));
    const started = Date.now();
    const err = await readAll(await client(s.url, { timeoutMs: 10_000 }).openBlob("viktor/app", D, { bytesPerSecond: 200, windowMs: 150 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(
      new RegExp(`^blob viktor/app@${D.digest}: transfer stalled: \\d+ bytes in the last 0\\.15 s, below the minimum of 200 bytes/s$`),
    );
    // Well before the whole trickle (33 bytes x 100 ms) would have arrived.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("a stream at or above the floor in every window arrives whole, over many windows", async () => {
    // 40 chunks of 10 bytes, 25 ms apart (about 40 bytes per 100 ms window) against a floor of
    // 100 B/s (10 bytes per window): checked about ten times, never below.
    const big = Buffer.alloc(400, 1);
    const d = { digest: sha(big), size: big.length };
    async function* steady(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < big.length; i += 10) {
        yield big.subarray(i, i + 10);
        await sleep(25);
      }
    }
    const s = await serve(() => ({ status: 200, headers: { "content-length": String(big.length) }, bodyStream: steady() }));
    expect(await readAll(await client(s.url).openBlob("viktor/app", d, { bytesPerSecond: 100, windowMs: 100 }))).toEqual(big);
  });

  it("a burst then silence: the window after the burst moved 0 bytes, and that is a stall (counted per window, not in total)", async () => {
    let release = (): void => undefined;
    const silence = new Promise<void>((resolve) => (release = resolve));
    async function* burst(): AsyncGenerator<Uint8Array> {
      yield BLOB.subarray(0, BLOB.length - 1); // far above the floor of one window
      await silence; // then nothing, until the test ends
      yield BLOB.subarray(BLOB.length - 1);
    }
    const s = await serve(() => ({ status: 200, headers: { "content-length": String(BLOB.length) }, bodyStream: burst() }));
    try {
      const err = await readAll(await client(s.url, { timeoutMs: 10_000 }).openBlob("viktor/app", D, { bytesPerSecond: 20, windowMs: 150 })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toBe(`blob viktor/app@${D.digest}: transfer stalled: 0 bytes in the last 0.15 s, below the minimum of 20 bytes/s`);
    } finally {
      release();
    }
  });

  it("the default floor: 1 KiB/s over a minute", () => {
    expect(DEFAULT_STALL_LIMIT).toEqual({ bytesPerSecond: 1024, windowMs: 60_000 });
  });
});

describe("openBlob: a connection dropped mid-body", () => {
  it("is an error for the reader, never a stream that just stops", async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield BLOB.subarray(0, 10);
      await sleep(20);
      throw new Error("registry died");
    }
    const s = await serve(() => ({ status: 200, headers: { "content-length": String(BLOB.length) }, bodyStream: broken() }));
    await expect(readAll(await client(s.url).openBlob("viktor/app", D))).rejects.toThrow();
  });
});

describe("blobExists", () => {
  it("200 is true, 404 is false, anything else an error", async () => {
    const statuses = [200, 404, 403];
    const s = await serve(() => ({ status: statuses.shift() ?? 500, body: "" }));
    const t = client(s.url).transport;
    expect(await blobExists(t, "viktor/app", D.digest)).toBe(true);
    expect(await blobExists(t, "viktor/app", D.digest)).toBe(false);
    const err = await blobExists(t, "viktor/app", D.digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toBe(`blob viktor/app@${D.digest}: HTTP 403 forbidden; the credentials lack permission`);
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`HEAD /v2/viktor/app/blobs/${D.digest}`));
  });
});

describe("the token scope of each blob request", () => {
  it("HEAD, streamed GET and the existence check ask the token service for pull on the repository", async () => {
    const tokens = await serve(() => ({ status: 200, body: { token: "tok" } }));
    const registry = await serve((req): ScriptedResponse =>
      req.headers.authorization === "Bearer tok"
        ? { status: 200, headers: { "content-length": String(BLOB.length) }, body: req.method === "HEAD" ? "" : BLOB }
        : { status: 401, headers: { "www-authenticate": `Bearer realm="${tokens.url}/token",service="svc"` }, body: "" },
    );
    // A client each, so each request fetches its own token.
    await client(registry.url).headBlob("viktor/app", D.digest);
    await readAll(await client(registry.url).openBlob("viktor/app", D));
    await blobExists(client(registry.url).transport, "viktor/app", D.digest);
    const scopes = tokens.requests.map((r) => new URL(r.path, tokens.url).searchParams.get("scope"));
    expect(scopes).toEqual(Array(3).fill("repository:viktor/app:pull"));
  });
});

describe("readCapitalisedNames: capitals for reads only (a sync source's stored names)", () => {
  it("without it no request is sent for Team/App; with it tags, manifests and blobs are read, and a push is still refused", async () => {
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { ...D, mediaType: "application/vnd.oci.image.config.v1+json" },
        layers: [],
      }),
    );
    const s = await serve((req: ScriptedRequest): ScriptedResponse => {
      if (req.path.endsWith("/tags/list?n=1000")) return { status: 200, body: { name: "Team/App", tags: ["1"] } };
      if (req.path.includes("/manifests/"))
        return {
          status: 200,
          headers: { "content-type": "application/vnd.oci.image.manifest.v1+json", "docker-content-digest": sha(manifest) },
          body: manifest,
        };
      return { status: 200, body: BLOB };
    });
    const strict = client(s.url);
    await expect(strict.tags("Team/App")).rejects.toThrow(InvalidReferenceError);
    await expect(strict.headBlob("Team/App", D.digest)).rejects.toThrow('invalid repository name "Team/App"');
    expect(s.requests).toEqual([]);

    const reader = client(s.url, { readCapitalisedNames: true });
    expect(await reader.tags("Team/App")).toEqual(["1"]);
    expect((await reader.manifest("Team/App", "1")).digest).toBe(sha(manifest));
    expect(await readAll(await reader.openBlob("Team/App", D))).toEqual(BLOB);
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /v2/Team/App/tags/list?n=1000",
      "GET /v2/Team/App/manifests/1",
      `GET /v2/Team/App/blobs/${D.digest}`,
    ]);
    await expect(reader.pushBlob("Team/App", BLOB)).rejects.toThrow(InvalidReferenceError);
    await expect(reader.putManifest("Team/App", "1", manifest, "application/vnd.oci.image.manifest.v1+json")).rejects.toThrow(InvalidReferenceError);
    // Only letters join the grammar: anything that could leave the path is refused as before.
    await expect(reader.tags("Team/../App")).rejects.toThrow(InvalidReferenceError);
    await expect(reader.tags("Team/App?x=1")).rejects.toThrow(InvalidReferenceError);
    expect(s.requests).toHaveLength(3);
  });
});
