// Shared test plumbing: an in-process s3rver on 127.0.0.1 (and the real
// versitygw S3 server the test kit starts, for multipart copies), a proxy that cuts a blob download mid-way, one that
// corrupts S3 read-backs, the runbook's tested blocks, daemon availability.
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import {
  hasBinary,
  makeTempDir,
  removeDir,
  skipReasonOutsideCI,
  startForwardingProxy,
  startVersityGw,
  versityGwMissingReason,
  type StartedForwardingProxy,
} from "@regguard/testkit";
import { jsonLogger, memoryLogger } from "@regguard/job-runtime";
import { loadSaveConfig, type SaveConfig } from "../src/index.js";

// The SDK's "Node 22 will be required" notice is noise in test output (createS3Client does the same).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO_ROOT = join(PACKAGE_DIR, "../..");
export const S3_BUCKET = "breakglass";
export const S3_KEYS = { S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER" };

/** A running s3rver with one bucket, and an SDK client with the settings environment.md asks for. */
export interface StartedS3 {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

/** An SDK client for a test S3 on 127.0.0.1, with the settings environment.md asks for. */
function s3Client(
  endpoint: string,
  keys: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: S3_KEYS.S3_ACCESS_KEY_ID, secretAccessKey: S3_KEYS.S3_SECRET_ACCESS_KEY },
): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: keys,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export async function startS3(): Promise<StartedS3> {
  const directory = await makeTempDir("bg-s3");
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: S3_BUCKET, configs: [] }] });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3Client(endpoint);
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await server.close();
      await removeDir(directory);
    },
  };
}

/**
 * Why the real S3 server (versitygw, built by scripts/versitygw.sh) cannot run here, or undefined.
 * Unlike s3rver it implements UploadPartCopy, the multipart copy S3 needs past 5 GiB. In CI this is
 * always undefined, so a missing build fails the cases instead of skipping them.
 */
export const realS3Missing = skipReasonOutsideCI("the S3 multipart-copy tests (versitygw)", versityGwMissingReason());

/** A real S3 server with the one bucket, reached through a proxy whose rules inject faults. */
export interface StartedRealS3 extends StartedS3 {
  proxy: StartedForwardingProxy;
  /** Multipart uploads begun and neither completed nor aborted, under `prefix`. */
  pendingUploads(prefix: string): Promise<string[]>;
}

export async function startRealS3(): Promise<StartedRealS3> {
  const gw = await startVersityGw();
  let proxy: StartedForwardingProxy | undefined;
  let client: S3Client | undefined;
  try {
    proxy = await startForwardingProxy(gw.url);
    client = s3Client(proxy.url, { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey });
    await client.send(new CreateBucketCommand({ Bucket: S3_BUCKET }));
  } catch (e) {
    client?.destroy();
    await proxy?.stop();
    await gw.stop();
    throw e;
  }
  const c = client;
  const p = proxy;
  return {
    endpoint: p.url,
    client: c,
    proxy: p,
    pendingUploads: async (prefix) => {
      const r = await c.send(new ListMultipartUploadsCommand({ Bucket: S3_BUCKET, Prefix: prefix }));
      return (r.Uploads ?? []).map((u) => u.Key as string).sort();
    },
    stop: async () => {
      c.destroy();
      await p.stop();
      await gw.stop();
    },
  };
}

export async function s3Object(s3: StartedS3, key: string): Promise<Buffer | undefined> {
  try {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: key }));
    return Buffer.from(await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  } catch {
    return undefined;
  }
}

export async function s3Keys(s3: StartedS3, prefix = ""): Promise<string[]> {
  const r = await s3.client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key as string).sort();
}

/** A save configuration from env-style overrides, through the real config pipeline. */
export function saveConfig(env: Record<string, string>): SaveConfig {
  return loadSaveConfig({ REGISTRY_INSECURE: "true", ...env });
}

/** Logger for library-level saves: quiet unless BREAKGLASS_TEST_LOG is set. */
export function testLogger() {
  return process.env.BREAKGLASS_TEST_LOG ? jsonLogger(process.stderr) : memoryLogger();
}

