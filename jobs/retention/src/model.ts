// The shapes passed between inventory (I/O), the keep set (pure), guard,
// apply and report. Plain data only, so a plan can be written as JSON and a
// fixture can be read back into the same types.

/** sha256:<hex>; validated where it enters (inventory, fixtures). */
export type DigestText = `sha256:${string}`;

/**
 * What a version holds. `missing` is a clean 404 (the manifest is not
 * servable: an already-broken version); `error` is anything else and makes
 * the package fail closed.
 */
export type DigestState = { state: "known"; digest: DigestText } | { state: "missing"; message: string } | { state: "error"; message: string };

/** One package version as the inventory saw it. */
export interface InventoryVersion {
  /** package_version id; a re-push gets a new one. */
  id: number;
  /** Tag (lower-cased) or `sha256:<hex>` for an untagged manifest. */
  name: string;
  /** Epoch milliseconds (Forgejo has one-second resolution). */
  createdAt: number;
  digest: DigestState;
}

/** One package (image) of the owner with all of its versions. */
export interface PackageInventory {
  /** Package name as Forgejo stores it (lower-cased), may contain `/`. */
  name: string;
  /** `owner/name` under /v2. */
  repository: string;
  versions: InventoryVersion[];
  /**
   * The tags /v2 lists for the repository. They come from the same database
   * as the REST listing, so a difference means the registry URL points
   * somewhere else or the package changed while it was being read.
   */
  registryTags: { state: "ok"; tags: string[] } | { state: "error"; message: string };
}

/**
 * A manifest resolved through /v2: its digest and the manifest digests it
 * points at (index children and `subject`; blobs are not versions).
 */
export type ResolvedNode =
  { state: "ok"; digest: DigestText; refs: DigestText[] } | { state: "missing"; message: string } | { state: "error"; message: string };

/** Resolved manifests of one package, keyed by tag (lower-cased) or digest. */
export type ManifestGraph = ReadonlyMap<string, ResolvedNode>;

/** Why a version is kept or deleted. */
export type Reason =
  | { kind: "latest" }
  | { kind: "pattern" }
  | { kind: "newest"; rank: number }
  | { kind: "referenced"; by: string }
  | { kind: "follows"; by: string }
  | { kind: "grace" }
  | { kind: "in-use"; by: string }
  | { kind: "frozen"; why: string }
  | { kind: "delete" };

/** The decision for one version. */
export interface Decision {
  id: number;
  version: string;
  createdAt: number;
  digest?: DigestText;
  action: "keep" | "delete";
  reason: Reason;
}

/** A kept image that is already broken before this run touched anything. */
export interface BrokenImage {
  /** The kept root (tag or digest) whose graph has the hole. */
  root: string;
  /** The tag or digest that answered 404. */
  target: string;
  message: string;
}

/** The keep set's answer for one package. */
export interface PackagePlan {
  name: string;
  repository: string;
  decisions: Decision[];
  /** Non-empty: nothing in the package is deleted (fail closed). */
  frozen: string[];
  broken: BrokenImage[];
  /**
   * Versions listed at inventory that answered 404 as kept roots and were no longer listed when
   * the package was re-listed: deleted during the run, planned without.
   */
  gone: string[];
}

/** Human text of a reason, as printed in the plan. */
export function reasonText(r: Reason): string {
  switch (r.kind) {
    case "newest":
      return "newest";
    case "referenced":
      return `referenced by ${r.by}`;
    case "follows":
      return `follows ${r.by}`;
    case "in-use":
      return `in-use ${r.by}`;
    case "frozen":
      return `frozen: ${r.why}`;
    default:
      return r.kind;
  }
}

/**
 * A tag or digest of this package that a workload names or runs (IN_USE=kubernetes, in-use.ts):
 * a kept root like `latest`, with `by` = `namespace/Kind/name`.
 */
export interface InUseRoot {
  tag?: string;
  digest?: DigestText;
  by: string;
}
