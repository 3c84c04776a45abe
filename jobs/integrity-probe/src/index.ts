// Library surface: what tests, the demo and the manifests check import.
export { PROBE_ENV } from "./env-schema.js";
export { loadConfig, type ProbeConfig } from "./config.js";
export { probe, isRepositoryWithoutTags, TAGS_PER_REQUEST_SLOT, type ProbeOptions } from "./probe.js";
export { emptyTally, record, integrityFailures, runCompleted, type Tally } from "./tally.js";
export { METRIC, probeMetrics, type RunFacts } from "./metrics.js";
export { pushResults, type PushInput } from "./push.js";
export { PROBE_EXIT, exitCode, summaryLine } from "./report.js";
export { helpText } from "./help.js";
export { run } from "./run.js";
