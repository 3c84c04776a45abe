// Shared e2e plumbing: a Forgejo per test (the fake, or the pinned real server
// where a replay runs on both), pushes at chosen times, the job run in-process
// with a memory logger, and the integrity walk every live run must pass.
import { exitCodeFor, memoryLogger, type JobContext } from "@regguard/job-runtime";
import { RegistryClient, walkRegistry, type Finding } from "@regguard/oci-client";
import { DELETE_PROBE_PREFIX } from "@regguard/forgejo-client";
import {
  pushImage,
  replayTargets,
  startFakeReplayServer,
  type ForgejoFakeOptions,
  type PushTarget,
  type ReplayServer,
  type StartedForgejoFake,
} from "@regguard/testkit";
import { run, type RunHooks } from "../src/run.js";

export const OWNER = "viktor";
/** The job's clock in every e2e test; pushes are dated before it with `at`. */
export const NOW = Date.parse("2024-06-01T04:00:00Z");

/** The cast of every e2e test: the owner, a stranger and an admin. */
const CAST = [{ login: OWNER }, { login: "stranger" }, { login: "root", isAdmin: true }];

/** The fake as a replay server, with its fault injection besides. */
export type FakeServer = StartedForgejoFake & ReplayServer;

/** A fake with the owner, a stranger and an admin (and its fault injection). */
export function startFake(opts: ForgejoFakeOptions = {}): Promise<FakeServer> {
  return startFakeReplayServer({ users: CAST, ...opts });
}

/** Each replay runs on the fake and on the real server (same body, same assertions). */
export const REPLAY_TARGETS = replayTargets("retention replays").map((t) => ({
  ...t,
  start: (opts: { orgs?: Array<{ name: string; owners: string[] }> } = {}) => t.start({ users: CAST, ...opts }),
}));

/** DELETE one version through the packages API as the owner, behind the job's back. */
export function deleteVersion(fake: ReplayServer, pkg: string, version: string): Promise<Response> {
  return fetch(`${fake.url}/api/v1/packages/${OWNER}/container/${encodeURIComponent(pkg)}/${version}`, {
    method: "DELETE",
    headers: { authorization: `token ${fake.user(OWNER).token}` },
  });
}

/** Push credentials (Basic user:PAT against the server's /v2). */
export function target(fake: ReplayServer, login = OWNER): PushTarget {
  return { url: fake.url, username: login, password: fake.user(login).token };
}

/** Date the next pushes (the fake's clock; on the real server, the rows they create). */
export function at(fake: ReplayServer, iso: string): void {
  fake.setNow(new Date(iso));
}

/** Live-run environment with the guard opened; tests narrow it. Pushes made so far are dated. */
export function liveEnv(fake: ReplayServer, extra: Record<string, string> = {}): Record<string, string> {
  fake.settle?.();
  return {
    FORGEJO_HOST: fake.url,
    FORGEJO_OWNER: OWNER,
    FORGEJO_TOKEN: fake.user(OWNER).token,
    DRY_RUN: "false",
    MAX_DELETE_PERCENT: "100",
    MAX_DELETES: "10000",
    ...extra,
  };
}

export type LogLine = ReturnType<typeof memoryLogger>["lines"][number];

/** Run the job in-process; exit code and log lines, like main.ts would produce. */
export async function runJob(env: Record<string, string>, hooks: RunHooks = {}, argv: string[] = []): Promise<{ code: number; lines: LogLine[] }> {
  const log = memoryLogger();
  const ctx: JobContext = { argv, env, signal: new AbortController().signal, log };
  let code: number;
  try {
    code = await run(ctx, { now: () => NOW, ...hooks });
  } catch (e) {
    code = exitCodeFor(e, log);
  }
  return { code, lines: log.lines };
}

/** Version names of a package, sorted. */
export function names(fake: ReplayServer, pkg: string): string[] {
  return fake
    .versions(OWNER, pkg)
    .map((v) => v.version)
    .sort();
}

/** The plan lines of a run, as `version -> "keep: reason" | "delete"`. */
export function planOf(lines: readonly LogLine[], pkg: string): Record<string, string> {
  return Object.fromEntries(
    lines
      .filter((l) => l.msg === "plan" && l.package === pkg)
      .map((l) => [l.version as string, l.decision === "delete" ? "delete" : `keep: ${String(l.reason)}`]),
  );
}

/** Requests the fake saw with this method whose path includes `part`. */
export function requests(fake: ReplayServer, method: string, part = ""): string[] {
  return fake.requests.filter((r) => r.method === method && r.path.includes(part)).map((r) => r.path);
}

/** DELETEs of real versions: every request but the preflight's probe of a package that cannot exist. */
export function versionDeletes(fake: ReplayServer): string[] {
  return requests(fake, "DELETE").filter((p) => !p.includes(`/container/${DELETE_PROBE_PREFIX}`));
}

/** Every request that could change something (DELETE, PUT, POST, PATCH): a dry run sends none. */
export function mutations(fake: ReplayServer): string[] {
  return fake.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD").map((r) => `${r.method} ${r.path}`);
}

/** The preflight's delete-scope probes. */
export function probeDeletes(fake: ReplayServer): string[] {
  return requests(fake, "DELETE", `/container/${DELETE_PROBE_PREFIX}`);
}

/** The integrity probe's walk over the owner's repositories: every finding (must be none after a live run). */
export async function brokenReferences(fake: ReplayServer): Promise<Finding[]> {
  const client = new RegistryClient({ url: fake.url, username: OWNER, password: fake.user(OWNER).token, retryBaseMs: 5 });
  const findings: Finding[] = [];
  try {
    for await (const e of walkRegistry(client, { prefix: `${OWNER}/`, checkBlobs: true })) {
      if (e.type === "finding") findings.push(e.finding);
      if (e.type === "catalog_error") throw e.error;
    }
  } finally {
    await client.close();
  }
  return findings;
}

/** Three tags a, b, c in `pkg`, a day apart: with KEEP_LAST_N=1, a and b are planned for deletion. */
export async function threeTags(fake: ReplayServer, pkg = "svc"): Promise<void> {
  for (const [i, tag] of ["a", "b", "c"].entries()) {
    at(fake, `2024-05-0${i + 1}T00:00:00Z`);
    await pushImage(target(fake), `viktor/${pkg}`, tag);
  }
}
