// Public surface of @regguard/testkit: real servers on 127.0.0.1, image builders, helpers.
export * from "./types.js";
export * from "./errors.js";
export * from "./binaries.js";
export * from "./ports.js";
export * from "./tmp.js";
export * from "./process.js";
export * from "./command.js";
export * from "./registry.js";
export type { TokenResponseShape } from "./token-server.js";
export * from "./media-types.js";
export * from "./push-session.js";
export * from "./blobs.js";
export * from "./image.js";
export * from "./attestation.js";
export * from "./image-index.js";
