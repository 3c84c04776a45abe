export * from "./errors.js";
export * from "./exposition.js";
export * from "./grouping.js";
export * from "./read.js";
export * from "./client.js";
export * from "./retry.js";
export * from "./build-info.js";
