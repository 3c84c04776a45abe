// Why the workloads could not be read. Each one means "what the cluster uses is unknown", which a
// caller that deletes must treat as "everything may be in use" (retention exits 2 in a live run).
export type KubeErrorCode = "KUBE_CONFIG" | "KUBE_FORBIDDEN" | "KUBE_UNAUTHORIZED" | "KUBE_LIST_FAILED" | "KUBE_TIMEOUT" | "KUBE_ABORTED";

export class KubeListError extends Error {
  constructor(
    readonly code: KubeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "KubeListError";
  }
}
