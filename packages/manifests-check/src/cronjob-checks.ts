// Everything a CronJob in manifests/ must satisfy, composed from the single
// checks: schedule, overlap and history, image, env contract, pod security.
import { cronProblems } from "./cron.js";
import { contractProblems, type ContainerEnv, type JobContract } from "./env-contract.js";
import { jobOfImage, type JobName } from "./images.js";
import type { K8sObject } from "./load.js";
import { podSecurityProblems, type PodSecurityInput, type SecurityContext } from "./pod-security.js";

/** Each job's environment schema and config reader. */
export type JobContracts = Readonly<Record<JobName, JobContract>>;

interface Container extends ContainerEnv {
  image?: string;
  command?: string[];
  args?: string[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
}

interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: string;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { spec?: { activeDeadlineSeconds?: number; podFailurePolicy?: PodFailurePolicy; template?: { spec?: PodSpec } } };
}

interface PodFailurePolicy {
  rules?: Array<{ action?: string; onExitCodes?: { containerName?: string; operator?: string; values?: number[] } }>;
}

interface PodSpec extends Omit<PodSecurityInput, "containers"> {
  containers?: Container[];
  imagePullSecrets?: Array<{ name?: string }>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}

/**
 * Whether a container reads the cluster: retention with IN_USE=kubernetes, or the sync job's
 * cutover report. Only those get a token, and then from their own ServiceAccount (retention-rbac.yaml).
 */
function readsCluster(c: Container): boolean {
  const inUse = (c.env ?? []).find((e) => e.name === "IN_USE")?.value;
  return inUse?.trim().toLowerCase() === "kubernetes" || (c.args ?? []).includes("cutover");
}

/** The images this CronJob's containers run, by job. */
export function cronJobJobs(cj: K8sObject): JobName[] {
  const pod = (cj.spec as CronJobSpec | undefined)?.jobTemplate?.spec?.template?.spec;
  return (pod?.containers ?? []).flatMap((c) => {
    const r = jobOfImage(c.image ?? "");
    return "job" in r ? [r.job] : [];
  });
}

/** Every problem of one CronJob. */
export function cronJobProblems(cj: K8sObject, contracts: JobContracts): string[] {
  const spec = (cj.spec ?? {}) as CronJobSpec;
  const out = cronProblems(spec.schedule ?? "");
  if (spec.concurrencyPolicy !== "Forbid") out.push("concurrencyPolicy must be Forbid: two runs of a job must never overlap");
  if (!spec.timeZone) out.push("timeZone must be set: without it the schedule follows the controller manager's local time");
  if (!spec.startingDeadlineSeconds) out.push("startingDeadlineSeconds must be set: a controller that was down must not start a burst of missed runs");
  if (spec.successfulJobsHistoryLimit === undefined || spec.failedJobsHistoryLimit === undefined) {
    out.push("successfulJobsHistoryLimit and failedJobsHistoryLimit must be set (logs of past runs are the audit trail)");
  }
  const jobSpec = spec.jobTemplate?.spec;
  if (!jobSpec?.activeDeadlineSeconds) out.push("jobTemplate.spec.activeDeadlineSeconds must be set: with Forbid, a hung run would block every later one");
  const pod = jobSpec?.template?.spec;
  if (!pod) return [...out, "jobTemplate.spec.template.spec is missing"];
  // Every job exits 2 on a configuration error (job-runtime's EXIT.config): retrying cannot help.
  for (const c of pod.containers ?? []) {
    const failsOnConfig = (jobSpec?.podFailurePolicy?.rules ?? []).some(
      (r) =>
        r.action === "FailJob" &&
        r.onExitCodes?.operator === "In" &&
        (r.onExitCodes.values ?? []).includes(2) &&
        (r.onExitCodes.containerName ?? c.name) === c.name,
    );
    if (!failsOnConfig) out.push(`podFailurePolicy must fail the Job on exit code 2 of container ${c.name ?? "?"} (a configuration error is not retried)`);
  }
  out.push(...podSecurityProblems(pod));
  if ((pod.containers ?? []).some(readsCluster)) {
    if (pod.automountServiceAccountToken !== true)
      out.push("automountServiceAccountToken must be true: IN_USE=kubernetes (or cutover) lists the workloads with the pod's token");
    if (!pod.serviceAccountName || pod.serviceAccountName === "default")
      out.push("serviceAccountName must name the job's own ServiceAccount (manifests/forgejo/retention-rbac.yaml), never default");
  } else if (pod.automountServiceAccountToken !== false) {
    out.push("automountServiceAccountToken must be false: without IN_USE=kubernetes the job never calls the Kubernetes API");
  }
  if (!(pod.imagePullSecrets ?? []).some((s) => s.name === "registry-credentials")) {
    out.push("imagePullSecrets must include registry-credentials (the job images are private)");
  }
  for (const c of pod.containers ?? []) {
    const who = `container ${c.name ?? "?"}`;
    const r = jobOfImage(c.image ?? "");
    if ("problem" in r) {
      out.push(`${who}: ${r.problem}`);
      continue;
    }
    if (c.command !== undefined) out.push(`${who}: command must not be set; the image's entrypoint runs the job (node dist/main.js)`);
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
      out.push(`${who}: resources.requests.cpu, requests.memory and limits.memory must be set`);
    }
    out.push(...contractProblems(c, contracts[r.job]).map((p) => `${who} env: ${p}`));
  }
  return out;
}
