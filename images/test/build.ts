// Builds the local base image and the four job images on a private dockerd.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { StartedDockerd } from "@regguard/testkit";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

export const JOBS = ["integrity-probe", "retention", "breakglass", "sync"] as const;
export type Job = (typeof JOBS)[number];
export const BASE_TAG = "regguard/node-base:local";

/** Tag of a job's test image. */
export const imageTag = (job: Job) => `regguard-${job}:test`;

/** Base image from this machine's node (nothing can be pulled here), then each job image. */
export async function buildImages(dockerd: StartedDockerd): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}`, BASE_IMAGE: BASE_TAG };
  await run(`${root}/images/make-local-base.sh`, [BASE_TAG, dockerd.socket], { env });
  for (const job of JOBS) {
    await run(`${root}/images/build.sh`, [job, imageTag(job)], { env, cwd: root, maxBuffer: 16 * 1024 * 1024 });
  }
}

/** `docker run` flags every job container gets: the production securityContext. */
export function hardened(): string[] {
  return ["--rm", "--network", "host", "--read-only", "--user", "1000:1000", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"];
}

/** `-e NAME=value` pairs. */
export function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
}
