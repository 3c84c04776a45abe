// Every CronJob in manifests/ against its job's own environment schema (the
// list the job parses at start-up) and its own config reader, plus schedule,
// image and pod security.
import { join } from "node:path";
import { loadSaveConfig } from "@regguard/breakglass";
import { BREAKGLASS_ENV } from "@regguard/breakglass/env-schema";
import { loadConfig as loadProbeConfig } from "@regguard/integrity-probe";
import { PROBE_ENV } from "@regguard/integrity-probe/env-schema";
import { loadConfig as loadRetentionConfig } from "@regguard/retention";
import { RETENTION_ENV } from "@regguard/retention/env-schema";
import { loadConfig as loadSyncConfig } from "@regguard/sync";
import { SYNC_ENV } from "@regguard/sync/env-schema";
import { describe, expect, it } from "vitest";
import {
  cronJobJobs,
  cronJobProblems,
  describe as describeDoc,
  envProblems,
  k8sObjects,
  listFiles,
  loadYamlTree,
  repoRoot,
  type JobContracts,
  type K8sObject,
} from "../src/index.js";

// breakglass's CronJob runs `save`, the subcommand that reads the whole schema.
const SCHEMAS: JobContracts = {
  "integrity-probe": { schema: PROBE_ENV, readConfig: (env) => loadProbeConfig(env) },
  retention: { schema: RETENTION_ENV, readConfig: (env) => loadRetentionConfig(env) },
  breakglass: { schema: BREAKGLASS_ENV, readConfig: (env) => loadSaveConfig(env) },
  // Both sync CronJobs read the same variables; `check` is the command that reads them all.
  sync: { schema: SYNC_ENV, readConfig: (env) => loadSyncConfig(env, ["check"]) },
};
const objects = k8sObjects(loadYamlTree(join(repoRoot(), "manifests"), listFiles).flatMap((f) => f.docs));
const cronJobs = objects.filter((d) => d.value.kind === "CronJob");
const byName = (name: string): K8sObject => {
  const found = cronJobs.find((d) => d.value.metadata?.name === name);
  if (!found) throw new Error(`CronJob ${name} not found in manifests/`);
  return found.value;
};

type Env = Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
function pod(cj: K8sObject) {
  return (
    cj.spec as {
      jobTemplate: {
        spec: { activeDeadlineSeconds: number; template: { spec: { containers: Array<{ env: Env; resources: Record<string, Record<string, string>> }> } } };
      };
    }
  ).jobTemplate.spec;
}
function env(cj: K8sObject): Record<string, string | { secret: string; key: string }> {
  const out: Record<string, string | { secret: string; key: string }> = {};
  for (const e of pod(cj).template.spec.containers[0]?.env ?? []) {
    out[e.name] = e.value ?? { secret: e.valueFrom?.secretKeyRef?.name ?? "?", key: e.valueFrom?.secretKeyRef?.key ?? "?" };
  }
  return out;
}

