// Library surface of @regguard/image-archive: breakglass verifies and restores with it, sync
// repairs from it.
export * from "./annotations.js";
export * from "./archive-read.js";
export * from "./errors.js";
export * from "./gzip.js";
export * from "./opened-archive.js";
export * from "./tar-offsets.js";
