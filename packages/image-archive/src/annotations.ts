// The annotations an archive's index.json carries (docs/archive-format.md): the image's name for
// containerd, its tag, and the series it belongs to.
export const ANNOTATION = {
  /** containerd names the imported image from this (full reference). */
  imageName: "io.containerd.image.name",
  /** OCI tag name. */
  refName: "org.opencontainers.image.ref.name",
  /** Which archive series this file belongs to (pruning checks it). */
  archiveName: "org.regguard.breakglass.name",
  /** The registry's digest when the root was trimmed or narrowed to one platform. */
  sourceDigest: "org.regguard.breakglass.source-digest",
} as const;
