// `pnpm demo`: the whole system on loopback with no configuration. Starts a
// real registry:2, a real Pushgateway and the Forgejo fake, seeds a realistic
// owner, breaks one image the distribution#3324 way, runs the four jobs as
// their CLIs (the sync job moves registry:2's images and repairs the broken one), prints a summary and stops everything it started, also on
// Ctrl-C or SIGTERM (exit 130).
// `pnpm demo -- --registry URL [--image REF]` probes a real registry instead.
import { mkdtempSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pushImage, pushIndex, startForgejoFake, startPushgateway, startRegistry } from "@regguard/testkit";
import { JOB_MAIN, runJob, type JobRun } from "./jobs.js";
import { Owned } from "./owned.js";
import { seedForgejo } from "./seed.js";

const OWNER = "viktor";
const owned = new Owned();
// Quiet once stopping: main() may still be unwinding and its headings would read as progress.
const heading = (text: string) => void (owned.isStopping || process.stdout.write(`\n== ${text}\n`));
const say = (text: string) => process.stdout.write(`   ${text}\n`);

const job = (main: string, args: string[], env: Record<string, string>, show?: (line: string) => boolean): Promise<JobRun> =>
  runJob(owned, main, args, env, show);

/** Exit code of a run stopped by SIGINT/SIGTERM, as a shell reports Ctrl-C. */
const INTERRUPTED_EXIT = 130;
let signalled = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (signalled) return; // a second Ctrl-C must not cut the teardown short
    signalled = true;
    process.stdout.write(`\n${signal}: stopping every server and job the demo started\n`);
    void owned.stopAll().finally(() => {
      say("stopped every server the demo started");
      process.exit(INTERRUPTED_EXIT);
    });
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const { values } = parseArgs({ args, options: { registry: { type: "string" }, image: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    say("pnpm demo                                   everything on loopback, no configuration");
    say("pnpm demo -- --registry URL [--image REF]   probe a real registry (REGISTRY_USERNAME/REGISTRY_PASSWORD from the environment), optionally save REF");
    return 0;
  }
  // Synchronous, so a signal cannot land between creating the dir and owning it.
  const work = owned.dir(mkdtempSync(join(tmpdir(), "regguard-demo-")));
  try {
    return values.registry ? await realRegistry(values.registry, values.image, work) : await embedded(work);
  } finally {
    await owned.stopAll();
    if (!signalled) say("stopped every server the demo started");
  }
}

async function embedded(work: string): Promise<number> {
  heading("Starting registry:2, Pushgateway and a Forgejo fake on 127.0.0.1");
  const registry = await owned.server(() => startRegistry());
  const pushgateway = await owned.server(() => startPushgateway());
  const forgejo = await owned.server(() => startForgejoFake({ users: [{ login: OWNER }] }));
  say(`registry:2   ${registry.url}`);
  say(`pushgateway  ${pushgateway.url}`);
  say(`forgejo fake ${forgejo.url}`);

  heading(`Seeding owner ${OWNER} on Forgejo and three images on registry:2`);
  const seeded = await seedForgejo(forgejo, OWNER);
  say(`forgejo: ${seeded.images} images, ${seeded.tags} tags (multi-arch with attestations, cache tags, latest on an old index)`);
  const owner = forgejo.user(OWNER);
  // Two images only registry:2 has (never dual-pushed), and one pushed to both during the bake.
  await pushImage({ url: registry.url }, `${OWNER}/status-page`, "1.4", { seed: "r-status" });
  await pushIndex({ url: registry.url }, `${OWNER}/wiki`, "latest", { seed: "r-wiki", attestations: true });
  const chat = await pushIndex({ url: registry.url }, `${OWNER}/chat`, "latest", { seed: "r-chat", attestations: true });
  await pushIndex({ url: forgejo.url, username: OWNER, password: owner.token }, `${OWNER}/chat`, "latest", { seed: "r-chat", attestations: true });
  const victim = chat.children[1];
  if (!victim) throw new Error("seeded index has no second child");
  await registry.corruptRevisionLink(`${OWNER}/chat`, victim.digest);
  say(`registry:2: removed the revision link of ${OWNER}/chat child ${victim.digest.slice(0, 19)}… (distribution#3324)`);

  const pg = { PUSHGATEWAY_URL: pushgateway.url };
  heading("integrity-probe against registry:2 (expect one broken reference)");
  const probeOld = await job(JOB_MAIN.probe, [], { REGISTRY_URL: registry.url, REGISTRY_INSTANCE: "registry.viktorbarzin.me:5050", ...pg }, notDebug);
  heading("integrity-probe against Forgejo (expect a clean bill)");
  const probeNew = await job(
    JOB_MAIN.probe,
    [],
    {
      REGISTRY_URL: forgejo.url,
      REGISTRY_INSTANCE: "forgejo.viktorbarzin.me",
      REGISTRY_USERNAME: OWNER,
      REGISTRY_PASSWORD: owner.token,
      REPOSITORY_PREFIX: `${OWNER}/`,
      PUSHGATEWAY_JOB: "forgejo-integrity-probe",
      ...pg,
    },
    notDebug,
  );

  heading("What Prometheus scrapes from the Pushgateway");
  const series = (await pushgateway.series()).filter((s) => /integrity_(failures|catalog_accessible|repos_checked|tags_checked|indexes_checked)$/.test(s.name));
  for (const s of series.sort((a, b) => (a.labels.instance ?? "").localeCompare(b.labels.instance ?? "") || a.name.localeCompare(b.name))) {
    say(`${s.name}{instance="${s.labels.instance ?? ""}",job="${s.labels.job ?? ""}"} ${s.value}`);
  }

  // The move: registry:2 -> Forgejo under the same names, then the broken chat on registry:2
  // repaired from Forgejo's good copy (the sync job, as the runbook docs/runbooks/sync.md runs it).
  const moved = `${OWNER}/(status-page|wiki|chat)`;
  const toForgejo = { SOURCE_URL: registry.url, TARGET_URL: forgejo.url, TARGET_USERNAME: OWNER, TARGET_PASSWORD: owner.token, REPOSITORIES: moved };
  heading("sync check registry:2 -> Forgejo (expect 2 missing: never dual-pushed)");
  const parityBefore = await job(JOB_MAIN.sync, ["check"], toForgejo, syncLines);
  heading("sync copy, dry run (expect: would copy 2, nothing written)");
  const copyDry = await job(JOB_MAIN.sync, ["copy"], toForgejo, syncLines);
  heading("sync copy (children first, the tag last)");
  const copy = await job(JOB_MAIN.sync, ["copy"], { ...toForgejo, DRY_RUN: "false" }, syncLines);
  heading("sync check again (expect full parity)");
  const parityAfter = await job(JOB_MAIN.sync, ["check"], toForgejo, syncLines);
  heading("sync repair of registry:2 from Forgejo (expect chat:latest repaired)");
  const repair = await job(
    JOB_MAIN.sync,
    ["repair"],
    {
      SOURCE_URL: forgejo.url,
      SOURCE_USERNAME: OWNER,
      SOURCE_PASSWORD: owner.token,
      TARGET_URL: registry.url,
      REPOSITORIES: moved,
      DRY_RUN: "false",
    },
    syncLines,
  );

  heading("retention, dry-run, on Forgejo (children of kept indexes are protected)");
  const planFile = join(work, "plan.json");
  const retention = await job(
    JOB_MAIN.retention,
    [],
    {
      FORGEJO_HOST: forgejo.url,
      FORGEJO_OWNER: OWNER,
      FORGEJO_TOKEN: owner.token,
      DRY_RUN: "true",
      KEEP_LAST_N: "5",
      PLAN_FILE: planFile,
    },
    planLines,
  );
  const plan = await summarizePlan(planFile);

  heading("breakglass save + verify of viktor/infra-ci:latest into two directories");
  const dirs = [join(work, "vm-disk"), join(work, "nas")];
  for (const d of dirs) await mkdir(d, { recursive: true });
  const save = await job(
    JOB_MAIN.breakglass,
    ["save"],
    {
      IMAGE: `${forgejo.host}/${OWNER}/infra-ci:latest`,
      REGISTRY_USERNAME: OWNER,
      REGISTRY_PASSWORD: owner.token,
      REGISTRY_INSECURE: "true",
      DESTINATIONS: dirs.join(","),
    },
    notDebug,
  );
  const verify = await job(JOB_MAIN.breakglass, ["verify", join(dirs[1] as string, "infra-ci-latest.tar")], {}, notDebug);

  heading("Summary");
  say(`probe registry:2  exit ${probeOld.code} (${probeOld.code === 1 ? "integrity failure found, as expected" : "unexpected"})`);
  say(`probe forgejo     exit ${probeNew.code} (${probeNew.code === 0 ? "healthy" : "unexpected"})`);
  say(`retention dry-run exit ${retention.code}: ${plan}`);
  say(`breakglass        save exit ${save.code}, verify exit ${verify.code}`);
  say(
    `sync              check before exit ${parityBefore.code} (missing tags), copy dry run exit ${copyDry.code}, copy exit ${copy.code}, check after exit ${parityAfter.code}, repair of registry:2 exit ${repair.code}`,
  );
  const moveOk = parityBefore.code === 1 && copyDry.code === 0 && copy.code === 0 && parityAfter.code === 0 && repair.code === 0;
  const ok = probeOld.code === 1 && probeNew.code === 0 && retention.code === 0 && save.code === 0 && verify.code === 0 && moveOk;
  say(ok ? "everything behaved as expected" : "something did not behave as expected: see the output above");
  return ok ? 0 : 1;
}

async function realRegistry(url: string, image: string | undefined, work: string): Promise<number> {
  heading(`Probing ${url} (read-only) with a local Pushgateway`);
  const pushgateway = await owned.server(() => startPushgateway());
  const creds = pick(process.env, ["REGISTRY_USERNAME", "REGISTRY_PASSWORD", "REPOSITORY_PREFIX", "TAGS_PER_REPO"]);
  const probe = await job(JOB_MAIN.probe, [], { REGISTRY_URL: url, PUSHGATEWAY_URL: pushgateway.url, ...creds }, notDebug);
  let saved = 0;
  if (image) {
    heading(`breakglass save + verify of ${image}`);
    const dir = join(work, "archives");
    await mkdir(dir, { recursive: true });
    const save = await job(
      JOB_MAIN.breakglass,
      ["save"],
      { IMAGE: image, DESTINATIONS: dir, ...pick(process.env, ["REGISTRY_USERNAME", "REGISTRY_PASSWORD", "REGISTRY_INSECURE", "PLATFORM"]) },
      notDebug,
    );
    const archive = (await readdir(dir)).find((f) => f.endsWith(".tar") && !f.endsWith("-latest.tar"));
    const verify = save.code === 0 && archive ? await job(JOB_MAIN.breakglass, ["verify", join(dir, archive)], {}, notDebug) : save;
    saved = verify.code;
  }
  heading("Summary");
  say(`probe exit ${probe.code} (0 healthy, 1 integrity failures, 2 configuration, 3 catalog unreadable or push failed)`);
  if (image) say(`breakglass save + verify exit ${saved}`);
  return probe.code === 0 && saved === 0 ? 0 : 1;
}

const notDebug = (line: string) => !line.includes('"level":"debug"');

/** Sync: one line per tag that is not in parity, and the closing line. */
const syncLines = (line: string) => notDebug(line) && !line.includes('"msg":"tag in parity"') && !line.includes('"msg":"sync starting"');

/** The full plan is long: show package totals, and kms-website's old `latest` index with the children it protects. */
const planLines = (line: string) =>
  notDebug(line) && (!line.includes('"msg":"plan"') || (line.includes('"package":"kms-website"') && /"reason":"(latest|referenced by latest)"/.test(line)));

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (env[n]) out[n] = env[n] as string;
  return out;
}

async function summarizePlan(file: string): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    const decisions = [...text.matchAll(/"decision"\s*:\s*"([a-z]+)"/g)].map((m) => m[1]);
    const del = decisions.filter((d) => d === "delete").length;
    return `${decisions.length} versions planned, ${decisions.length - del} kept, ${del} would be deleted (plan JSON written)`;
  } catch {
    return "no plan file written";
  }
}

// Once a signal arrived its handler owns the exit code; whatever main() was
// awaiting fails against stopped servers and is not worth reporting.
main().then(
  (code) => {
    if (!signalled) process.exitCode = code;
  },
  (error: unknown) => {
    if (signalled) return;
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
