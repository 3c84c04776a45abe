// pnpm bench:retention — what a dry run of the built retention costs Forgejo in requests: seeds the
// Forgejo fake with 5,000 container versions (50 packages of 100: `latest` as an index of two
// untagged children, 60 ordinary tags, 37 old untagged orphans) and counts every request of one
// dry run (inventory and plan) by kind. The files API calls (the content check of untagged
// deletion candidates) are set against the candidates and the versions measured in the same run:
// they must scale with the first, not the second. Prints figures; asserts none.
import { memoryLogger, type JobContext } from "@regguard/job-runtime";
import { run } from "@regguard/retention";
import { OCI_INDEX, pushImage, pushManifest, startForgejoFake, type PushTarget } from "@regguard/testkit";

const PACKAGES = 50;
const TAGS = 60;
const ORPHANS = 37;
const OWNER = "viktor";

/** Request kinds, by method and path. */
function kindOf(method: string, path: string): string {
  if (method !== "GET" && method !== "HEAD") return `${method} (mutating)`;
  if (path.startsWith("/api/v1/packages/")) {
    if (path.endsWith("/files")) return "REST files (content check)";
    return path.includes("/container/") ? "REST one version" : "REST listing pages";
  }
  if (path.startsWith("/api/v1/")) return "REST users/orgs (preflight)";
  if (path.includes("/tags/list")) return "/v2 tags/list";
  if (path.includes("/manifests/")) return `/v2 ${method} manifest`;
  return `other ${method}`;
}

async function seed(target: PushTarget, pkg: string): Promise<void> {
  const repo = `${OWNER}/${pkg}`;
  const base = await pushImage(target, repo, "base-0", { seed: pkg });
  const manifest = JSON.parse(Buffer.from(base.manifest).toString("utf8")) as Record<string, unknown>;
  const variant = (n: string) => Buffer.from(JSON.stringify({ ...manifest, annotations: { "bench.regguard/n": n } }));
  const children = [];
  for (const arch of ["amd64", "arm64"]) {
    const bytes = variant(arch);
    const digest = await pushManifest(target, repo, undefined, base.mediaType, bytes);
    children.push({ mediaType: base.mediaType, digest, size: bytes.length, platform: { os: "linux", architecture: arch } });
  }
  await pushManifest(target, repo, "latest", OCI_INDEX, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children })));
  for (let i = 1; i < TAGS; i++) await pushManifest(target, repo, `v${i}`, base.mediaType, variant(`tag-${i}`));
  for (let i = 0; i < ORPHANS; i++) await pushManifest(target, repo, undefined, base.mediaType, variant(`orphan-${i}`));
}

async function main(): Promise<void> {
  const fake = await startForgejoFake({ users: [{ login: OWNER }] });
  try {
    const user = fake.user(OWNER);
    const target = { url: fake.url, username: OWNER, password: user.token };
    fake.setNow(new Date("2024-01-01T00:00:00Z"));
    const seeded = Date.now();
    for (let p = 0; p < PACKAGES; p++) await seed(target, `app-${String(p).padStart(2, "0")}`);
    const versions = PACKAGES * (TAGS + 3 + ORPHANS);
    console.log(`seeded ${versions} versions in ${PACKAGES} packages in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    fake.requests.length = 0;
    const log = memoryLogger();
    const env = {
      FORGEJO_HOST: fake.url,
      FORGEJO_OWNER: OWNER,
      FORGEJO_TOKEN: user.token,
      DRY_RUN: "true",
      KEEP_LAST_N: "10",
      MAX_DELETES: "100000",
      MAX_DELETE_PERCENT: "100",
    };
    const ctx: JobContext = { argv: [], env, signal: new AbortController().signal, log };
    const started = process.hrtime.bigint();
    const code = await run(ctx, { now: () => Date.parse("2024-06-01T04:00:00Z") });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const counts = new Map<string, number>();
    for (const r of fake.requests) counts.set(kindOf(r.method, r.path), (counts.get(kindOf(r.method, r.path)) ?? 0) + 1);
    const plan = log.lines.filter((l) => l.msg === "plan");
    const candidates = plan.filter((l) => l.decision === "delete" && String(l.version).startsWith("sha256:")).length;
    const deletes = plan.filter((l) => l.decision === "delete").length;
    const files = counts.get("REST files (content check)") ?? 0;
    console.log(`dry run: exit ${code}, ${seconds.toFixed(2)} s, ${plan.length} versions planned, ${deletes} deletes planned (${candidates} untagged)`);
    console.log("| requests | count |\n|---|---:|");
    for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`| ${k} | ${n} |`);
    console.log(`| total | ${fake.requests.length} |`);
    console.log(`files calls / untagged deletion candidates: ${(files / Math.max(candidates, 1)).toFixed(2)}`);
    console.log(`files calls / versions: ${(files / versions).toFixed(3)}; requests per version: ${(fake.requests.length / versions).toFixed(2)}`);
  } finally {
    await fake.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
