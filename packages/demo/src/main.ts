// `pnpm demo`: the whole system on loopback with no configuration. Starts a
// real registry:2, a real Pushgateway and the Forgejo fake, seeds a realistic
// owner, breaks one image the distribution#3324 way, runs the three jobs as
// their CLIs, prints a summary and stops everything it started.
// `pnpm demo -- --registry URL [--image REF]` probes a real registry instead.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pushImage, pushIndex, startForgejoFake, startPushgateway, startRegistry, type StartedServer } from "@regguard/testkit";
import { JOB_MAIN, runJob } from "./jobs.js";
import { seedForgejo } from "./seed.js";

const OWNER = "viktor";
const heading = (text: string) => process.stdout.write(`\n== ${text}\n`);
const say = (text: string) => process.stdout.write(`   ${text}\n`);

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const { values } = parseArgs({ args, options: { registry: { type: "string" }, image: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    say("pnpm demo                                   everything on loopback, no configuration");
    say("pnpm demo -- --registry URL [--image REF]   probe a real registry (REGISTRY_USERNAME/REGISTRY_PASSWORD from the environment), optionally save REF");
    return 0;
  }
  const started: StartedServer[] = [];
  const work = await mkdtemp(join(tmpdir(), "regguard-demo-"));
  try {
    return values.registry
      ? await realRegistry(values.registry, values.image, started, work)
      : await embedded(started, work);
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    say("stopped every server the demo started");
  }
}

async function embedded(started: StartedServer[], work: string): Promise<number> {
  heading("Starting registry:2, Pushgateway and a Forgejo fake on 127.0.0.1");
  const registry = await startRegistry();
  started.push(registry);
  const pushgateway = await startPushgateway();
  started.push(pushgateway);
  const forgejo = await startForgejoFake({ users: [{ login: OWNER }] });
  started.push(forgejo);
  say(`registry:2   ${registry.url}`);
  say(`pushgateway  ${pushgateway.url}`);
  say(`forgejo fake ${forgejo.url}`);

  heading(`Seeding owner ${OWNER} on Forgejo and three images on registry:2`);
  const seeded = await seedForgejo(forgejo, OWNER);
  say(`forgejo: ${seeded.images} images, ${seeded.tags} tags (multi-arch with attestations, cache tags, latest on an old index)`);
  await pushImage({ url: registry.url }, `${OWNER}/infra-ci`, "latest", { seed: "r-infra" });
  await pushIndex({ url: registry.url }, `${OWNER}/beadboard`, "latest", { seed: "r-bead", attestations: true });
  const kms = await pushIndex({ url: registry.url }, `${OWNER}/kms-website`, "latest", { seed: "r-kms", attestations: true });
  const victim = kms.children[1];
  if (!victim) throw new Error("seeded index has no second child");
  await registry.corruptRevisionLink(`${OWNER}/kms-website`, victim.digest);
  say(`registry:2: removed the revision link of ${OWNER}/kms-website child ${victim.digest.slice(0, 19)}… (distribution#3324)`);

  const owner = forgejo.user(OWNER);
  const pg = { PUSHGATEWAY_URL: pushgateway.url };
  heading("integrity-probe against registry:2 (expect one broken reference)");
  const probeOld = await runJob(JOB_MAIN.probe, [], { REGISTRY_URL: registry.url, REGISTRY_INSTANCE: "registry.viktorbarzin.me:5050", ...pg }, notDebug);
  heading("integrity-probe against Forgejo (expect a clean bill)");
  const probeNew = await runJob(JOB_MAIN.probe, [], {
    REGISTRY_URL: forgejo.url, REGISTRY_INSTANCE: "forgejo.viktorbarzin.me", REGISTRY_USERNAME: OWNER, REGISTRY_PASSWORD: owner.token,
    REPOSITORY_PREFIX: `${OWNER}/`, PUSHGATEWAY_JOB: "forgejo-integrity-probe", ...pg,
  }, notDebug);

  heading("What Prometheus scrapes from the Pushgateway");
  const series = (await pushgateway.series()).filter((s) => /integrity_(failures|catalog_accessible|repos_checked|tags_checked|indexes_checked)$/.test(s.name));
  for (const s of series.sort((a, b) => (a.labels.instance ?? "").localeCompare(b.labels.instance ?? "") || a.name.localeCompare(b.name))) {
    say(`${s.name}{instance="${s.labels.instance ?? ""}",job="${s.labels.job ?? ""}"} ${s.value}`);
  }

  heading("retention, dry-run, on Forgejo (children of kept indexes are protected)");
  const planFile = join(work, "plan.json");
  const retention = await runJob(JOB_MAIN.retention, [], {
    FORGEJO_HOST: forgejo.url, FORGEJO_OWNER: OWNER, FORGEJO_TOKEN: owner.token, DRY_RUN: "true", KEEP_LAST_N: "5", PLAN_FILE: planFile,
  }, planLines);
  const plan = await summarizePlan(planFile);

  heading("breakglass save + verify of viktor/infra-ci:latest into two directories");
  const dirs = [join(work, "vm-disk"), join(work, "nas")];
  for (const d of dirs) await mkdir(d, { recursive: true });
  const save = await runJob(JOB_MAIN.breakglass, ["save"], {
    IMAGE: `${forgejo.host}/${OWNER}/infra-ci:latest`, REGISTRY_USERNAME: OWNER, REGISTRY_PASSWORD: owner.token, REGISTRY_INSECURE: "true",
    DESTINATIONS: dirs.join(","),
  }, notDebug);
  const verify = await runJob(JOB_MAIN.breakglass, ["verify", join(dirs[1] as string, "infra-ci-latest.tar")], {}, notDebug);

  heading("Summary");
  say(`probe registry:2  exit ${probeOld.code} (${probeOld.code === 1 ? "integrity failure found, as expected" : "unexpected"})`);
  say(`probe forgejo     exit ${probeNew.code} (${probeNew.code === 0 ? "healthy" : "unexpected"})`);
  say(`retention dry-run exit ${retention.code}: ${plan}`);
  say(`breakglass        save exit ${save.code}, verify exit ${verify.code}`);
  const ok = probeOld.code === 1 && probeNew.code === 0 && retention.code === 0 && save.code === 0 && verify.code === 0;
  say(ok ? "everything behaved as expected" : "something did not behave as expected: see the output above");
  return ok ? 0 : 1;
}

async function realRegistry(url: string, image: string | undefined, started: StartedServer[], work: string): Promise<number> {
  heading(`Probing ${url} (read-only) with a local Pushgateway`);
  const pushgateway = await startPushgateway();
  started.push(pushgateway);
  const creds = pick(process.env, ["REGISTRY_USERNAME", "REGISTRY_PASSWORD", "REPOSITORY_PREFIX", "TAGS_PER_REPO"]);
  const probe = await runJob(JOB_MAIN.probe, [], { REGISTRY_URL: url, PUSHGATEWAY_URL: pushgateway.url, ...creds }, notDebug);
  let saved = 0;
  if (image) {
    heading(`breakglass save + verify of ${image}`);
    const dir = join(work, "archives");
    await mkdir(dir, { recursive: true });
    const save = await runJob(JOB_MAIN.breakglass, ["save"], { IMAGE: image, DESTINATIONS: dir, ...pick(process.env, ["REGISTRY_USERNAME", "REGISTRY_PASSWORD", "REGISTRY_INSECURE", "PLATFORM"]) }, notDebug);
    const archive = (await readdir(dir)).find((f) => f.endsWith(".tar") && !f.endsWith("-latest.tar"));
    const verify = save.code === 0 && archive ? await runJob(JOB_MAIN.breakglass, ["verify", join(dir, archive)], {}, notDebug) : save;
    saved = verify.code;
  }
  heading("Summary");
  say(`probe exit ${probe.code} (0 healthy, 1 integrity failures, 2 configuration, 3 catalog unreadable or push failed)`);
  if (image) say(`breakglass save + verify exit ${saved}`);
  return probe.code === 0 && saved === 0 ? 0 : 1;
}

const notDebug = (line: string) => !line.includes('"level":"debug"');

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

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
