export * from "./env-schema.js";
export * from "./hosts.js";
export * from "./secret-files.js";
export * from "./config.js";
export * from "./dockerconfig.js";
export * from "./errors.js";
export { run, type Io } from "./cli.js";
