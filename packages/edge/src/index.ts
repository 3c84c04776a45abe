// Public surface of @regguard/edge: what every client shares at the edge of a job.
export * from "./sleep.js";
export * from "./deadline.js";
export * from "./redact.js";
export * from "./retry-policy.js";
export * from "./error.js";
