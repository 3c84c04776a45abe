// The request pipeline on its own (src/transport.ts), against scripted servers on 127.0.0.1:
// what it refuses to be built with, what every request carries, which redirects it follows and
// how far, what it caps, and the error a tired operator reads for each failure. The walk and
// client tests reach most of this through RegistryClient; these pin the edges the mutation run
// found unguarded (issue 16).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  NotFoundError,
  ProtocolError,
  TimeoutError,
  TooLargeError,
  Transport,
  TransportError,
  UntrustedLinkError,
  type RequestSpec,
} from "../src/index.js";
import { BASIC, SECRET, serve } from "./scripted.js";

const transport = (url: string, extra: Partial<ConstructorParameters<typeof Transport>[0]> = {}) =>
  new Transport({ url, username: "viktor", password: SECRET, retryBaseMs: 5, timeoutMs: 2000, ...extra });
const get = (path: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({ method: "GET", path, scope: "repository:a/b:pull", ...extra });

async function using<T>(t: Transport, fn: (t: Transport) => Promise<T>): Promise<T> {
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

describe("building a transport", () => {
  it.each([
    ["an ftp URL", { url: "ftp://127.0.0.1/" }, /registry url must be http\(s\), got ftp:/],
    ["credentials in the URL", { url: "http://viktor:pw@127.0.0.1/" }, /must not contain credentials; pass username and password/],
    ["a user name alone in the URL", { url: "http://viktor@127.0.0.1/" }, /must not contain credentials; pass username and password/],
    ["zero concurrency", { url: "http://127.0.0.1/", concurrency: 0 }, /concurrency must be a positive integer/],
    ["fractional concurrency", { url: "http://127.0.0.1/", concurrency: 1.5 }, /concurrency must be a positive integer/],
    ["a zero timeout", { url: "http://127.0.0.1/", timeoutMs: 0 }, /timeoutMs must be a positive number/],
    ["a NaN timeout", { url: "http://127.0.0.1/", timeoutMs: Number.NaN }, /timeoutMs must be a positive number/],
  ])("refuses %s", (_what, opts, message) => {
    expect(() => new Transport(opts)).toThrow(TypeError);
    expect(() => new Transport(opts)).toThrow(message);
  });

  it("accepts concurrency 1 and an https URL", async () => {
    await new Transport({ url: "https://127.0.0.1/", concurrency: 1 }).close();
  });
});

describe("what every request carries", () => {
  it("Basic credentials from the first request, the default user agent, and the caller's headers", async () => {
    const s = await serve(() => ({ status: 200, body: "ok" }));
    const res = await using(transport(s.url), (t) => t.send(get("/v2/", { headers: { accept: "x/y" } })));
    expect([res.status, Buffer.from(res.body).toString()]).toEqual([200, "ok"]);
    expect(s.requests[0]?.headers).toMatchObject({ authorization: BASIC, "user-agent": "regguard", accept: "x/y" });
  });

  it("no Authorization without a username (an empty one too), and a password-less user is `user:`", async () => {
    const s = await serve(() => ({ status: 200 }));
    await using(new Transport({ url: s.url }), (t) => t.send(get("/v2/")));
    await using(new Transport({ url: s.url, username: "", password: SECRET }), (t) => t.send(get("/v2/")));
    await using(new Transport({ url: s.url, username: "anon", userAgent: "probe/1" }), (t) => t.send(get("/v2/")));
    expect(s.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined, `Basic ${Buffer.from("anon:").toString("base64")}`]);
    expect(s.requests[2]?.headers["user-agent"]).toBe("probe/1");
  });

  it("an anonymous client answered by a Basic challenge gets the 401 back, asked once", async () => {
    const s = await serve(() => ({ status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }));
    const res = await using(new Transport({ url: s.url }), (t) => t.send(get("/v2/")));
    expect([res.status, s.requests.length]).toEqual([401, 1]);
  });

  it("a client that sent Basic and is challenged for Basic again gets the 401 back, asked once", async () => {
    const s = await serve(() => ({ status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }));
    const res = await using(transport(s.url), (t) => t.send(get("/v2/")));
    expect([res.status, s.requests.length]).toEqual([401, 1]);
  });

  it("refuses a path on another origin before sending anything", async () => {
    const s = await serve(() => ({ status: 200 }));
    const other = await serve(() => ({ status: 200 }));
    await using(transport(s.url), async (t) => {
      await expect(t.send(get(`${other.url}/v2/`))).rejects.toThrow(TransportError);
      await expect(t.send(get(`${other.url}/v2/`))).rejects.toThrow(/refusing to send a registry request to another origin/);
    });
    expect([s.requests.length, other.requests.length]).toEqual([0, 0]);
  });
});

describe("redirects", () => {
  it.each([301, 302, 303, 307, 308])("a GET follows a %i on the same origin, Authorization kept", async (status) => {
    const s = await serve((req) => (req.path === "/start" ? { status, headers: { location: "/end" } } : { status: 200, body: "end" }));
    const res = await using(transport(s.url), (t) => t.send(get("/start")));
    expect([res.status, Buffer.from(res.body).toString(), res.url]).toEqual([200, "end", `${s.url}/end`]);
    expect(s.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ["/start", BASIC],
      ["/end", BASIC],
    ]);
  });

  it("a 303 turns a HEAD into a GET; a 307 keeps it a HEAD", async () => {
    const s = await serve((req) =>
      req.path.startsWith("/start") ? { status: req.path.endsWith("303") ? 303 : 307, headers: { location: "/end" } } : { status: 200 },
    );
    await using(transport(s.url), async (t) => {
      await t.send({ ...get("/start303"), method: "HEAD" });
      await t.send({ ...get("/start307"), method: "HEAD" });
    });
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["HEAD /start303", "GET /end", "HEAD /start307", "HEAD /end"]);
  });

  it("a PUT's redirect is the answer, not followed", async () => {
    const s = await serve(() => ({ status: 307, headers: { location: "/elsewhere" } }));
    const res = await using(transport(s.url), (t) => t.send({ ...get("/v2/a/b/blobs/uploads/x"), method: "PUT", body: new Uint8Array([1]) }));
    expect([res.status, s.requests.length]).toEqual([307, 1]);
  });

  it("a redirect without a Location is the answer", async () => {
    const s = await serve(() => ({ status: 302 }));
    const res = await using(transport(s.url), (t) => t.send(get("/start")));
    expect([res.status, s.requests.length]).toEqual([302, 1]);
  });

  it("five hops are followed; a sixth is a ProtocolError naming the limit", async () => {
    const chain = (hops: number) => (req: { path: string }) => {
      const n = Number(req.path.slice(1));
      return n < hops ? { status: 302, headers: { location: `/${n + 1}` } } : { status: 200, body: "there" };
    };
    const five = await serve(chain(5));
    expect((await using(transport(five.url), (t) => t.send(get("/0")))).status).toBe(200);
    expect(five.requests).toHaveLength(6);
    const six = await serve(chain(6));
    const err = await using(transport(six.url), (t) => t.send(get("/0")).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/^too many redirects \(more than 5\) from \/0$/);
    expect(six.requests).toHaveLength(6);
  });

  it("a hop to another origin goes without Authorization; with sameOrigin it is refused and never asked", async () => {
    const storage = await serve(() => ({ status: 200, body: "blob" }));
    const s = await serve(() => ({ status: 307, headers: { location: `${storage.url}/blob?sig=x` } }));
    await using(transport(s.url), async (t) => {
      expect(Buffer.from((await t.send(get("/v2/a/b/blobs/x"))).body).toString()).toBe("blob");
      const err = await t.send(get("/v2/_catalog", { sameOrigin: true })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UntrustedLinkError);
      expect((err as Error).message).toMatch(/redirected to another origin \(http:\/\/127\.0\.0\.1:\d+\); refusing to follow it/);
      expect(err).toMatchObject({ url: `${s.url}/v2/_catalog` });
    });
    expect(storage.requests.map((r) => [r.path, r.headers.authorization])).toEqual([["/blob?sig=x", undefined]]);
    expect(s.requests).toHaveLength(2);
  });
});

