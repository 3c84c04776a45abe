// What a run reads from its source: a registry (SOURCE_URL) or a breakglass archive
// (SOURCE_ARCHIVE, archive-source.ts). The target is always a registry.
import type { RegistryClient } from "@regguard/oci-client";

/** The calls a sync run makes of its source, and nothing it would write with. */
export type SourceRegistry = Pick<RegistryClient, "repositories" | "tags" | "headManifest" | "manifest" | "openBlob" | "close"> & {
  readonly stats: { requests: number };
};
