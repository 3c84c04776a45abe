// Why the workloads could not be read. Each one means "what the cluster uses is unknown", which a
// caller that deletes must treat as "everything may be in use" (retention exits 2 in a live run).
import { RegguardError } from "@regguard/edge";

export type KubeErrorCode = "KUBE_CONFIG" | "KUBE_FORBIDDEN" | "KUBE_UNAUTHORIZED" | "KUBE_LIST_FAILED" | "KUBE_TIMEOUT" | "KUBE_ABORTED";

export class KubeListError extends RegguardError<KubeErrorCode> {
  constructor(code: KubeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "KubeListError";
  }
}