describe("bodies", () => {
  it("a declared length over maxBytes is TooLargeError before the body is read; a HEAD is never capped", async () => {
    const s = await serve(() => ({ status: 200, headers: { "content-length": "100" }, body: "x".repeat(100) }));
    await using(transport(s.url), async (t) => {
      const err = await t.send(get("/big", { maxBytes: 99 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      expect((err as Error).message).toMatch(/is 100 bytes; the limit is 99$/);
      expect(err).toMatchObject({ status: 200, url: `${s.url}/big` });
      expect((await t.send(get("/big", { maxBytes: 100 }))).body).toHaveLength(100);
      expect((await t.send({ ...get("/big", { maxBytes: 1 }), method: "HEAD" })).status).toBe(200);
    });
  });

  it("a chunked body over maxBytes is TooLargeError once it passes the cap; at the cap it is whole", async () => {
    const chunks = async function* () {
      for (let i = 0; i < 10; i++) yield Buffer.from("0123456789");
    };
    const s = await serve(() => ({ status: 200, bodyStream: chunks() }));
    await using(transport(s.url), async (t) => {
      const err = await t.send(get("/chunked", { maxBytes: 99 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      expect((err as Error).message).toMatch(/exceeds 99 bytes$/);
      expect(Buffer.from((await t.send(get("/chunked", { maxBytes: 100 }))).body).toString()).toBe("0123456789".repeat(10));
    });
  });

  it("open() hands back a 2xx body as a stream and buffers an error answer", async () => {
    const s = await serve((req) => (req.path === "/ok" ? { status: 200, body: "streamed" } : { status: 404, body: "nope" }));
    await using(transport(s.url), async (t) => {
      const ok = await t.open(get("/ok"));
      expect(ok.stream).toBeDefined();
      const parts: Buffer[] = [];
      for await (const c of ok.stream as AsyncIterable<Buffer>) parts.push(c);
      expect(Buffer.concat(parts).toString()).toBe("streamed");
      const missing = await t.open(get("/missing"));
      expect([missing.status, missing.stream, Buffer.from(missing.body).toString()]).toEqual([404, undefined, "nope"]);
    });
  });
});

describe("failures and counters", () => {
  it("a refused connection is a TransportError naming the cause's code", async () => {
    const s = await serve(() => ({ status: 200 }));
    const url = s.url;
    await s.stop();
    const err = await using(transport(url, { retries: 0 }), (t) => t.send(get("/v2/")).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/^request to http:\/\/127\.0\.0\.1:\d+\/v2\/ failed: ECONNREFUSED$/);
  });

  it("a signal aborted before the request is an AbortedError, and the server is never asked", async () => {
    const s = await serve(() => ({ status: 200 }));
    const ac = new AbortController();
    ac.abort(new Error("SIGTERM"));
    const err = await using(transport(s.url, { signal: ac.signal }), (t) => t.send(get("/v2/")).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).message).toMatch(/^request to http:\/\/127\.0\.0\.1:\d+\/v2\/ aborted$/);
    expect(s.requests).toHaveLength(0);
  });

  it("counts every hop as a request and every retry", async () => {
    let calls = 0;
    const s = await serve((req) => {
      if (req.path === "/hop") return { status: 302, headers: { location: "/flaky" } };
      calls += 1;
      return calls < 3 ? { status: 503, body: "busy" } : { status: 200 };
    });
    const stats = await using(transport(s.url), async (t) => {
      expect((await t.send(get("/hop"))).status).toBe(200);
      return t.stats;
    });
    expect(stats).toEqual({ requests: 6, retries: 2, tokenRequests: 0 });
  });
});

// Survivors of the mutation run in transport.ts (issue 16), each test checked against the mutant it
// names: the slot an open() stream holds, what close() does, bearer tokens reused and refused, token
// retries counted, and the details a refusal carries for the caller's log line.
describe("slots, tokens and error details", () => {
  /** A registry that wants Bearer tokens from its own /token; each token request mints the next one. */
  async function minting(accept: (token: string | undefined) => boolean, tokenAnswers: Array<{ status: number }> = []) {
    let minted = 0;
    const s = await serve((req) => {
      if (req.path.startsWith("/token")) {
        const forced = tokenAnswers.shift();
        if (forced) return { status: forced.status, body: "" };
        return { status: 200, body: { token: `t${++minted}` } };
      }
      const token = req.headers.authorization?.replace(/^Bearer /, "");
      return accept(token)
        ? { status: 200, body: "ok" }
        : { status: 401, headers: { "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="svc"` }, body: "" };
    });
    return s;
  }

  it("a token is reused by the next request: one request, no second challenge (mutant: the cached bearer ignored)", async () => {
    const s = await minting((t) => t === "t1");
    await using(transport(s.url), async (t) => {
      expect((await t.send(get("/v2/a/b/tags/list"))).status).toBe(200);
      const before = s.requests.length;
      expect((await t.send(get("/v2/a/b/tags/list"))).status).toBe(200);
      expect(s.requests.slice(before).map((r) => [r.path, r.headers.authorization])).toEqual([["/v2/a/b/tags/list", "Bearer t1"]]);
    });
  });

  it("a token the registry stops accepting is forgotten and a fresh one asked for (mutant: the cached token kept)", async () => {
    let accepted = "t1";
    const s = await minting((t) => t === accepted);
    await using(transport(s.url), async (t) => {
      expect((await t.send(get("/v2/a/b/tags/list"))).status).toBe(200);
      accepted = "t2"; // t1 expired
      expect((await t.send(get("/v2/a/b/tags/list"))).status).toBe(200);
      expect(t.stats.tokenRequests).toBe(2);
      expect(s.requests.filter((r) => !r.path.startsWith("/token")).map((r) => r.headers.authorization)).toEqual([
        `Basic ${BASIC.slice(6)}`,
        "Bearer t1",
        "Bearer t1",
        "Bearer t2",
      ]);
    });
  });

  it("a token service's 503 is retried and counted as a retry (mutant: the token fetch's onRetry dropped)", async () => {
    const s = await minting((t) => t === "t1", [{ status: 503 }]);
    await using(transport(s.url), async (t) => {
      expect((await t.send(get("/v2/a/b/tags/list"))).status).toBe(200);
      expect(t.stats).toEqual({ requests: 2, retries: 1, tokenRequests: 1 });
    });
  });

  it("open() keeps its slot until the stream closes: with concurrency 1 the next request waits for it", async () => {
    const s = await serve(() => ({ status: 200, body: "streamed body" }));
    await using(transport(s.url, { concurrency: 1 }), async (t) => {
      const first = await t.open(get("/v2/a/b/blobs/one"));
      let secondDone = false;
      const second = t.send(get("/v2/a/b/blobs/two")).then((r) => ((secondDone = true), r));
      // The second request cannot start while the first stream is open: give it every chance to.
      await new Promise((done) => setTimeout(done, 150));
      expect([s.requests.length, secondDone]).toEqual([1, false]);
      for await (const _chunk of first.stream as AsyncIterable<Buffer>) {
        // read to the end: the stream closes, and only then is the slot free
      }
      expect((await second).status).toBe(200);
      expect(s.requests.map((r) => r.path)).toEqual(["/v2/a/b/blobs/one", "/v2/a/b/blobs/two"]);
    });
  });

  it("send() with stream set still buffers the body and hands back no stream", async () => {
    const s = await serve(() => ({ status: 200, body: "all of it" }));
    await using(transport(s.url), async (t) => {
      const res = await t.send(get("/v2/a/b/blobs/x", { stream: true }));
      expect([res.stream, Buffer.from(res.body).toString()]).toEqual([undefined, "all of it"]);
      expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v2/a/b/blobs/x"]);
    });
  });

  it("close() closes the dispatcher it made: a request after it fails", async () => {
    const s = await serve(() => ({ status: 200, body: "" }));
    const t = transport(s.url, { retries: 0 });
    await t.close();
    await expect(t.send(get("/v2/"))).rejects.toBeInstanceOf(TransportError);
  });

  it("refusals carry the status, the url and the cause a log line needs", async () => {
    const big = await serve(() => ({ status: 200, body: "x".repeat(100) }));
    const tooLarge = await using(transport(big.url), (t) => t.send(get("/v2/big", { maxBytes: 10 })).catch((e: unknown) => e));
    expect(tooLarge).toBeInstanceOf(TooLargeError);
    expect(tooLarge).toMatchObject({ url: `${big.url}/v2/big` });

    const gone = await serve(() => ({ status: 200 }));
    const url = gone.url;
    await gone.stop();
    const refused = await using(transport(url, { retries: 0 }), (t) => t.send(get("/v2/")).catch((e: unknown) => e));
    expect(refused).toMatchObject({ url: `${url}/v2/` });
    expect((refused as Error).cause).toBeInstanceOf(Error);

    const slow = await serve(() => ({ status: 200, delayMs: 1000, body: "" }));
    const timedOut = await using(transport(slow.url, { retries: 0, timeoutMs: 100 }), (t) => t.send(get("/v2/")).catch((e: unknown) => e));
    expect((timedOut as Error).message).toBe(`request to ${slow.url}/v2/ timed out after 100 ms`);
    expect(timedOut).toMatchObject({ url: `${slow.url}/v2/` });
    expect((timedOut as Error).cause).toBeDefined();

    // A stream request has idle timeouts instead of the deadline: undici's own headers timeout,
    // which names no TimeoutError, is still reported as one.
    const streamTimedOut = await using(transport(slow.url, { retries: 0, timeoutMs: 100 }), (t) => t.open(get("/v2/blob")).catch((e: unknown) => e));
    expect((streamTimedOut as Error).message).toBe(`request to ${slow.url}/v2/blob timed out after 100 ms`);

    const loop = await serve((req) => ({ status: 302, headers: { location: `${req.path}x` } }));
    const redirects = await using(transport(loop.url), (t) => t.send(get("/v2/r")).catch((e: unknown) => e));
    expect(redirects).toBeInstanceOf(ProtocolError);
    expect((redirects as { url?: string }).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/r/);
  });
});

describe("edges a second mutation run found", () => {
  it("a 401 without a challenge is the answer, not a crash", async () => {
    const s = await serve(() => ({ status: 401, body: "no" }));
    const res = await using(transport(s.url), (t) => t.send(get("/v2/")));
    expect([res.status, s.requests.length]).toEqual([401, 1]);
  });

  it("a Bearer challenge's service and scope go to the token service", async () => {
    const s = await serve((req) => {
      if (req.path.startsWith("/token")) return { status: 200, body: { token: "tok" } };
      return req.headers.authorization === "Bearer tok"
        ? { status: 200, body: "ok" }
        : { status: 401, headers: { "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="reg.example"` } };
    });
    await using(transport(s.url), (t) => t.send(get("/v2/a/b/tags/list")));
    const token = new URL(s.requests.find((r) => r.path.startsWith("/token"))?.path ?? "", s.url);
    expect([token.searchParams.get("service"), token.searchParams.getAll("scope")]).toEqual(["reg.example", ["repository:a/b:pull"]]);
  });

  it("with sameOrigin a redirect on the same origin is still followed", async () => {
    const s = await serve((req) => (req.path === "/v2/_catalog" ? { status: 302, headers: { location: "/v2/_catalog?n=1" } } : { status: 200, body: "page" }));
    const res = await using(transport(s.url), (t) => t.send(get("/v2/_catalog", { sameOrigin: true })));
    expect([res.status, Buffer.from(res.body).toString(), s.requests.length]).toEqual([200, "page", 2]);
  });

  it("open() of an error answer frees its slot at once: with concurrency 1 the next request goes", async () => {
    const s = await serve((req) => (req.path.endsWith("/missing") ? { status: 404, body: "none" } : { status: 200, body: "here" }));
    await using(transport(s.url, { concurrency: 1 }), async (t) => {
      expect((await t.open(get("/v2/a/b/blobs/missing"))).status).toBe(404);
      expect((await t.send(get("/v2/a/b/blobs/there"))).status).toBe(200);
    });
  });

  it("a body given as a function is made afresh for each try", async () => {
    let made = 0;
    const s = await serve(() => ({ status: 503, body: "busy" }));
    const body = () => Readable.from([Buffer.from(`attempt ${++made}`)]);
    const res = await using(transport(s.url, { retries: 2 }), (t) => t.send({ ...get("/v2/put"), method: "PUT", body }));
    expect([res.status, made, s.requests.map((r) => r.body.toString())]).toEqual([503, 3, ["attempt 1", "attempt 2", "attempt 3"]]);
  });

  it("a streamed body that fails with a typed error fails the request with that error: a 404 once, a stall tried again", async () => {
    const s = await serve(() => ({ status: 201, body: "" }));
    // What an upload's source stream ends with when the source answers 404: the source's error,
    // named by the source's repository, is the answer; sending it to the target again is pointless.
    let made = 0;
    const missing = () => {
      made++;
      return new Readable({
        read() {
          this.destroy(new NotFoundError("blob team/app@sha256:abc not found: HTTP 404 (BLOB_UNKNOWN)"));
        },
      });
    };
    const error: unknown = await using(transport(s.url, { retries: 2 }), (t) => t.send({ ...get("/v2/put"), method: "PUT", body: missing })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe("blob team/app@sha256:abc not found: HTTP 404 (BLOB_UNKNOWN)");
    expect(made).toBe(1);
    // A stall of the source is a TimeoutError: retried like one, with a fresh body each time.
    made = 0;
    const stalled = () => {
      made++;
      return new Readable({
        read() {
          this.destroy(new TimeoutError("blob team/app@sha256:abc stalled"));
        },
      });
    };
    await expect(using(transport(s.url, { retries: 2 }), (t) => t.send({ ...get("/v2/put"), method: "PUT", body: stalled }))).rejects.toThrow(
      "blob team/app@sha256:abc stalled",
    );
    expect(made).toBe(3);
  });

  it("repeated response headers arrive joined with a comma", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "x-repeated": ["a", "b"], "content-length": "0" });
      res.end();
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await using(transport(`http://127.0.0.1:${port}`), (t) => t.send(get("/v2/")));
      expect(res.headers["x-repeated"]).toBe("a, b");
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it("a stream request ends with the caller's signal, not at its idle timeout", async () => {
    const s = await serve(() => ({ status: 200, delayMs: 30_000, body: "" }));
    const stop = new AbortController();
    const t = transport(s.url, { retries: 0, timeoutMs: 60_000, signal: stop.signal });
    try {
      const pending = t.open(get("/v2/a/b/blobs/slow")).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      stop.abort(new Error("SIGTERM"));
      expect(await pending).toBeInstanceOf(AbortedError);
    } finally {
      await t.close();
    }
  });
});
