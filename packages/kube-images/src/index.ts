// Public surface of @regguard/kube-images: what the cluster's workloads name and run.
export * from "./reference.js";
export * from "./aliases.js";
export * from "./extract.js";
export * from "./errors.js";
export * from "./list.js";
export * from "./in-use.js";
