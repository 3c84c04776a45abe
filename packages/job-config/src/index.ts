export * from "./schema.js";
export * from "./errors.js";
export * from "./parse.js";
export * from "./reader.js";
export * from "./help.js";
