// A real Kubernetes API server for the tests: etcd (Debian's etcd-server) and the kube-apiserver that
// scripts/kube-apiserver.sh built, both on 127.0.0.1 in one temporary directory. Nothing else of a
// cluster runs: no scheduler, no controller manager, no kubelet. So pods stay Pending until a test
// writes their status through the status subresource, ReplicaSets are not made from Deployments,
// and service-account tokens come from the TokenRequest API (which needs only the signing key).
//
// Authentication is a static token file (one site-admin token in group system:masters) plus
// service-account tokens; authorization is RBAC, so a token without a role is really forbidden.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Agent, request } from "undici";
import { requireBinary } from "./binaries.js";
import { StartFailedError } from "./errors.js";
import { buildCacheRoot } from "./pin-file.js";
import { freePort } from "./ports.js";
import { spawnServer, type ManagedProcess } from "./process.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { StartedServer } from "./types.js";

const WRAPPER_GO_MOD = join(import.meta.dirname, "..", "kube-apiserver", "go.mod");

/** The pinned build and its cache entry (the same path scripts/kube-apiserver.sh writes). */
export interface KubeApiserverBuild {
  version: string;
  dir: string;
  binary: string;
  label: string;
}

export function kubeApiserverBuild(env: NodeJS.ProcessEnv = process.env): KubeApiserverBuild {
  const m = /^\s*k8s\.io\/kubernetes (v\d\S*)/m.exec(readFileSync(WRAPPER_GO_MOD, "utf8"));
  if (!m) throw new Error(`${WRAPPER_GO_MOD} must require k8s.io/kubernetes vX.Y.Z`);
  const version = m[1]!;
  const dir = join(buildCacheRoot(env), "kube-apiserver", `k8s.io_kubernetes@${version}`);
  return { version, dir, binary: join(dir, "bin", "kube-apiserver"), label: `kube-apiserver ${version}` };
}

