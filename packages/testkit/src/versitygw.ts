// A real S3 server for the tests that need what s3rver lacks (UploadPartCopy, S3's multipart copy):
// Versity's S3 gateway over a POSIX directory, built by scripts/versitygw.sh from the module pinned in
// packages/testkit/versitygw.pin, listening on 127.0.0.1 only, its data in a temporary directory that
// stop() removes. One root account (single-account mode: no IAM service), keys made per start.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { buildCacheRoot, readPinFile } from "./pin-file.js";
import { freePort } from "./ports.js";
import { spawnServer, type ManagedProcess } from "./process.js";
import { httpAnswers } from "./ready.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { StartedServer } from "./types.js";

const PIN = join(import.meta.dirname, "..", "versitygw.pin");

/** The pinned build and its cache entry (the same path scripts/versitygw.sh writes). */
export interface VersityGwBuild {
  module: string;
  version: string;
  dir: string;
  binary: string;
  label: string;
}

export function versityGwBuild(env: NodeJS.ProcessEnv = process.env): VersityGwBuild {
  const pin = readPinFile(PIN);
  const module = pin.MODULE ?? "";
  const version = pin.VERSION ?? "";
  if (module === "" || version === "") throw new Error(`${PIN} must set MODULE and VERSION`);
  const dir = join(buildCacheRoot(env), "versitygw", `${module.replaceAll("/", "_")}@${version}`);
  return { module, version, dir, binary: join(dir, "bin", "versitygw"), label: `versitygw ${version}` };
}

/** Why the gateway cannot be started here, or undefined when it can. */
export function versityGwMissingReason(build: VersityGwBuild = versityGwBuild()): string | undefined {
  if (!existsSync(build.binary) || !existsSync(join(build.dir, "built.json"))) {
    return `${build.label} is not built (no ${build.binary}): run scripts/versitygw.sh (scripts/setup.sh does)`;
  }
  return undefined;
}

/** A running gateway: the root account's keys and the region it signs for. Buckets are the caller's to create. */
export interface StartedVersityGw extends StartedServer {
  build: VersityGwBuild;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  pid: number;
  /** The POSIX root: one directory per bucket, one file per object. */
  dataDir: string;
}

export async function startVersityGw(): Promise<StartedVersityGw> {
  const build = versityGwBuild();
  const missing = versityGwMissingReason(build);
  if (missing) throw new Error(missing);
  const work = await makeTempDir("versitygw");
  const dataDir = join(work, "data");
  await mkdir(dataDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const accessKeyId = `rg${randomBytes(6).toString("hex")}`;
  const secretAccessKey = randomBytes(18).toString("base64url");
  const region = "us-east-1";
  // Keys through the environment, not argv: a `ps` listing of the test machine shows no secret.
  const env = { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey };
  let managed: ManagedProcess;
  try {
    managed = await spawnServer({
      name: build.label,
      command: build.binary,
      args: ["--port", `127.0.0.1:${port}`, "--region", region, "--quiet", "posix", dataDir],
      env,
      // Unsigned requests get 403 AccessDenied: any answer means it listens.
      ready: () => httpAnswers(url),
    });
  } catch (e) {
    await removeDir(work);
    throw e;
  }
  return {
    url,
    build,
    accessKeyId,
    secretAccessKey,
    region,
    pid: managed.pid,
    dataDir,
    stop: async () => {
      await managed.stop();
      await removeDir(work);
    },
  };
}
