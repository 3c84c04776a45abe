// Offline checks of manifests/: each module is one check, tests compose them.
export * from "./errors.js";
export * from "./repo.js";
export * from "./load.js";
export * from "./dts-schema.js";
export * from "./strict.js";
export * from "./builtin.js";
export * from "./shape.js";
export * from "./crd-shapes.js";
export * from "./cron.js";
export * from "./images.js";
export * from "./env-contract.js";
export * from "./pod-security.js";
export * from "./cronjob-checks.js";
export * from "./tools.js";
export * from "./prom-rules.js";
export * from "./markdown.js";