/**
 * Forwards to a registry; the first GET whose path matches `cutPath` is sent
 * up to `afterBytes` and then held: `cut` resolves, the test stops the
 * registry, and `release()` drops the client's connection mid-body.
 */
export async function startCuttingProxy(target: string, cutPath: RegExp, afterBytes: number) {
  let onCut: () => void = () => undefined;
  const cut = new Promise<void>((r) => (onCut = r));
  const held: Array<() => void> = [];
  let armed = true;
  const proxy = await startForwardingProxy(target, {
    onResponse: (req, upRes, res) => {
      if (!(armed && req.method === "GET" && cutPath.test(req.url ?? ""))) return void upRes.pipe(res);
      armed = false;
      let sent = 0;
      upRes.on("data", (chunk: Buffer) => {
        if (sent >= afterBytes) return;
        res.write(chunk);
        sent += chunk.length;
        if (sent >= afterBytes) {
          upRes.pause();
          held.push(() => {
            res.destroy();
            upRes.destroy();
          });
          onCut();
        }
      });
      upRes.on("end", () => res.end());
    },
  });
  return { ...proxy, cut, release: () => held.splice(0).forEach((f) => f()) };
}

/**
 * Forwards to an S3 endpoint unchanged (SigV4 signs the Host header the client
 * used, which the proxy passes on), except that the body of every full GET
 * whose key matches `corrupt` comes back with one byte flipped: the store
 * holds the right bytes, the read-back sees damage, as with a faulty NAS or
 * a broken middlebox.
 */
export async function startCorruptingProxy(target: string, corrupt: RegExp) {
  const corrupted: string[] = [];
  const proxy = await startForwardingProxy(target, {
    onResponse: (req, upRes, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      if (req.method !== "GET" || req.headers.range !== undefined || upRes.statusCode !== 200 || !corrupt.test(path)) return void upRes.pipe(res);
      let flipped = false;
      upRes.on("data", (chunk: Buffer) => {
        if (!flipped && chunk.length > 0) {
          const copy = Buffer.from(chunk);
          copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0xff;
          flipped = true;
          corrupted.push(path);
          return void res.write(copy);
        }
        res.write(chunk);
      });
      upRes.on("end", () => res.end());
    },
  });
  /** Keys whose read-back was damaged, for the test to prove the proxy acted. */
  return { ...proxy, corrupted };
}

/** The `<!-- tested: NAME -->` blocks of the runbook, verbatim. */
export async function runbookBlocks(): Promise<Map<string, string>> {
  const text = await readFile(join(REPO_ROOT, "docs/runbooks/breakglass.md"), "utf8");
  const blocks = new Map<string, string>();
  for (const m of text.matchAll(/<!-- tested: ([a-z-]+) -->\n```sh\n([\s\S]*?)```/g)) blocks.set(m[1] as string, m[2] as string);
  return blocks;
}

/** Run a shell snippet; never throws on a non-zero exit. */
export function sh(script: string, env: Record<string, string>, opts: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-euc", script], { env: { ...process.env, ...env }, cwd: opts.cwd ?? PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const isRoot = process.getuid?.() === 0;
/** Why containerd cannot be used here, or undefined when it can. */
export const containerdMissing = !isRoot
  ? "needs root"
  : !hasBinary("containerd") || !hasBinary("ctr")
    ? "containerd/ctr not installed (apt-get install containerd)"
    : undefined;
/** Why dockerd cannot be used here, or undefined when it can. */
export const dockerdMissing = !isRoot
  ? "needs root"
  : !hasBinary("dockerd") || !hasBinary("docker")
    ? "dockerd/docker not installed (apt-get install docker.io)"
    : undefined;
export const registryMissing = hasBinary("docker-registry") ? undefined : "docker-registry not installed (apt-get install docker-registry)";

/** `ctr images ls` rows: ref -> digest. */
export function ctrImages(stdout: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of stdout.split("\n").slice(1)) {
    const [ref, , digest] = line.trim().split(/\s+/);
    if (ref && digest) rows.set(ref, digest);
  }
  return rows;
}
