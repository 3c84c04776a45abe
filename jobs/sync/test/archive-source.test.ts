// Repair from a breakglass archive (SOURCE_ARCHIVE): a registry:2 loses a child manifest's
// revision link (distribution#3324) and a layer's data, no other registry holds the image, and
// the archive breakglass saved the night before puts both back. The archives are written by
// breakglass's own save, plain and gzip; every assertion is about what the registry then serves.
import { copyFile, readdir, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { RegistryClient, walkImage, type Finding } from "@regguard/oci-client";
import { run as breakglass } from "@regguard/breakglass";
import {
  pushImage,
  pushIndex,
  startCountingProxy,
  startRegistry,
  useTempDir,
  type BuiltImage,
  type BuiltIndex,
  type StartedCountingProxy,
  type StartedRegistry,
} from "@regguard/testkit";
import { runSync, tagLines, WRITES } from "./run-sync.js";

const sync = runSync;
const spools = async () => (await readdir(tmpdir())).filter((n) => n.startsWith("regguard-archive-")).sort();

describe("sync repair from a breakglass archive", () => {
  const tempDir = useTempDir("sync-archive", afterAll);
  let reg: StartedRegistry;
  let proxy: StartedCountingProxy;
  let multi: BuiltIndex;
  let app: BuiltImage;
  let plain: string;
  let gzip: string;
  const auth = () => ({ username: reg.username as string, password: reg.password as string });
  const env = (archive: string, extra: Record<string, string> = {}) => ({
    SOURCE_ARCHIVE: archive,
    TARGET_URL: proxy.url,
    TARGET_USERNAME: reg.username as string,
    TARGET_PASSWORD: reg.password as string,
    ...extra,
  });
  const findings = async (repo: string, tag: string): Promise<Finding[]> => {
    const c = new RegistryClient({ url: reg.url, ...auth() });
    const out: Finding[] = [];
    try {
      for await (const e of walkImage(c, repo, tag, { checkBlobs: true })) if (e.type === "finding") out.push(e.finding);
    } finally {
      await c.close();
    }
    return out;
  };
  /** breakglass save of `image` into its own directory; the path of its `-latest` link. */
  const save = async (image: string, name: string, extra: Record<string, string> = {}): Promise<string> => {
    const dir = tempDir();
    const log = memoryLogger();
    const code = await breakglass({
      argv: ["save"],
      env: {
        IMAGE: `${reg.host}/${image}`,
        REGISTRY_INSECURE: "true",
        REGISTRY_USERNAME: auth().username,
        REGISTRY_PASSWORD: auth().password,
        DESTINATIONS: dir,
        ARCHIVE_NAME: name,
        PLATFORM: "all",
        ...extra,
      },
      signal: new AbortController().signal,
      log,
    });
    if (code !== 0) throw new Error(`breakglass save ${image} exited ${code}: ${JSON.stringify(log.lines.slice(-3))}`);
    return join(dir, `${name}-latest.tar${extra.COMPRESS === "gzip" ? ".gz" : ""}`);
  };

  beforeAll(async () => {
    reg = await startRegistry({ auth: "htpasswd", password: "registry-pass-789" });
    proxy = await startCountingProxy(reg.url);
    multi = await pushIndex({ url: reg.url, ...auth() }, "multi", "latest", { attestations: true, seed: "archive-multi" });
    // Over the reader's 4 MiB keep limit: streamed from the file by offset, never held.
    app = await pushImage({ url: reg.url, ...auth() }, "team/app", "v1", { layers: 2, layerSize: 5 * 1024 * 1024, seed: "archive-app" });
    plain = await save("multi:latest", "multi");
    gzip = await save("team/app:v1", "app", { COMPRESS: "gzip" });
  });
  afterAll(async () => {
    await Promise.all([proxy?.stop(), reg?.stop()]);
  });

  it("puts back a lost revision link and a lost layer of a multi-arch image, from a plain archive", async () => {
    const [first, second] = multi.children;
    if (!first || !second) throw new Error("multi:latest has too few children");
    await reg.corruptRevisionLink("multi", first.digest);
    await reg.deleteBlobData((second.layers[0] as { digest: string }).digest);
    expect((await findings("multi", "latest")).map((f) => f.kind).sort()).toEqual(["blob_missing", "child_missing"]);

    const checked = await sync("check", env(plain));
    expect([checked.code, tagLines(checked)]).toEqual([1, ["multi:latest broken none"]]);
    proxy.requests.length = 0;
    const dry = await sync("repair", env(plain));
    expect([dry.code, tagLines(dry)]).toEqual([1, ["multi:latest broken would_repair"]]);
    expect(proxy.requests.filter((q) => WRITES.has(q.method))).toEqual([]);

    const repaired = await sync("repair", env(plain, { DRY_RUN: "false" }));
    expect([repaired.code, tagLines(repaired)]).toEqual([0, ["multi:latest broken repaired"]]);
    expect(repaired.lines.find((l) => l.msg === "source archive verified")?.images).toEqual([`${reg.host}/multi:latest`]);
    expect(await findings("multi", "latest")).toEqual([]);
    expect((await sync("check", env(plain))).code).toBe(0);
  });

  it("a gzip archive streams a layer over 4 MiB back by digest and leaves no temporary copy", async () => {
    const before = await spools();
    await reg.deleteBlobData((app.layers[1] as { digest: string }).digest);
    expect((await findings("team/app", "v1")).map((f) => f.kind)).toEqual(["blob_missing"]);
    const repaired = await sync("repair", env(gzip, { DRY_RUN: "false" }));
    expect([repaired.code, tagLines(repaired)]).toEqual([0, ["team/app:v1 broken repaired"]]);
    expect(await findings("team/app", "v1")).toEqual([]);
    expect(await spools()).toEqual(before);
  });

  it("TARGET_PREFIX maps the archive's repository, as it maps a registry's", async () => {
    const r = await sync("check", env(plain, { TARGET_PREFIX: "elsewhere/" }));
    expect([r.code, tagLines(r)]).toEqual([1, ["elsewhere/multi:latest missing none"]]);
  });

  it("copy from an archive puts a whole image under a new name, children before the tag", async () => {
    const r = await sync("copy", env(plain, { TARGET_PREFIX: "restored/", DRY_RUN: "false" }));
    expect([r.code, tagLines(r)]).toEqual([0, ["restored/multi:latest missing copied"]]);
    expect(await findings("restored/multi", "latest")).toEqual([]);
    const c = new RegistryClient({ url: reg.url, ...auth() });
    expect((await c.headManifest("restored/multi", "latest").finally(() => c.close())).digest).toBe(multi.digest);
  });

  it("a damaged archive is refused before the target sees a request: exit 3, nothing compared", async () => {
    const damaged = join(tempDir(), "damaged.tar");
    await copyFile(plain, damaged);
    await truncate(damaged, 4096);
    proxy.requests.length = 0;
    const r = await sync("repair", env(damaged, { DRY_RUN: "false" }));
    expect(r.code).toBe(3);
    expect(r.lines.find((l) => l.level === "error")).toMatchObject({
      msg: "the source archive could not be read; nothing was compared",
      errorCode: "BREAKGLASS_ARCHIVE_INVALID",
    });
    expect(String(r.lines.find((l) => l.level === "error")?.detail)).toMatch(/truncated/);
    expect(proxy.requests).toEqual([]);
  });

  it("a gzip archive with no usable TMPDIR is exit 3 naming the directory, not an internal error; the target sees no request", async () => {
    const notADirectory = join(tempDir(), "tmpdir-is-a-file");
    await writeFile(notADirectory, "not a directory");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = notADirectory;
    proxy.requests.length = 0;
    try {
      const r = await sync("repair", env(gzip, { DRY_RUN: "false" }));
      expect(r.code).toBe(3);
      const error = r.lines.find((l) => l.level === "error");
      expect(error).toMatchObject({
        msg: "the source archive could not be decompressed to TMPDIR; nothing was compared",
        errorCode: "BREAKGLASS_ARCHIVE_SPOOL_FAILED",
      });
      expect(String(error?.detail)).toContain(`into ${notADirectory} (ENOTDIR`);
      expect(proxy.requests).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