/** Why the API server cannot be started here, or undefined when it can. */
export function kubeApiserverMissingReason(build: KubeApiserverBuild = kubeApiserverBuild()): string | undefined {
  if (!existsSync(build.binary) || !existsSync(join(build.dir, "built.json"))) {
    return `${build.label} is not built (no ${build.binary}): run scripts/kube-apiserver.sh (scripts/setup.sh does)`;
  }
  try {
    requireBinary("etcd");
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** A Kubernetes object as the API takes it: apiVersion, kind, metadata and the rest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** A running API server; `token` is a site admin's (group system:masters). */
export interface StartedKubeApiserver extends StartedServer {
  build: KubeApiserverBuild;
  /** The serving certificate's CA, PEM (the server generated both at start). */
  caPem: string;
  token: string;
  /** A kubeconfig file for `token` (or another token), in the work directory. */
  kubeconfig(token?: string, name?: string): Promise<string>;
  /** POST an object to its collection; returns what the server stored. */
  create<T extends KubeObject>(obj: T): Promise<T & { metadata: { resourceVersion: string; uid: string } }>;
  /** Replaces an object's status (PUT .../status): the kubelet's and controllers' part, done by hand. */
  putStatus(obj: KubeObject, status: unknown): Promise<void>;
  /** Any request with the admin token (or `token`): status and parsed body, never throws on a status. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }>;
  /** A token of a service account (created when missing) through the TokenRequest API. */
  serviceAccountToken(namespace: string, name: string): Promise<string>;
  /** Milliseconds from spawning etcd to /readyz answering 200. */
  startMs: number;
  apiserverPid: number;
  etcdPid: number;
}

export interface KubeApiserverOptions {
  /** Start-up limit for the API server (its post-start hooks bootstrap RBAC roles and priority levels). */
  timeoutMs?: number;
}

/** Built-in kinds the tests create: kind -> API group path and plural. */
const RESOURCES: Readonly<Record<string, { prefix: string; plural: string; namespaced: boolean }>> = {
  Namespace: { prefix: "/api/v1", plural: "namespaces", namespaced: false },
  Pod: { prefix: "/api/v1", plural: "pods", namespaced: true },
  ServiceAccount: { prefix: "/api/v1", plural: "serviceaccounts", namespaced: true },
  ReplicaSet: { prefix: "/apis/apps/v1", plural: "replicasets", namespaced: true },
  Deployment: { prefix: "/apis/apps/v1", plural: "deployments", namespaced: true },
  StatefulSet: { prefix: "/apis/apps/v1", plural: "statefulsets", namespaced: true },
  DaemonSet: { prefix: "/apis/apps/v1", plural: "daemonsets", namespaced: true },
  ControllerRevision: { prefix: "/apis/apps/v1", plural: "controllerrevisions", namespaced: true },
  Job: { prefix: "/apis/batch/v1", plural: "jobs", namespaced: true },
  CronJob: { prefix: "/apis/batch/v1", plural: "cronjobs", namespaced: true },
  ClusterRole: { prefix: "/apis/rbac.authorization.k8s.io/v1", plural: "clusterroles", namespaced: false },
  ClusterRoleBinding: { prefix: "/apis/rbac.authorization.k8s.io/v1", plural: "clusterrolebindings", namespaced: false },
};

/** The collection path of an object's kind (in its namespace when namespaced). */
export function collectionPath(obj: Pick<KubeObject, "kind" | "metadata">): string {
  const r = RESOURCES[obj.kind];
  if (!r) throw new Error(`the test kit does not know the path of kind ${obj.kind} (add it to RESOURCES in kube-apiserver.ts)`);
  return r.namespaced ? `${r.prefix}/namespaces/${obj.metadata.namespace ?? "default"}/${r.plural}` : `${r.prefix}/${r.plural}`;
}

/** Starts etcd and the API server; throws StartFailedError (with their last output lines) when it cannot. */
export async function startKubeApiserver(opts: KubeApiserverOptions = {}): Promise<StartedKubeApiserver> {
  const build = kubeApiserverBuild();
  const missing = kubeApiserverMissingReason(build);
  if (missing) throw new StartFailedError(missing);
  const dir = await makeTempDir("kube");
  const procs: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of procs.reverse()) await p.stop(); // the API server before its etcd
    procs.length = 0;
  };
  // The server's certificate is self-signed and generated at start; until it is read, readiness
  // probes skip verification (loopback only). Everything after start verifies against it.
  const probeAgent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const t0 = Date.now();
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
    const etcd = await spawnServer({
      name: "etcd",
      command: requireBinary("etcd"),
      args: [
        "--name",
        "regguard-test",
        "--data-dir",
        join(dir, "etcd"),
        "--listen-client-urls",
        `http://127.0.0.1:${clientPort}`,
        "--advertise-client-urls",
        `http://127.0.0.1:${clientPort}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${peerPort}`,
        "--initial-advertise-peer-urls",
        `http://127.0.0.1:${peerPort}`,
        "--initial-cluster",
        `regguard-test=http://127.0.0.1:${peerPort}`,
        "--logger",
        "zap",
        "--log-level",
        "warn",
      ],
      cwd: dir,
      ready: async () => {
        const res = await request(`http://127.0.0.1:${clientPort}/health`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
        return res.statusCode === 200 && /"health":\s*"true"/.test(await res.body.text());
      },
      timeoutMs: 30_000,
    });
    procs.push(etcd);

    const token = randomBytes(24).toString("hex");
    await writeFile(join(dir, "tokens.csv"), `${token},regguard-admin,regguard-admin-uid,"system:masters"\n`, { mode: 0o600 });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await writeFile(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    await mkdir(join(dir, "certs"));
    const url = `https://127.0.0.1:${securePort}`;
    const apiserver = await spawnServer({
      name: build.label,
      command: build.binary,
      args: [
        `--etcd-servers=http://127.0.0.1:${clientPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${securePort}`,
        // No --tls-cert-file: the server writes a self-signed pair into --cert-dir.
        `--cert-dir=${join(dir, "certs")}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        `--service-account-key-file=${join(dir, "sa.key")}`,
        `--service-account-signing-key-file=${join(dir, "sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-cluster-ip-range=10.96.0.0/24",
        // Without a controller manager no namespace gets its `default` ServiceAccount, which the
        // ServiceAccount admission plugin would require of every pod.
        "--disable-admission-plugins=ServiceAccount",
        "--profiling=false",
        "--v=0",
      ],
      cwd: dir,
      ready: async () => {
        const res = await request(`${url}/readyz`, {
          headers: { authorization: `Bearer ${token}` },
          dispatcher: probeAgent,
          headersTimeout: 2_000,
          bodyTimeout: 2_000,
        });
        await res.body.dump();
        return res.statusCode === 200;
      },
      timeoutMs: opts.timeoutMs ?? 120_000,
    });
    procs.push(apiserver);
    const startMs = Date.now() - t0;
    const caPem = readFileSync(join(dir, "certs", "apiserver.crt"), "utf8");
    const agent = new Agent({ connect: { ca: caPem } });

    const api = async (method: string, path: string, body?: unknown, as: string = token): Promise<{ status: number; body: unknown }> => {
      const res = await request(`${url}${path}`, {
        method: method as "GET",
        headers: { authorization: `Bearer ${as}`, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        dispatcher: agent,
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (a plain-text error): keep the text.
      }
      return { status: res.statusCode, body: parsed };
    };
    const must = async (what: string, method: string, path: string, body: unknown, ok: number[]): Promise<unknown> => {
      const res = await api(method, path, body);
      if (!ok.includes(res.status)) throw new StartFailedError(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
      return res.body;
    };
    const ensureNamespace = async (ns: string): Promise<void> => {
      await must(`creating namespace ${ns}`, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, [201, 409]);
    };

    let configs = 0;
    return {
      url,
      build,
      caPem,
      token,
      startMs,
      apiserverPid: apiserver.pid,
      etcdPid: etcd.pid,
      api,
      async kubeconfig(as = token, name = "admin") {
        // JSON is YAML: every kubeconfig reader takes it.
        const file = join(dir, `kubeconfig-${name}-${++configs}.json`);
        const config = {
          apiVersion: "v1",
          kind: "Config",
          "current-context": "test",
          clusters: [{ name: "test", cluster: { server: url, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
          users: [{ name, user: { token: as } }],
          contexts: [{ name: "test", context: { cluster: "test", user: name } }],
        };
        await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
        return file;
      },
      async create(obj) {
        if (obj.metadata.namespace !== undefined) await ensureNamespace(obj.metadata.namespace);
        return (await must(`creating ${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`, "POST", collectionPath(obj), obj, [201])) as never;
      },
      async putStatus(obj, status) {
        const path = `${collectionPath(obj)}/${obj.metadata.name}`;
        const current = (await must(`reading ${obj.kind} ${obj.metadata.name}`, "GET", path, undefined, [200])) as KubeObject;
        await must(`writing the status of ${obj.kind} ${obj.metadata.name}`, "PUT", `${path}/status`, { ...current, status }, [200]);
      },
      async serviceAccountToken(namespace, name) {
        await ensureNamespace(namespace);
        await must(
          `creating service account ${namespace}/${name}`,
          "POST",
          `/api/v1/namespaces/${namespace}/serviceaccounts`,
          { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } },
          [201, 409],
        );
        const res = (await must(
          `a token for ${namespace}/${name}`,
          "POST",
          `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
          { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
          [201],
        )) as { status: { token: string } };
        return res.status.token;
      },
      async stop() {
        await stopAll();
        await agent.close();
        await probeAgent.close();
        await removeDir(dir);
      },
    };
  } catch (e) {
    await stopAll();
    await probeAgent.close();
    await removeDir(dir);
    throw e;
  }
}
