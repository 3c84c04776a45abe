// Reads every workload of every namespace from the Kubernetes API with the official client
// (@kubernetes/client-node), page by page (`limit` + `continue`), and returns the images they name.
// Any failure is a KubeListError, never a partial answer: a list that stopped half-way would make a
// running image look unused.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { deadline } from "@regguard/edge";
import { KubeListError } from "./errors.js";
import { imagesOf, WORKLOAD_KINDS, type Extracted, type ImageUse, type UnreadImage, type WorkloadKind } from "./extract.js";

export interface ListOptions {
  /** KUBECONFIG (a path; the first of a `:` list) and the in-cluster variables. */
  env?: NodeJS.ProcessEnv;
  /** `limit` of each list request. */
  pageSize?: number;
  /** Deadline of each request. */
  requestTimeoutMs?: number;
  /** The job's signal: aborts every request. */
  signal?: AbortSignal;
}

export interface WorkloadImages {
  uses: ImageUse[];
  unread: UnreadImage[];
  /** Objects read per kind. */
  objects: Record<WorkloadKind, number>;
  /** List requests sent (pages). */
  requests: number;
  /** Where the configuration came from: `KUBECONFIG <path>` or `in-cluster`, and the server. */
  source: string;
}

/** The one page shape every list answers with. */
interface Page {
  items: unknown[];
  metadata?: { _continue?: string };
}
type PageOptions = { limit: number; _continue?: string };

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** KUBECONFIG, else the pod's service account; never the client's own default of localhost:8080. */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): { config: KubeConfig; source: string } {
  const config = new KubeConfig();
  const file = env.KUBECONFIG?.split(":").find((p) => p !== "");
  try {
    if (file !== undefined) {
      config.loadFromFile(file);
      return { config, source: `KUBECONFIG ${file}` };
    }
    if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
      config.loadFromCluster();
      return { config, source: "in-cluster service account" };
    }
  } catch (e) {
    throw new KubeListError(
      "KUBE_CONFIG",
      `the Kubernetes configuration could not be read (${file !== undefined ? `KUBECONFIG ${file}` : "in-cluster"}): ${(e as Error).message}`,
      { cause: e },
    );
  }
  throw new KubeListError(
    "KUBE_CONFIG",
    "no Kubernetes configuration: set KUBECONFIG, or run in a pod with a service account token (KUBERNETES_SERVICE_HOST and " + SERVICE_ACCOUNT_TOKEN + ")",
  );
}

/** Every workload image of the cluster; throws KubeListError when any list fails. */
export async function listWorkloadImages(opts: ListOptions = {}): Promise<WorkloadImages> {
  const { config, source } = loadKubeConfig(opts.env);
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const batch = config.makeApiClient(BatchV1Api);
  const pageSize = opts.pageSize ?? 500;
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const lists: Record<WorkloadKind, (p: PageOptions, o: { middleware: ObservableMiddleware[]; middlewareMergeStrategy: "append" }) => Promise<Page>> = {
    Pod: (p, o) => core.listPodForAllNamespaces(p, o),
    ReplicaSet: (p, o) => apps.listReplicaSetForAllNamespaces(p, o),
    Deployment: (p, o) => apps.listDeploymentForAllNamespaces(p, o),
    StatefulSet: (p, o) => apps.listStatefulSetForAllNamespaces(p, o),
    DaemonSet: (p, o) => apps.listDaemonSetForAllNamespaces(p, o),
    ControllerRevision: (p, o) => apps.listControllerRevisionForAllNamespaces(p, o),
    Job: (p, o) => batch.listJobForAllNamespaces(p, o),
    CronJob: (p, o) => batch.listCronJobForAllNamespaces(p, o),
  };
  const server = config.getCurrentCluster()?.server ?? "?";
  const out: WorkloadImages = {
    uses: [],
    unread: [],
    objects: Object.fromEntries(WORKLOAD_KINDS.map((k) => [k, 0])) as Record<WorkloadKind, number>,
    requests: 0,
    source: `${source} (${server})`,
  };
  for (const kind of WORKLOAD_KINDS) {
    let next: string | undefined;
    do {
      if (opts.signal?.aborted) throw new KubeListError("KUBE_ABORTED", `listing ${kind}s was stopped`);
      const page = await withDeadline(kind, timeoutMs, opts.signal, (middleware) =>
        lists[kind]({ limit: pageSize, ...(next !== undefined ? { _continue: next } : {}) }, { middleware: [middleware], middlewareMergeStrategy: "append" }),
      );
      out.requests++;
      for (const item of page.items) {
        // The typed client turns JSON into class instances; the extractor reads plain JSON.
        const extracted: Extracted = imagesOf(kind, plain(item));
        out.uses.push(...extracted.uses);
        out.unread.push(...extracted.unread);
      }
      out.objects[kind] += page.items.length;
      next = page.metadata?._continue || undefined;
    } while (next !== undefined);
  }
  return out;
}

/** Class instances (Date fields, Buffers in ControllerRevision data) as plain JSON. */
function plain(item: unknown): unknown {
  return JSON.parse(JSON.stringify(item));
}

/** One list request under its own deadline and the job's signal; errors become KubeListError. */
async function withDeadline<T>(
  kind: WorkloadKind,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  send: (m: ObservableMiddleware) => Promise<T>,
): Promise<T> {
  // One deadline per request, linked to the job's signal without AbortSignal.any (edge/deadline.ts).
  const timeout = deadline(timeoutMs, outer);
  const middleware: ObservableMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(timeout.signal);
      return new Observable(Promise.resolve(ctx));
    },
    post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
  };
  try {
    return await send(middleware);
  } catch (e) {
    const what = `listing ${kind}s across all namespaces`;
    if (timeout.timedOut()) throw new KubeListError("KUBE_TIMEOUT", `${what} took longer than ${timeoutMs} ms`, { cause: e });
    if (outer?.aborted) throw new KubeListError("KUBE_ABORTED", `${what} was stopped`, { cause: e });
    const status = (e as { code?: unknown }).code;
    const detail = statusMessage(e);
    if (status === 403)
      throw new KubeListError(
        "KUBE_FORBIDDEN",
        `${what} is forbidden (403): ${detail}; the ServiceAccount needs the ClusterRole in manifests/forgejo/retention-rbac.yaml`,
        { cause: e },
      );
    if (status === 401) throw new KubeListError("KUBE_UNAUTHORIZED", `${what} was refused (401): the token is not accepted`, { cause: e });
    throw new KubeListError("KUBE_LIST_FAILED", `${what} failed: ${typeof status === "number" ? `${status} ` : ""}${detail}`, { cause: e });
  } finally {
    timeout.done();
  }
}

/** The API's Status message when there is one, else the error's own (never the request headers). */
function statusMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === "string") return parsed.message.slice(0, 300);
    } catch {
      // Not a Status object.
    }
  }
  return (e as Error).message?.split("\n")[0]?.slice(0, 300) ?? String(e);
}