describe("CronJobs", () => {
  it("exist: retention, breakglass snapshots, one probe per registry instance, the sync check, the suspended copy and the cutover report", () => {
    expect(cronJobs.map((d) => describeDoc(d)).sort()).toEqual([
      "CronJob/forgejo/forgejo-breakglass",
      "CronJob/forgejo/forgejo-retention",
      "CronJob/forgejo/registry-cutover",
      "CronJob/forgejo/registry-sync-check",
      "CronJob/forgejo/registry-sync-copy",
      "CronJob/monitoring/forgejo-integrity-probe",
      "CronJob/monitoring/registry-integrity-probe",
    ]);
  });

  it.each(cronJobs.map((d) => [describeDoc(d), d.value] as const))("%s meets the job contract", (_n, cj) => {
    expect(cronJobJobs(cj).length).toBeGreaterThan(0);
    expect(cronJobProblems(cj, SCHEMAS)).toEqual([]);
  });

  it("retention runs nightly at 04:00 in dry-run with the owner's token from a Secret", () => {
    const cj = byName("forgejo-retention");
    expect((cj.spec as { schedule: string }).schedule).toBe("0 4 * * *");
    expect(env(cj)).toMatchObject({
      FORGEJO_HOST: "http://forgejo.forgejo.svc.cluster.local",
      FORGEJO_OWNER: "viktor",
      FORGEJO_TOKEN: { secret: "forgejo-cleanup-token", key: "token" },
      KEEP_LAST_N: "10",
      DRY_RUN: "true",
      IN_USE: "kubernetes",
    });
  });

  it("every CronJob runs in UTC, has a starting deadline and does not retry a configuration error (exit 2)", () => {
    for (const cj of cronJobs) {
      const spec = cj.value.spec as { timeZone?: string; startingDeadlineSeconds?: number };
      expect(spec.timeZone, describeDoc(cj)).toBe("Etc/UTC");
      expect(spec.startingDeadlineSeconds, describeDoc(cj)).toBeGreaterThan(0);
    }
    const cj = structuredClone(byName("forgejo-breakglass"));
    const job = (cj.spec as { jobTemplate: { spec: Record<string, unknown> } }).jobTemplate.spec;
    delete job.podFailurePolicy;
    delete (cj.spec as Record<string, unknown>).timeZone;
    const problems = cronJobProblems(cj, SCHEMAS).join("\n");
    expect(problems).toMatch(/podFailurePolicy must fail the Job on exit code 2 of container breakglass/);
    expect(problems).toMatch(/timeZone must be set/);
  });

  it("only a job that reads the cluster gets a token, and then from its own ServiceAccount", () => {
    const cj = structuredClone(byName("forgejo-retention"));
    const spec = pod(cj).template.spec as unknown as { automountServiceAccountToken?: boolean; serviceAccountName?: string; containers: Array<{ env: Env }> };
    expect(spec).toMatchObject({ automountServiceAccountToken: true, serviceAccountName: "regguard-retention" });
    spec.serviceAccountName = "default";
    expect(cronJobProblems(cj, SCHEMAS).join("\n")).toMatch(/serviceAccountName must name the job's own ServiceAccount/);
    delete spec.automountServiceAccountToken;
    expect(cronJobProblems(cj, SCHEMAS).join("\n")).toMatch(/automountServiceAccountToken must be true/);
    // Without IN_USE=kubernetes the token must not be there at all.
    const c = spec.containers[0]!;
    c.env = c.env.map((e) => (e.name === "IN_USE" ? { name: "IN_USE", value: "off" } : e));
    spec.automountServiceAccountToken = true;
    expect(cronJobProblems(cj, SCHEMAS).join("\n")).toMatch(/automountServiceAccountToken must be false/);
  });

  it("probes run every 15 minutes, finish inside the period, and push to their own Pushgateway job and instance", () => {
    const forgejo = byName("forgejo-integrity-probe");
    const registry = byName("registry-integrity-probe");
    for (const cj of [forgejo, registry]) {
      expect((cj.spec as { schedule: string }).schedule).toBe("*/15 * * * *");
      expect(pod(cj).activeDeadlineSeconds).toBeLessThanOrEqual(600);
      expect(pod(cj).template.spec.containers[0]?.resources).toEqual({ requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } });
    }
    expect(env(forgejo)).toMatchObject({
      REGISTRY_URL: "http://forgejo.forgejo.svc.cluster.local",
      REGISTRY_INSTANCE: "forgejo.viktorbarzin.me",
      REGISTRY_PASSWORD: { secret: "forgejo-pull-token", key: "token" },
      PIN_TOKEN_REALM: "true",
      PUSHGATEWAY_JOB: "forgejo-integrity-probe",
    });
    expect(env(registry)).toMatchObject({ PUSHGATEWAY_JOB: "registry-integrity-probe", REGISTRY_INSTANCE: "registry.viktorbarzin.me:5050" });
    expect(env(forgejo).PUSHGATEWAY_URL).toBe(env(registry).PUSHGATEWAY_URL);
  });

  // PROBE_ENV marks neither REGISTRY_URL nor PUSHGATEWAY_URL required (each
  // has a legacy alternative), so only the probe's own reader catches this.
  it("fails a probe CronJob without REGISTRY_URL/PUSHGATEWAY_URL or their legacy names, in the probe's own words", () => {
    const cj = structuredClone(byName("registry-integrity-probe"));
    const c = pod(cj).template.spec.containers[0] as { env: Env };
    c.env = c.env.filter((e) => e.name !== "REGISTRY_URL" && e.name !== "PUSHGATEWAY_URL");
    expect(envProblems(c, PROBE_ENV), "the schema alone lets it through").toEqual([]);
    const problems = cronJobProblems(cj, SCHEMAS);
    expect(problems).toContain("container probe env: REGISTRY_URL is required (or the legacy REGISTRY_HOST, with REGISTRY_SCHEME)");
    expect(problems.join("\n")).toMatch(/container probe env: PUSHGATEWAY_URL is required \(or the legacy PUSHGATEWAY=/);
  });

  it("runs the reader with placeholders for Secret values, and still reports what it rejects", () => {
    const cj = structuredClone(byName("forgejo-retention"));
    const c = pod(cj).template.spec.containers[0] as { env: Env };
    expect(c.env.find((e) => e.name === "FORGEJO_TOKEN")?.valueFrom?.secretKeyRef).toBeDefined();
    expect(cronJobProblems(cj, SCHEMAS)).toEqual([]);
    c.env = c.env.map((e) => (e.name === "FORGEJO_OWNER" ? { name: "FORGEJO_OWNER", value: "viktor barzin" } : e));
    expect(cronJobProblems(cj, SCHEMAS)).toEqual(['container retention env: FORGEJO_OWNER must be a Forgejo user or organisation name, got "viktor barzin"']);
  });

  // The checks must bite on the real files, not only on unit-test inputs.
  it("catches a typo, an inline secret, a lax DRY_RUN and a root pod in a real CronJob", () => {
    const cj = structuredClone(byName("forgejo-retention"));
    const p = pod(cj).template.spec as unknown as {
      securityContext: Record<string, unknown>;
      containers: Array<{ env: Env; command?: string[] }>;
    };
    const c = p.containers[0] as { env: Env; command?: string[] };
    c.env = c.env.map((e) => {
      if (e.name === "DRY_RUN") return { name: "DRY_RUN", value: "yes" };
      if (e.name === "FORGEJO_TOKEN") return { name: "FORGEJO_TOKEN", value: "abc" };
      if (e.name === "KEEP_LAST_N") return { name: "KEEP_LAST", value: "10" };
      return e;
    });
    c.command = ["sh", "-c", "apk add curl jq && ./cleanup.sh"];
    p.securityContext = {};
    const problems = cronJobProblems(cj, SCHEMAS).join("\n");
    expect(problems).toMatch(/DRY_RUN must be true or false/);
    expect(problems).toMatch(/FORGEJO_TOKEN is a secret/);
    expect(problems).toMatch(/KEEP_LAST is not in the job's environment schema/);
    expect(problems).toMatch(/command must not be set/);
    expect(problems).toMatch(/runAsNonRoot must be true/);
  });
});
