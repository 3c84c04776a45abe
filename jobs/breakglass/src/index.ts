// Library surface of @regguard/breakglass (tests, the bench, other jobs).
export * from "./errors.js";
export * from "./env-schema.js";
export * from "./config.js";
export * from "./destination-spec.js";
export * from "./names.js";
export * from "./platform.js";
export * from "./select.js";
export * from "./plan.js";
export * from "./layout.js";
export * from "./prune.js";
export * from "./fanout.js";
export * from "./archive-writer.js";
export * from "./archive-source.js";
export {
  readArchive,
  MAX_METADATA_BYTES,
  isGzip,
  fileIsGzip,
  gunzipIfNeeded,
  openArchive,
  type ArchiveContents,
  type BlobVisitor,
} from "@regguard/image-archive";
export * from "./verify.js";
export * from "./restore.js";
export * from "./save.js";
export * from "./progress.js";
export * from "./cli.js";
