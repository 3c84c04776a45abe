// Public surface of @regguard/kube-images: what the cluster's workloads name and run. The pure
// parts only: the listing, which loads @kubernetes/client-node (about 20 MiB of RSS and 150 ms at
// start), is its own entry point, "@regguard/kube-images/list", imported only by a run that
// reads the cluster.
export * from "./reference.js";
export * from "./aliases.js";
export * from "./extract.js";
export * from "./errors.js";
export * from "./in-use.js";
