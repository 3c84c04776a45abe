// Where a workload object names images, read from the object's JSON as the API serves it. Pure.
// A pod names them in its spec (containers, init and ephemeral containers) and, once running, in its
// status: `imageID` is the digest the runtime actually pulled, which is what must stay when the tag
// has since moved (a re-pushed `latest`). Every other kind carries a pod template; a ControllerRevision
// (a StatefulSet's or DaemonSet's rollback target) carries it inside `data`, a patch of the owner's
// spec, so for that kind every container list anywhere in `data` is read.
import { normalizeImage, InvalidImageError, type ImageReference } from "./reference.js";

/** The kinds listed, in the order they are listed. */
export const WORKLOAD_KINDS = ["Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "ControllerRevision", "Job", "CronJob"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** One place an image is named: `namespace/kind/name` and the field. */
export interface ImageUse {
  readonly image: ImageReference;
  /** The text as the object has it. */
  readonly text: string;
  /** `namespace/Kind/name`. */
  readonly by: string;
  /** e.g. `spec.containers[app].image`, `status.containerStatuses[app].imageID`. */
  readonly field: string;
}

/** A name no runtime can pull: reported, since nothing can run from it. */
export interface UnreadImage {
  readonly text: string;
  readonly by: string;
  readonly field: string;
  readonly why: string;
}

export interface Extracted {
  uses: ImageUse[];
  unread: UnreadImage[];
}

type Json = Record<string, unknown>;
const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;
const STATUS_LISTS = ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"] as const;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The images one object of `kind` names. */
export function imagesOf(kind: WorkloadKind, obj: unknown): Extracted {
  const by = `${str(at(obj, "metadata", "namespace")) ?? ""}/${kind}/${str(at(obj, "metadata", "name")) ?? "?"}`;
  const out: Extracted = { uses: [], unread: [] };
  const add = (text: string, field: string, extra?: (ref: ImageReference) => ImageReference): void => {
    try {
      const image = normalizeImage(text);
      out.uses.push({ image: extra ? extra(image) : image, text, by, field });
    } catch (e) {
      if (!(e instanceof InvalidImageError)) throw e;
      out.unread.push({ text, by, field, why: e.message });
    }
  };
  const podSpec = (spec: unknown, prefix: string): void => {
    for (const list of CONTAINER_LISTS) {
      const containers = at(spec, list);
      if (!Array.isArray(containers)) continue;
      for (const c of containers) {
        const image = str(at(c, "image"));
        if (image !== undefined) add(image, `${prefix}.${list}[${str(at(c, "name")) ?? "?"}].image`);
      }
    }
  };
  switch (kind) {
    case "Pod":
      podSpec(at(obj, "spec"), "spec");
      podStatus(obj, add);
      break;
    case "CronJob":
      podSpec(at(obj, "spec", "jobTemplate", "spec", "template", "spec"), "spec.jobTemplate.spec.template.spec");
      break;
    case "ControllerRevision":
      everyPodSpec(at(obj, "data"), "data", podSpec);
      break;
    default:
      podSpec(at(obj, "spec", "template", "spec"), "spec.template.spec");
  }
  return out;
}

/** `imageID` is `[docker-pullable://]repo@sha256:...` once pulled; a bare `sha256:` is a local image id, not a manifest. */
function podStatus(pod: unknown, add: (text: string, field: string, extra?: (ref: ImageReference) => ImageReference) => void): void {
  for (const list of STATUS_LISTS) {
    const statuses = at(pod, "status", list);
    if (!Array.isArray(statuses)) continue;
    for (const s of statuses) {
      const id = str(at(s, "imageID"));
      if (id === undefined || /^sha256:[0-9a-f]{64}$/.test(id) || !id.includes("@")) continue;
      // The tag the pod asked for, when the pulled digest is of the same repository: the plan says both.
      let asked: ImageReference | undefined;
      const image = str(at(s, "image"));
      if (image !== undefined) {
        try {
          asked = normalizeImage(image);
        } catch {
          // The spec's image is reported from the spec; the digest stands alone.
        }
      }
      const sameRepository = (ref: ImageReference): boolean => asked !== undefined && asked.registry === ref.registry && asked.repository === ref.repository;
      add(id, `status.${list}[${str(at(s, "name")) ?? "?"}].imageID`, (ref) =>
        ref.tag === undefined && asked?.tag !== undefined && sameRepository(ref) ? { ...ref, tag: asked.tag } : ref,
      );
    }
  }
}

/** Every object in a ControllerRevision's `data` that has a container list is a pod spec. */
function everyPodSpec(data: unknown, path: string, podSpec: (spec: unknown, prefix: string) => void, depth = 0): void {
  if (depth > 12 || (!isObject(data) && !Array.isArray(data))) return;
  if (isObject(data) && CONTAINER_LISTS.some((l) => Array.isArray(data[l]))) podSpec(data, path);
  for (const [k, v] of Object.entries(data)) {
    if (!(CONTAINER_LISTS as readonly string[]).includes(k)) everyPodSpec(v, `${path}.${k}`, podSpec, depth + 1);
  }
}
